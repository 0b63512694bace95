/**
 * Splits an mbox byte stream into messages as it arrives, chunk by chunk, without ever holding
 * more than one short line of its own: what it hands out are views of the chunks it was given.
 *
 * The format (RFC 4155 and its mboxo/mboxrd variants, Google Takeout's export): each message
 * starts with a `From ` line at the start of a line, normally after an empty line or at the top of
 * the file (`From sender asctime-date`; Takeout writes `From 1234567890@xxx Wed Jan 01 10:00:00
 * +0000 2020`); without the empty line, only a `From ` line with a whole date starts a message. Lines of a message that begin with `From ` were written as `>From `, and `>>From `
 * stands for `>From ` (mboxrd): one `>` is removed. The empty line before the next `From ` line
 * belongs to the file, not to the message. LF and CRLF files both work; line endings are kept.
 */

/** One step of the split: a message starts, some of its bytes, or it ends. */
export type MboxPiece =
  | {
      type: "start";
      /** The `From ` line (without its line ending); absent for text before the first one. */
      separator?: string;
    }
  | {
      type: "data";
      /** A view of a chunk the splitter was given, or a short copy: consume it before reusing the chunk. */
      bytes: Uint8Array;
    }
  | { type: "end" };

/** A `From ` line longer than this is text, not a separator; this also bounds what is buffered. */
const LINE_HEAD_LIMIT = 1024;

const LF = 0x0a;
const CR = 0x0d;
const GT = 0x3e;
const FROM_SPACE = [0x46, 0x72, 0x6f, 0x6d, 0x20]; // "From "

/** A separator names a sender, a time and a year (every mbox date has them), which prose after an empty line rarely does. */
const SEPARATOR_PATTERN = /^From \S+\s(?=.*\b\d{1,2}:\d{2})(?=.*\b(?:19|20)\d{2}\b)/;

type LineKind = "ordinary" | "escaped" | "blank" | "separator" | "undecided";

export class MboxSplitter {
  #inMessage = false;
  #previousBlank = false;
  /** The start of a line that spans chunks and is not classified yet (at most LINE_HEAD_LIMIT bytes). */
  #head: Uint8Array = new Uint8Array(0);
  /** The rest of the current line is message text, up to its LF. */
  #inOrdinaryLine = false;
  /** An empty line held back: it is dropped if a separator follows, and part of the message otherwise. */
  #pendingBlank: Uint8Array | undefined;
  #pieces: MboxPiece[] = [];

  /** Splits the next chunk; returns what it completes. */
  push(chunk: Uint8Array): MboxPiece[] {
    this.#pieces = [];
    let position = 0;
    let runStart = -1;
    const flushRun = (end: number): void => {
      if (runStart >= 0 && end > runStart) this.#pieces.push({ type: "data", bytes: chunk.subarray(runStart, end) });
      runStart = -1;
    };

    while (position < chunk.length) {
      if (this.#inOrdinaryLine) {
        if (runStart < 0) runStart = position;
        const newline = chunk.indexOf(LF, position);
        if (newline < 0) {
          position = chunk.length;
          break;
        }
        position = newline + 1;
        this.#inOrdinaryLine = false;
        this.#previousBlank = false;
        continue;
      }

      const first = this.#head.length > 0 ? this.#head[0] : chunk[position];
      if (this.#head.length === 0 && first !== 0x46 && first !== GT && first !== CR && first !== LF) {
        // The common case: a line that cannot be a separator, an escape or an empty line.
        this.#beginMessageText(runStart >= 0);
        if (runStart < 0) runStart = position;
        this.#inOrdinaryLine = true;
        continue;
      }

      const newline = chunk.indexOf(LF, position);
      const lineEnd = newline < 0 ? chunk.length : newline + 1;
      const available = Math.min(lineEnd, position + LINE_HEAD_LIMIT);
      const line =
        this.#head.length > 0
          ? concat(this.#head, chunk.subarray(position, available))
          : chunk.subarray(position, available);
      const complete = newline >= 0 && lineEnd <= available;
      const kind = this.#classify(line, complete);

      if (kind === "undecided") {
        // Only a line cut by the chunk's end is undecided; keep its start for the next chunk.
        flushRun(position);
        this.#head = line.slice();
        position = chunk.length;
        break;
      }

      const headLength = this.#head.length;
      this.#head = new Uint8Array(0);
      if (kind === "ordinary" || kind === "escaped") {
        const skip = kind === "escaped" ? 1 : 0;
        if (headLength > 0 || skip > 0) {
          flushRun(position);
          this.#beginMessageText(false);
          // The line's first bytes came from an earlier chunk, or lose their escaping `>`.
          if (headLength > skip) this.#pieces.push({ type: "data", bytes: line.slice(skip, headLength) });
          runStart = headLength > 0 ? position : position + skip;
          if (headLength === 0) position += skip;
        } else {
          this.#beginMessageText(runStart >= 0);
          if (runStart < 0) runStart = position;
        }
        this.#inOrdinaryLine = true;
        continue;
      }

      flushRun(position);
      position = lineEnd;
      if (kind === "blank") {
        this.#blankLine(line);
      } else {
        this.#separator(line);
      }
    }
    flushRun(position);
    return this.#pieces;
  }

  /** Ends the stream; returns the end of the last message. */
  finish(): MboxPiece[] {
    this.#pieces = [];
    if (this.#head.length > 0) {
      const line = this.#head;
      this.#head = new Uint8Array(0);
      const kind = this.#classify(line, true);
      if (kind === "blank") this.#blankLine(line);
      else if (kind === "separator") this.#separator(line);
      else {
        this.#beginMessageText(false);
        this.#pieces.push({ type: "data", bytes: kind === "escaped" ? line.subarray(1) : line });
      }
    }
    // The empty line at the end of the file closes the last message; it is not part of it.
    this.#pendingBlank = undefined;
    if (this.#inMessage) this.#pieces.push({ type: "end" });
    this.#inMessage = false;
    this.#inOrdinaryLine = false;
    return this.#pieces;
  }

  #classify(line: Uint8Array, complete: boolean): LineKind {
    const first = line[0];
    if (first === LF) return "blank";
    if (first === CR) {
      if (line.length < 2) return complete ? "ordinary" : "undecided";
      return line[1] === LF ? "blank" : "ordinary";
    }
    if (first === GT) {
      let quotes = 0;
      while (quotes < line.length && line[quotes] === GT) quotes += 1;
      const matched = matchesFrom(line, quotes);
      if (matched === undefined) return complete || line.length >= LINE_HEAD_LIMIT ? "ordinary" : "undecided";
      return matched ? "escaped" : "ordinary";
    }
    const startsWithFrom = matchesFrom(line, 0);
    if (startsWithFrom === undefined) return complete ? "ordinary" : "undecided";
    if (!startsWithFrom) return "ordinary";
    if (!complete) return line.length >= LINE_HEAD_LIMIT ? "ordinary" : "undecided";
    const text = withoutLineEnding(latin1(line));
    // After an empty line (or at the top) a sender and a time make a separator. Some writers leave
    // out the empty line; there only a whole date (day, month, time, year) does, as prose rarely has one.
    if (!this.#inMessage || this.#previousBlank) return SEPARATOR_PATTERN.test(text) ? "separator" : "ordinary";
    return fromLineDate(text) === undefined ? "ordinary" : "separator";
  }

  /** A line of message text follows: open a message for text before any `From ` line, release a held empty line. */
  #beginMessageText(continuingRun: boolean): void {
    if (continuingRun) return;
    if (!this.#inMessage) {
      this.#inMessage = true;
      this.#pieces.push({ type: "start" });
    }
    if (this.#pendingBlank) {
      this.#pieces.push({ type: "data", bytes: this.#pendingBlank });
      this.#pendingBlank = undefined;
    }
  }

  #blankLine(line: Uint8Array): void {
    this.#previousBlank = true;
    // Empty lines before the first message belong to no message.
    if (!this.#inMessage) return;
    if (this.#pendingBlank) this.#pieces.push({ type: "data", bytes: this.#pendingBlank });
    this.#pendingBlank = line.slice();
  }

  #separator(line: Uint8Array): void {
    this.#pendingBlank = undefined;
    if (this.#inMessage) this.#pieces.push({ type: "end" });
    this.#inMessage = true;
    this.#previousBlank = false;
    this.#pieces.push({ type: "start", separator: withoutLineEnding(latin1(line)) });
  }
}

/** Whether `line` has `From ` at `offset`: undefined when the line is too short to tell. */
function matchesFrom(line: Uint8Array, offset: number): boolean | undefined {
  for (let index = 0; index < FROM_SPACE.length; index += 1) {
    if (offset + index >= line.length) return undefined;
    if (line[offset + index] !== FROM_SPACE[index]) return false;
  }
  return true;
}

function concat(first: Uint8Array, second: Uint8Array): Uint8Array {
  const result = new Uint8Array(first.length + second.length);
  result.set(first, 0);
  result.set(second, first.length);
  return result;
}

function latin1(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return text;
}

function withoutLineEnding(line: string): string {
  return line.replace(/\r?\n$/, "");
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/**
 * The delivery time on a `From ` line, in milliseconds since the epoch, or undefined when it has
 * none. asctime dates carry no zone and are taken as UTC, as mail servers write them; Takeout's
 * lines carry a `+0000` zone before the year.
 */
export function fromLineDate(separator: string): number | undefined {
  const match =
    /\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+([a-z]{3})[a-z]*\s+(\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s+(?:([+-])(\d{2})(\d{2})\s+|[a-z]{3,4}\s+)?(\d{4})\b/i.exec(
      separator,
    );
  if (!match) return undefined;
  const [
    ,
    monthName = "",
    day = "",
    hours = "",
    minutes = "",
    seconds = "0",
    sign,
    zoneHours = "0",
    zoneMinutes = "0",
    year = "",
  ] = match;
  const month = MONTHS.indexOf(monthName.toLowerCase());
  if (month < 0) return undefined;
  const utc = Date.UTC(Number(year), month, Number(day), Number(hours), Number(minutes), Number(seconds));
  const offset = (Number(zoneHours) * 60 + Number(zoneMinutes)) * 60_000 * (sign === "-" ? -1 : 1);
  return Number.isFinite(utc) ? utc - (sign ? offset : 0) : undefined;
}
