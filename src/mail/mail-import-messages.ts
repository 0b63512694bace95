import { createSHA256, type IHasher } from "hash-wasm";
import { MAIL_IMPORT_MESSAGE_LIMIT } from "./mail-import-progress";
import { MboxSplitter, type MboxPiece } from "./mbox-splitter";

/** A file as the import reads it (a `File` is one). */
export interface NamedBlob extends Blob {
  readonly name: string;
}

/** One message read from a file. */
export interface RawMailMessage {
  /** 1-based position in its file. */
  index: number;
  /** The message, or its first `limit` bytes when it is larger. */
  bytes: Uint8Array;
  /** Its whole size in bytes. */
  size: number;
  /** Set only when the message was larger than the limit: the id from the sha-256 of all its bytes. */
  id?: string;
  /** Its mbox `From ` line. */
  separator?: string;
}

/** How a file is read: as a mailbox of many messages, or as one message. */
export type MailFileKind = "mbox" | "eml";

/** What a file holds, from its first bytes; a problem (in words for the user) when it holds no mail. */
export async function mailFileKind(file: NamedBlob): Promise<{ kind: MailFileKind } | { problem: string }> {
  if (file.size === 0) return { problem: `${file.name} is empty.` };
  const start = new Uint8Array(await file.slice(0, 4096).arrayBuffer());
  const text = new TextDecoder("utf-8").decode(start).replace(/^\uFEFF/, "");
  const firstLine = /^\s*([^\r\n]*)/.exec(text)?.[1] ?? "";
  const singleMessage = /\.eml$/i.test(file.name) || file.type === "message/rfc822";
  if (firstLine.startsWith("From ")) return { kind: "mbox" };
  if (/^[!-9;-~]+:/.test(firstLine)) return { kind: singleMessage ? "eml" : "mbox" };
  return {
    problem:
      `${file.name} does not look like a mailbox (.mbox) or a mail (.eml): it starts with neither a "From " line ` +
      "nor mail headers. Nothing was imported from it. Choose the .mbox file of your export, or .eml files.",
  };
}

/**
 * Reads a file's messages one at a time, streaming: at most one message (up to the limit) and one
 * chunk of the file are held, whatever the file's size. Stopping the iteration cancels the read.
 */
export async function* readMessages(
  file: NamedBlob,
  kind: MailFileKind,
  options: { limit?: number; onBytesRead?: (bytes: number) => void } = {},
): AsyncGenerator<RawMailMessage, void, undefined> {
  const assembler = new MessageAssembler(options.limit ?? MAIL_IMPORT_MESSAGE_LIMIT);
  const splitter = kind === "mbox" ? new MboxSplitter() : undefined;
  const reader = file.stream().getReader();
  let index = 0;
  let separator: string | undefined;
  let bytesRead = 0;
  try {
    if (!splitter) assembler.start();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytesRead += value.length;
      if (!splitter) {
        await assembler.add(value);
      } else {
        for (const piece of splitter.push(value)) {
          const message = await take(piece);
          if (message) yield message;
        }
      }
      options.onBytesRead?.(bytesRead);
    }
    if (!splitter) {
      yield { index: 1, ...assembler.finish() };
      return;
    }
    for (const piece of splitter.finish()) {
      const message = await take(piece);
      if (message) yield message;
    }
  } finally {
    // Ends the file's stream when the caller stops early (cancel, a full disk).
    await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }

  async function take(piece: MboxPiece): Promise<RawMailMessage | undefined> {
    if (piece.type === "start") {
      separator = piece.separator;
      assembler.start();
      return undefined;
    }
    if (piece.type === "data") {
      await assembler.add(piece.bytes);
      return undefined;
    }
    index += 1;
    return { index, ...(separator === undefined ? {} : { separator }), ...assembler.finish() };
  }
}

/** Gathers one message's bytes up to the limit, hashing all of them once it grows past it. */
class MessageAssembler {
  #parts: Uint8Array[] = [];
  #kept = 0;
  #size = 0;
  #hashing = false;
  #hasher: IHasher | undefined;

  constructor(private readonly limit: number) {}

  start(): void {
    this.#parts = [];
    this.#kept = 0;
    this.#size = 0;
    this.#hashing = false;
  }

  async add(bytes: Uint8Array): Promise<void> {
    this.#size += bytes.length;
    if (this.#hashing) {
      this.#hasher?.update(bytes);
      return;
    }
    const room = this.limit - this.#kept;
    if (bytes.length <= room) {
      this.#parts.push(bytes);
      this.#kept += bytes.length;
      return;
    }
    // Past the limit: keep the start for parsing, and hash everything for the mail's id.
    this.#parts.push(bytes.subarray(0, room));
    this.#kept += room;
    this.#hasher ??= await createSHA256();
    this.#hasher.init();
    for (const part of this.#parts) this.#hasher.update(part);
    this.#hasher.update(bytes.subarray(room));
    this.#hashing = true;
  }

  finish(): { bytes: Uint8Array; size: number; id?: string } {
    const bytes = new Uint8Array(this.#kept);
    let offset = 0;
    for (const part of this.#parts) {
      bytes.set(part, offset);
      offset += part.length;
    }
    const id = this.#hashing && this.#hasher ? `local:${this.#hasher.digest("hex")}` : undefined;
    const size = this.#size;
    this.start();
    return { bytes, size, ...(id === undefined ? {} : { id }) };
  }
}
