import { describe, expect, it } from "vitest";
import { guardDream, retireLimit, type GuardContext } from "../../../src/memory/dream-guards";
import type { DreamOperation } from "../../../src/memory/dream-proposal";
import { MAX_FACT_CHARS, TRUSTED } from "../../../src/memory/fact-rules";
import type { DailyNoteRecord, FactRecord, MemoryProvenance } from "../../../src/store/memory-record";

function fact(id: string, overrides: Partial<FactRecord> = {}): FactRecord {
  return {
    id,
    text: `Fact ${id}`,
    origin: "chat",
    source: "conversation:1",
    provenance: TRUSTED,
    importance: 3,
    pinned: false,
    created: 1,
    updated: 1,
    ...overrides,
  };
}

function note(id: string, provenance: MemoryProvenance): DailyNoteRecord {
  return { id, day: "2026-05-01", at: 1, text: `Note ${id}`, origin: "chat", provenance };
}

const mail: MemoryProvenance = { trust: "untrusted", sources: ["gmail:1890ab"] };
const slack: MemoryProvenance = { trust: "untrusted", sources: ["slack:C01/1.2"] };

function context(factCount: number, overrides: Partial<GuardContext> = {}): GuardContext {
  return {
    facts: Array.from({ length: factCount }, (_, index) => fact(`f${index}`)),
    notes: [note("user-note", TRUSTED), note("mail-note", mail), note("slack-note", slack)],
    source: "dream:2026-05-01",
    ...overrides,
  };
}

const retire = (factId: string): DreamOperation => ({ op: "retire", factId, reason: "stale" });

describe("dreaming guards", () => {
  it("refuses a whole run that would retire 60% of the facts", () => {
    const operations = Array.from({ length: 6 }, (_, index) => retire(`f${index}`));
    operations.push({ op: "add", text: "New fact", importance: 3, evidence: ["user-note"] });
    const verdict = guardDream({ operations }, context(10));
    expect(verdict).toEqual({
      ok: false,
      reason: "This run would retire 6 of 10 facts (60%); a run may retire at most 25% (2). Nothing was changed.",
      retired: 6,
      limit: 2,
    });
  });

  it("allows exactly 25%, and counts the facts a merge retires", () => {
    expect(retireLimit(8)).toBe(2);
    expect(retireLimit(3)).toBe(0);
    const atLimit = guardDream(
      {
        operations: [
          retire("f0"),
          { op: "merge", factIds: ["f1", "f2"], text: "F1 and F2", importance: 4, evidence: [] },
        ],
      },
      context(8),
    );
    expect(atLimit).toMatchObject({ ok: true, retired: 2 });
    const over = guardDream(
      {
        operations: [
          retire("f0"),
          { op: "merge", factIds: ["f1", "f2", "f3"], text: "F1 to F3", importance: 4, evidence: [] },
        ],
      },
      context(8),
    );
    expect(over).toMatchObject({ ok: false, retired: 3, limit: 2 });
  });

  it("marks facts drawn from untrusted notes, naming every source, and never upgrades trust", () => {
    const untrustedFact = fact("f0", { provenance: mail });
    const verdict = guardDream(
      {
        operations: [
          { op: "add", text: "Invoice due Friday", importance: 4, evidence: ["mail-note"] },
          { op: "add", text: "Team offsite in June", importance: 3, evidence: ["user-note", "slack-note"] },
          { op: "add", text: "Likes tea", importance: 2, evidence: ["user-note"] },
          // Rewording an untrusted fact with the user's own note keeps the mark.
          { op: "update", factId: "f0", text: "Invoice due Monday", evidence: ["user-note"] },
        ],
      },
      context(4, { facts: [untrustedFact, fact("f1"), fact("f2"), fact("f3")] }),
    );
    if (!verdict.ok) throw new Error(verdict.reason);
    expect(verdict.operations).toEqual([
      {
        op: "add",
        fact: {
          text: "Invoice due Friday",
          origin: "dreaming",
          source: "dream:2026-05-01",
          provenance: mail,
          importance: 4,
        },
      },
      {
        op: "add",
        fact: {
          text: "Team offsite in June",
          origin: "dreaming",
          source: "dream:2026-05-01",
          provenance: slack,
          importance: 3,
        },
      },
      {
        op: "add",
        fact: { text: "Likes tea", origin: "dreaming", source: "dream:2026-05-01", provenance: TRUSTED, importance: 2 },
      },
      { op: "update", id: "f0", patch: { provenance: mail, text: "Invoice due Monday" } },
    ]);
    expect(verdict.marked.map((mark) => mark.index)).toEqual([0, 1, 3]);
    expect(verdict.marked[0]?.message).toContain("gmail:1890ab");
  });

  it("merges provenance across merged facts and cited notes", () => {
    const verdict = guardDream(
      {
        operations: [{ op: "merge", factIds: ["f0", "f1"], text: "Merged", importance: 5, evidence: ["slack-note"] }],
      },
      context(8, {
        facts: [fact("f0", { provenance: mail }), ...context(8).facts.slice(1)],
      }),
    );
    if (!verdict.ok) throw new Error(verdict.reason);
    expect(verdict.operations).toEqual([
      {
        op: "update",
        id: "f0",
        patch: {
          provenance: { trust: "untrusted", sources: ["gmail:1890ab", "slack:C01/1.2"] },
          text: "Merged",
          importance: 5,
        },
      },
      { op: "retire", id: "f1" },
    ]);
  });

  it("leaves out over-long, uncited, pinned, unknown and repeated changes, keeping the rest", () => {
    const facts = [fact("f0", { pinned: true }), ...Array.from({ length: 7 }, (_, index) => fact(`f${index + 1}`))];
    const verdict = guardDream(
      {
        operations: [
          { op: "add", text: "x".repeat(MAX_FACT_CHARS + 1), importance: 3, evidence: ["user-note"] },
          { op: "add", text: "Uncited", importance: 3, evidence: [] },
          { op: "add", text: "Cites the unknown", importance: 3, evidence: ["elsewhere"] },
          retire("f0"),
          { op: "update", factId: "nope", text: "x", evidence: [] },
          { op: "update", factId: "f1", text: "Better F1", evidence: [] },
          retire("f1"),
          { op: "update", factId: "f2", text: "Fact   f2", evidence: [] },
          { op: "merge", factIds: ["f3", "f3"], text: "Same", importance: 3, evidence: [] },
          { op: "add", text: "  Two\nlines  ", importance: 9, evidence: ["user-note"] },
        ],
      },
      context(8, { facts }),
    );
    if (!verdict.ok) throw new Error(verdict.reason);
    expect(verdict.dropped.map((item) => item.index)).toEqual([0, 1, 2, 3, 4, 6, 7, 8]);
    expect(verdict.dropped[0]?.message).toMatch(/at most 500 characters/);
    expect(verdict.dropped[3]?.message).toMatch(/pinned/);
    expect(verdict.dropped[5]?.message).toMatch(/already changed/);
    expect(verdict.dropped[6]?.message).toMatch(/changes nothing/);
    expect(verdict.dropped[7]?.message).toMatch(/fewer than two/);
    expect(verdict.operations).toEqual([
      { op: "update", id: "f1", patch: { provenance: TRUSTED, text: "Better F1" } },
      {
        op: "add",
        fact: { text: "Two lines", origin: "dreaming", source: "dream:2026-05-01", provenance: TRUSTED, importance: 5 },
      },
    ]);
  });
});
