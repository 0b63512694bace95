import { describe, expect, it } from "vitest";
import { fromLineDate, MboxSplitter, type MboxPiece } from "../../../src/mail/mbox-splitter";

interface SplitMessage {
  separator: string | undefined;
  text: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Feeds `chunks` through a splitter and assembles what it hands out, checking the pieces come in order. */
function split(chunks: readonly Uint8Array[]): SplitMessage[] {
  const splitter = new MboxSplitter();
  const messages: SplitMessage[] = [];
  let current: { separator: string | undefined; parts: Uint8Array[] } | undefined;
  const take = (pieces: MboxPiece[]): void => {
    for (const piece of pieces) {
      if (piece.type === "start") {
        expect(current).toBeUndefined();
        current = { separator: piece.separator, parts: [] };
      } else if (piece.type === "data") {
        if (!current) throw new Error("data outside a message");
        // Copy: the splitter's views point into chunks the caller may reuse.
        current.parts.push(piece.bytes.slice());
      } else {
        if (!current) throw new Error("end outside a message");
        messages.push({ separator: current.separator, text: decoder.decode(joined(current.parts)) });
        current = undefined;
      }
    }
  };
  for (const chunk of chunks) take(splitter.push(chunk));
  take(splitter.finish());
  expect(current).toBeUndefined();
  return messages;
}

function joined(parts: readonly Uint8Array[]): Uint8Array {
  const result = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}

/** A small mailbox with every case the splitter must get right, in LF. */
const MBOX = [
  "From ann@example.com Wed Jan  1 10:00:00 2020",
  "From: Ann <ann@example.com>",
  "Subject: first",
  "",
  "Hello.",
  ">From the escaped line",
  ">>From a line that had one quote",
  ">not an escape",
  "From inside a paragraph is text",
  "",
  "",
  "From 1650000000000000000@xxx Thu Feb 02 11:22:33 +0000 2023",
  "X-GM-THRID: 1650000000000000000",
  "From: Bob <bob@example.com>",
  "",
  "Fr",
  "",
  "From here on it is prose after an empty line, not a separator",
  "F",
  ">",
  "",
  "From MAILER-DAEMON Fri Mar  3 12:00:00 2023",
  "Subject: last",
  "",
  "Bye.",
  "",
].join("\n");

const EXPECTED: SplitMessage[] = [
  {
    separator: "From ann@example.com Wed Jan  1 10:00:00 2020",
    text: [
      "From: Ann <ann@example.com>",
      "Subject: first",
      "",
      "Hello.",
      "From the escaped line",
      ">From a line that had one quote",
      ">not an escape",
      "From inside a paragraph is text",
      "",
      "",
    ].join("\n"),
  },
  {
    separator: "From 1650000000000000000@xxx Thu Feb 02 11:22:33 +0000 2023",
    text: [
      "X-GM-THRID: 1650000000000000000",
      "From: Bob <bob@example.com>",
      "",
      "Fr",
      "",
      "From here on it is prose after an empty line, not a separator",
      "F",
      ">",
      "",
    ].join("\n"),
  },
  { separator: "From MAILER-DAEMON Fri Mar  3 12:00:00 2023", text: "Subject: last\n\nBye.\n" },
];

function crlf(text: string): string {
  return text.replace(/\n/g, "\r\n");
}

function chunksOf(bytes: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) chunks.push(bytes.slice(offset, offset + size));
  return chunks;
}

describe("the mbox splitter", () => {
  it("splits at From lines, unescapes >From lines once and drops the empty line before each separator", () => {
    expect(split([encoder.encode(MBOX)])).toEqual(EXPECTED);
  });

  it("gives the same messages wherever a chunk boundary falls, in LF and in CRLF files", () => {
    for (const [text, expected] of [
      [MBOX, EXPECTED],
      [crlf(MBOX), EXPECTED.map((message) => ({ ...message, text: crlf(message.text) }))],
    ] as const) {
      const bytes = encoder.encode(text);
      for (let cut = 0; cut <= bytes.length; cut += 1) {
        expect(split([bytes.slice(0, cut), bytes.slice(cut)]), `cut at ${cut}`).toEqual(expected);
      }
      for (let first = 1; first < bytes.length; first += 7) {
        for (let second = first + 1; second < bytes.length; second += 5) {
          const pieces = [bytes.slice(0, first), bytes.slice(first, second), bytes.slice(second)];
          expect(split(pieces), `cuts at ${first} and ${second}`).toEqual(expected);
        }
      }
      expect(split(chunksOf(bytes, 1)), "one byte at a time").toEqual(expected);
    }
  });

  it("keeps text before the first From line as a message of its own (an .eml saved as .mbox)", () => {
    const messages = split([encoder.encode("\n\nFrom: Ann <ann@example.com>\nSubject: hi\n\nbody\n")]);
    expect(messages).toEqual([{ separator: undefined, text: "From: Ann <ann@example.com>\nSubject: hi\n\nbody\n" }]);
  });

  it("finds no message in an empty file or one of empty lines", () => {
    expect(split([])).toEqual([]);
    expect(split([encoder.encode("\n\r\n\n")])).toEqual([]);
  });

  it("treats a From line over 1 KB as text, and streams a long line without holding it", () => {
    const long = `From ${"x".repeat(2000)} Wed Jan  1 10:00:00 2020`;
    const body = "A".repeat(100_000);
    const messages = split(
      chunksOf(encoder.encode(`From a Wed Jan  1 10:00:00 2020\nS: 1\n\n${long}\n${body}\n`), 4096),
    );
    expect(messages).toHaveLength(1);
    expect(messages[0]?.text).toBe(`S: 1\n\n${long}\n${body}\n`);
  });

  it("starts a message at a From line with a whole date even without the empty line before it", () => {
    const text =
      "From a@example.com Mon Jan  1 10:00:00 2024\nSubject: one\n\nFrom now on, at 10:30, we meet.\n" +
      "From b@example.com Tue Jan  2 11:00:00 2024\nSubject: two\n\nbody\n";
    expect(split([encoder.encode(text)])).toEqual([
      {
        separator: "From a@example.com Mon Jan  1 10:00:00 2024",
        text: "Subject: one\n\nFrom now on, at 10:30, we meet.\n",
      },
      { separator: "From b@example.com Tue Jan  2 11:00:00 2024", text: "Subject: two\n\nbody\n" },
    ]);
  });

  it("ends a message whose file stops without a final line ending", () => {
    expect(split([encoder.encode("From a Wed Jan  1 10:00:00 2020\nSubject: x\n\ncut off")])).toEqual([
      { separator: "From a Wed Jan  1 10:00:00 2020", text: "Subject: x\n\ncut off" },
    ]);
  });
});

describe("the date on a From line", () => {
  it("reads asctime (as UTC) and Takeout's zoned form, and nothing from a line without a date", () => {
    expect(fromLineDate("From ann@example.com Wed Jan  1 10:00:00 2020")).toBe(Date.UTC(2020, 0, 1, 10, 0, 0));
    expect(fromLineDate("From 1650000000000000000@xxx Thu Feb 02 11:22:33 +0200 2023")).toBe(
      Date.UTC(2023, 1, 2, 9, 22, 33),
    );
    expect(fromLineDate("From MAILER-DAEMON Fri Mar  3 12:00 2023")).toBe(Date.UTC(2023, 2, 3, 12, 0, 0));
    expect(fromLineDate("From someone")).toBeUndefined();
  });
});
