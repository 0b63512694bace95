import { describe, expect, it } from "vitest";
import {
  parseMemoryFile,
  parseNotesFile,
  parseUserFile,
  renderMemoryFile,
  renderNotesFile,
  renderUserFile,
  startOfDay,
} from "../../../src/memory/workspace-format";
import type { DailyNoteRecord, FactRecord } from "../../../src/store/memory-record";

const ZONE = "Europe/Lisbon";
const mail = { trust: "untrusted" as const, sources: ["gmail:1890ab", "slack:C1/17"] };

function fact(id: string, text: string, extra: Partial<FactRecord> = {}): FactRecord {
  return {
    id,
    text,
    origin: "chat",
    source: "conversation:1",
    provenance: { trust: "trusted" },
    importance: 3,
    pinned: false,
    created: 1_700_000_000_000,
    updated: 1_700_000_100_000,
    ...extra,
  };
}

/** A record without the fields an export leaves out (the embedding) or a reader adds (the line). */
function without<T extends object>(record: T, ...keys: string[]): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([key]) => !keys.includes(key))) as Partial<T>;
}

const tricky: FactRecord[] = [
  fact("f1", "Prefers tea over coffee"),
  fact("f2", "Flight LIS→NRT on Friday, booked by Ana", { provenance: mail, importance: 5, origin: "dreaming" }),
  fact("f3", "Lives in Porto — 🇵🇹 café «Majestic»", { pinned: true, importance: 4, lastRecalled: 1_700_000_200_000 }),
  fact("f4", 'An arrow --> and a comment <!-- tabclaw: {"id":"x"} --> inside'),
  fact("f5", "# not a heading, *not emphasis*, `code`, [link](http://x) | pipe \\ backslash"),
  fact("f6", "- starts like a list item"),
  fact("f7", "1. starts like a numbered item -->"),
  fact("f8", "ends with the close -->", { origin: "import", source: "MEMORY.md" }),
  fact("f9", "> quoted"),
  fact("f10", "---"),
];

describe("MEMORY.md", () => {
  it("round-trips every field except the embedding, whatever the text holds", () => {
    const withVector = { ...fact("f11", "Has a vector"), embedding: { model: "m", vector: new Float32Array([1, 0]) } };
    const markdown = renderMemoryFile([...tricky, withVector]);
    const read = parseMemoryFile(markdown);
    expect(read.problems).toEqual([]);
    const byId = new Map(read.records.map((record) => [record.id, without(record, "line")]));
    for (const original of [...tricky, withVector])
      expect(byId.get(original.id)).toEqual(without(original, "embedding"));
    expect(read.records).toHaveLength(tricky.length + 1);
    expect(markdown).not.toContain("embedding");
    expect(markdown).not.toContain(`"model"`);
  });

  it("is readable: a heading, pinned facts first, each fact's text at the start of its line", () => {
    const markdown = renderMemoryFile(tricky);
    const lines = markdown.split("\n");
    expect(lines[0]).toBe("# Long-term memory");
    expect(lines.indexOf("## Pinned")).toBeLessThan(lines.indexOf("## Facts"));
    expect(markdown).toContain("- Lives in Porto — 🇵🇹 café «Majestic» <!-- tabclaw: ");
    expect(markdown).toContain('- Prefers tea over coffee <!-- tabclaw: {"id":"f1","importance":3');
    expect(markdown).toContain('"provenance":{"trust":"untrusted","sources":["gmail:1890ab","slack:C1/17"]}');
  });

  it("reads hand-written facts (items and paragraphs) as the user's own, trusted, importance 3", () => {
    const read = parseMemoryFile(
      [
        "# My memory",
        "",
        "Some intro paragraph that spans",
        "two lines.",
        "",
        "- Likes long walks",
        "* Has a cat called Miso",
        "  who is grey",
        "1. Works at Acme",
        "> a quote is not a fact",
        "<!-- a comment is not a fact -->",
        "---",
      ].join("\n"),
    );
    expect(read.problems).toEqual([]);
    expect(read.records.map((record) => record.text)).toEqual([
      "Some intro paragraph that spans two lines.",
      "Likes long walks",
      "Has a cat called Miso who is grey",
      "Works at Acme",
    ]);
    for (const record of read.records) {
      expect(record).toMatchObject({
        origin: "import",
        source: "MEMORY.md",
        provenance: { trust: "trusted" },
        importance: 3,
        pinned: false,
      });
      expect(record.id).toBeUndefined();
    }
  });

  it("reports damaged lines and keeps reading: a broken comment makes the fact untrusted, never trusted", () => {
    const read = parseMemoryFile(
      [
        "- Good one",
        "- Broken <!-- tabclaw: {not json -->",
        '- Bad importance <!-- tabclaw: {"id":"z","importance":9,"provenance":{"trust":"trusted"}} -->',
        '- No trust <!-- tabclaw: {"id":"y","importance":2} -->',
        `- ${"x".repeat(600)}`,
        "- After",
      ].join("\n"),
    );
    expect(read.records.map((record) => record.text)).toEqual([
      "Good one",
      "Broken",
      "Bad importance",
      "No trust",
      "After",
    ]);
    expect(read.records[1]?.provenance).toEqual({ trust: "untrusted", sources: ["import:MEMORY.md"] });
    expect(read.records[2]).toMatchObject({ id: "z", importance: 3, provenance: { trust: "trusted" } });
    expect(read.records[3]?.provenance).toEqual({ trust: "untrusted", sources: ["import:MEMORY.md"] });
    expect(read.problems).toHaveLength(4);
    expect(read.problems[0]).toMatch(/^Line 2: /);
    expect(read.problems[3]).toMatch(/^Line 5: A fact holds at most 500 characters/);
  });
});

describe("memory/YYYY-MM-DD.md", () => {
  const day = "2026-05-01";
  const at = (hours: number, minutes = 0): number => startOfDay(day, ZONE) + (hours * 60 + minutes) * 60_000;
  const notes: DailyNoteRecord[] = [
    {
      id: "n2",
      day,
      at: at(14, 5),
      text: "Read a mail from Ana:\n\n  > the flight moved\nto Saturday ",
      origin: "chat",
      provenance: mail,
    },
    {
      id: "n1",
      day,
      at: at(9, 30),
      text: "Talked about the launch 🚀 -->",
      origin: "chat",
      provenance: { trust: "trusted" },
    },
    {
      id: "n3",
      day,
      at: at(23, 59) + 1234,
      text: "\n starts with a newline and ends with one\n",
      origin: "compaction",
      provenance: { trust: "trusted" },
    },
    { id: "n4", day, at: at(10), text: "10:00 looks like a time", origin: "user", provenance: { trust: "trusted" } },
  ];

  it("round-trips notes exactly, multi-line text and untrusted sources included, oldest first", () => {
    const markdown = renderNotesFile(day, notes, ZONE);
    expect(markdown.startsWith(`# ${day}\n\n- 09:30 Talked about the launch 🚀 --> <!-- tabclaw: `)).toBe(true);
    const read = parseNotesFile(day, markdown, ZONE);
    expect(read.problems).toEqual([]);
    const back = read.records.map((note) => without(note, "line"));
    expect(back).toEqual([...notes].sort((a, b) => a.at - b.at));
  });

  it("reads hand-written notes, with or without a time, in the file's day", () => {
    const read = parseNotesFile(
      day,
      "# May Day\n\n- 08:15 Breakfast with Ana\n- Walked to the river\n\nA paragraph note\nover two lines\n",
      ZONE,
    );
    expect(read.problems).toEqual([]);
    expect(read.records.map((note) => [note.text, note.day, note.origin, note.provenance.trust])).toEqual([
      ["Breakfast with Ana", day, "import", "trusted"],
      ["Walked to the river", day, "import", "trusted"],
      ["A paragraph note\nover two lines", day, "import", "trusted"],
    ]);
    expect(read.records[0]?.at).toBe(at(8, 15));
  });

  it("finds the first instant of a day in zones on both sides of UTC", () => {
    expect(new Date(startOfDay("2026-05-01", "UTC")).toISOString()).toBe("2026-05-01T00:00:00.000Z");
    expect(new Date(startOfDay("2026-05-01", "Pacific/Kiritimati")).toISOString()).toBe("2026-04-30T10:00:00.000Z");
    expect(new Date(startOfDay("2026-05-01", "Pacific/Pago_Pago")).toISOString()).toBe("2026-05-01T11:00:00.000Z");
  });
});

describe("USER.md", () => {
  it("keeps the profile exactly as written, with its last change in a trailing comment", () => {
    for (const text of [
      "",
      "# Me\n\nI like *tea*.\n",
      "no newline",
      'ends with a comment\n<!-- tabclaw: {"updated":1} -->',
    ]) {
      const profile = { text, updated: 42 };
      expect(parseUserFile(renderUserFile(profile))).toEqual(profile);
    }
  });

  it("reads a hand-written profile whole", () => {
    expect(parseUserFile("\uFEFF# About me\r\nI live in Porto.\r\n")).toEqual({
      text: "# About me\r\nI live in Porto.\r\n",
    });
  });
});
