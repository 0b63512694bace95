import { formatBytes } from "../core/format";
import type { MailImportProblem, MailImportRecord, MailRecord } from "../store/mail-record";
import type { MailStore } from "../store/mail-store";
import { mailFromMime } from "./mail-from-mime";
import { defaultImportLocks, type MailImportLocks } from "./mail-import-locks";
import { mailFileKind, readMessages, type NamedBlob } from "./mail-import-messages";
import { MAIL_IMPORT_MESSAGE_LIMIT, type MailImportProgress } from "./mail-import-progress";
import { fromLineDate } from "./mbox-splitter";

export interface MailImportRunOptions {
  importId: string;
  files: readonly NamedBlob[];
  store: MailStore;
  now?: () => number;
  /** Stops the import after the message being read; what was read is saved first. */
  signal?: AbortSignal;
  onProgress?: (progress: MailImportProgress) => void;
  /** Tells open inboxes that mail changed (after every saved batch). */
  announce?: () => void;
  locks?: MailImportLocks;
  /** The most of one message that is parsed (MAIL_IMPORT_MESSAGE_LIMIT). */
  messageLimit?: number;
  /** A batch is written once it holds this many messages, or this many characters of text and HTML. */
  batchMessages?: number;
  batchCharacters?: number;
  /** Progress is reported at most this often while a file is read (and after every batch). */
  progressIntervalMs?: number;
}

interface PendingMail {
  mail: MailRecord;
  problem?: Omit<MailImportProblem, "mailId">;
}

/** A write to the store failed: that ends the import (unlike a message or a file that cannot be read). */
class StoreWriteError extends Error {
  constructor(override readonly cause: unknown) {
    super("The mail store refused a write.");
  }
}

class ImportCancelled extends Error {}

const PERSIST_INTERVAL_MS = 1000;

/**
 * Imports .mbox and .eml files into the mail store: streams each file, parses one message at a
 * time, and writes batches with `MailStore.addNew`, so a mail already there is counted, not copied.
 * A message that cannot be read whole is kept as far as it could be read and listed with its
 * problem; a file that holds no mail is listed and skipped. Only a failing store (a full disk)
 * ends the import early, keeping what was stored. The report is written as it goes, so an import
 * cut short by a closed tab keeps its counts (and is marked interrupted at the next start).
 */
export async function runMailImport(options: MailImportRunOptions): Promise<MailImportRecord> {
  const locks = options.locks ?? defaultImportLocks();
  return locks.hold(options.importId, () => new ImportRun(options).run());
}

class ImportRun {
  readonly #options: MailImportRunOptions;
  readonly #now: () => number;
  readonly #record: MailImportRecord;
  readonly #limit: number;
  #batch: PendingMail[] = [];
  #batchCharacters = 0;
  #bytesDone = 0;
  #fileBytes = 0;
  #fileIndex = 0;
  #lastProgress = -Infinity;
  #lastPersist = -Infinity;

  constructor(options: MailImportRunOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => Date.now());
    this.#limit = options.messageLimit ?? MAIL_IMPORT_MESSAGE_LIMIT;
    this.#record = {
      id: options.importId,
      startedAt: this.#now(),
      files: options.files.map((file) => file.name),
      bytes: options.files.reduce((sum, file) => sum + file.size, 0),
      messages: 0,
      stored: 0,
      duplicates: 0,
      problems: [],
      status: "running",
    };
  }

  async run(): Promise<MailImportRecord> {
    const record = this.#record;
    try {
      await this.#options.store.putImport(record);
      for (const [index, file] of this.#options.files.entries()) {
        this.#fileIndex = index;
        this.#fileBytes = 0;
        this.#throwIfCancelled();
        await this.#importFile(file);
        this.#bytesDone += file.size;
      }
      await this.#flush();
      record.status = "done";
    } catch (error) {
      if (error instanceof ImportCancelled) {
        await this.#flush().then(
          () => (record.status = "cancelled"),
          (flushError: unknown) => this.#fail(flushError),
        );
      } else {
        this.#fail(error);
      }
    }
    record.finishedAt = this.#now();
    // With the disk full even the report may not fit; the caller still gets it, and the stored
    // `running` report becomes `interrupted` at the next start.
    await this.#options.store.putImport(record).catch(() => undefined);
    this.#report(true);
    return { ...record, problems: [...record.problems] };
  }

  async #importFile(file: NamedBlob): Promise<void> {
    const kind = await mailFileKind(file).catch((error: unknown) => ({ problem: unreadableFile(file, 0, error) }));
    if ("problem" in kind) {
      this.#fileProblem(file, kind.problem);
      return;
    }
    try {
      const messages = readMessages(file, kind.kind, {
        limit: this.#limit,
        onBytesRead: (bytes) => {
          this.#fileBytes = bytes;
          // Checked per chunk too, so one huge message does not hold a cancel back.
          this.#throwIfCancelled();
          this.#report(false);
        },
      });
      for await (const message of messages) {
        const parsed = await mailFromMime(
          message.bytes,
          {
            source: "local",
            sourceId: this.#record.id,
            ...(message.id === undefined ? {} : { id: message.id }),
            ...optionalDate(message.separator),
          },
          this.#now(),
        );
        const notes = [
          message.size > message.bytes.length ? oversizeNote(message.size, this.#limit) : undefined,
          parsed.problem,
        ].filter((note) => note !== undefined);
        const mail = notes.length > 0 ? { ...parsed.mail, problem: notes.join(" ") } : parsed.mail;
        this.#batch.push({
          mail,
          ...(mail.problem === undefined
            ? {}
            : {
                problem: {
                  index: message.index,
                  file: file.name,
                  ...labelOf(mail),
                  message: mail.problem,
                },
              }),
        });
        this.#batchCharacters += mail.text.length + (mail.html?.length ?? 0) + 1024;
        if (
          this.#batch.length >= (this.#options.batchMessages ?? 200) ||
          this.#batchCharacters >= (this.#options.batchCharacters ?? 4_000_000)
        ) {
          await this.#flush();
        }
        this.#throwIfCancelled();
      }
    } catch (error) {
      if (error instanceof StoreWriteError || error instanceof ImportCancelled) throw error;
      // The file went away or changed under us: keep what was read, say so, go on with the next file.
      this.#fileProblem(file, unreadableFile(file, this.#fileBytes, error));
    }
  }

  /** Writes the batch; the counts move only once the mails are stored. */
  async #flush(): Promise<void> {
    if (this.#batch.length === 0) return;
    const batch = this.#batch;
    const record = this.#record;
    try {
      // The report's counts move in the transaction that stores the mails. Only a very long
      // problem list (rewritten whole each time) is written at most once a second.
      await this.#options.store.addNew(
        batch.map((pending) => pending.mail),
        (result) => {
          record.messages += batch.length;
          record.stored += result.stored.length;
          record.duplicates += result.duplicates;
          for (const pending of batch) {
            if (pending.problem) record.problems.push({ ...pending.problem, mailId: pending.mail.id });
          }
          if (record.problems.length >= 1000 && this.#now() - this.#lastPersist < PERSIST_INTERVAL_MS) return undefined;
          this.#lastPersist = this.#now();
          return record;
        },
      );
    } catch (error) {
      throw new StoreWriteError(error);
    }
    this.#batch = [];
    this.#batchCharacters = 0;
    this.#options.announce?.();
    this.#report(true);
  }

  #fileProblem(file: NamedBlob, message: string): void {
    // Position 0: the problem concerns the file, not one of its messages.
    this.#record.problems.push({ index: 0, file: file.name, message });
    this.#report(true);
  }

  #fail(error: unknown): void {
    const cause = error instanceof StoreWriteError ? error.cause : error;
    const name = cause instanceof Error || cause instanceof DOMException ? cause.name : "Error";
    const detail = cause instanceof Error || cause instanceof DOMException ? cause.message : String(cause);
    this.#record.status = "failed";
    this.#record.error = isQuotaError(cause)
      ? {
          name: "QuotaExceededError",
          message:
            `The browser's storage for Tabclaw is full. ${this.#record.stored} new mails were stored before it filled, ` +
            "and they are kept. Free space (delete a model you do not use under Models, or other sites' data in the " +
            "browser's settings), then import the same files again: mails already stored are skipped.",
        }
      : {
          name,
          message: `The import stopped: ${detail}. The ${this.#record.stored} new mails stored before are kept; import the same files again to add the rest (mails already stored are skipped).`,
        };
  }

  #throwIfCancelled(): void {
    if (this.#options.signal?.aborted) throw new ImportCancelled();
  }

  #report(force: boolean): void {
    const onProgress = this.#options.onProgress;
    if (!onProgress) return;
    const now = this.#now();
    if (!force && now - this.#lastProgress < (this.#options.progressIntervalMs ?? 200)) return;
    this.#lastProgress = now;
    const record = this.#record;
    onProgress({
      importId: record.id,
      file: this.#options.files[this.#fileIndex]?.name ?? "",
      fileIndex: this.#fileIndex,
      fileCount: this.#options.files.length,
      bytesRead: Math.min(record.bytes, this.#bytesDone + this.#fileBytes),
      bytesTotal: record.bytes,
      messages: record.messages,
      stored: record.stored,
      duplicates: record.duplicates,
      problems: record.problems.length,
    });
  }
}

function optionalDate(separator: string | undefined): { receivedAt?: number } {
  const date = separator === undefined ? undefined : fromLineDate(separator);
  return date === undefined ? {} : { receivedAt: date };
}

function labelOf(mail: MailRecord): { label?: string } {
  const label = mail.subject || mail.messageId;
  return label ? { label } : {};
}

function oversizeNote(size: number, limit: number): string {
  return (
    `It is ${formatBytes(size)}, more than the ${formatBytes(limit)} Tabclaw reads of one mail: its headers and ` +
    `text are kept, but attachments past the first ${formatBytes(limit)} are not listed.`
  );
}

function unreadableFile(file: NamedBlob, offset: number, error: unknown): string {
  const reason = error instanceof Error || error instanceof DOMException ? error.name : "an error";
  return (
    `${file.name} could not be read${offset > 0 ? ` past ${formatBytes(offset)}` : ""} (${reason}): it may have ` +
    "been moved or changed during the import. The mails read before are kept; choose the file again to import the rest."
  );
}

function isQuotaError(error: unknown): boolean {
  if (!(error instanceof Error || error instanceof DOMException)) return false;
  return error.name === "QuotaExceededError" || /quota/i.test(error.message);
}
