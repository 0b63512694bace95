import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MAX_FACT_CHARS, TRUSTED } from "../../../src/memory/fact-rules";
import { MemoryRevisionError, MemoryStore } from "../../../src/memory/memory-store";
import type { FactRecord } from "../../../src/store/memory-record";
import { FreshDatabase } from "../store/fresh-database";

let database: FreshDatabase;
let memory: MemoryStore;
let counter = 0;

const newId = (): string => `id-${++counter}`;

beforeEach(async () => {
  counter = 0;
  database = new FreshDatabase();
  memory = new MemoryStore(await database.open(), newId);
});

afterEach(async () => {
  await database.dispose();
});

const mail = { trust: "untrusted" as const, sources: ["gmail:1890ab"] };

async function seed(): Promise<FactRecord[]> {
  await memory.applyRevision(
    {
      origin: "import",
      summary: "seed",
      operations: [
        {
          op: "add",
          id: "a",
          fact: { text: "Prefers tea", origin: "import", source: "MEMORY.md", provenance: TRUSTED },
        },
        {
          op: "add",
          id: "b",
          fact: { text: "Flight on Friday", origin: "import", source: "MEMORY.md", provenance: mail, importance: 4 },
        },
        {
          op: "add",
          id: "c",
          fact: { text: "Lives in Porto", origin: "import", source: "MEMORY.md", provenance: TRUSTED, pinned: true },
        },
      ],
    },
    100,
  );
  return memory.listFacts();
}

describe("the memory store: facts and revisions", () => {
  it("saves a fact as a revision of its own, normalised to one line, and undoes it", async () => {
    const { fact, revision } = await memory.saveFact(
      { text: "  Likes\n\nlong   walks ", origin: "chat", source: "conversation:1", provenance: TRUSTED },
      5,
    );
    expect(fact).toEqual({
      id: "id-1",
      text: "Likes long walks",
      origin: "chat",
      source: "conversation:1",
      provenance: TRUSTED,
      importance: 3,
      pinned: false,
      created: 5,
      updated: 5,
    });
    expect(revision.changes).toEqual([{ factId: "id-1", before: null, after: fact }]);
    expect(await memory.undoRevision(revision.id, 6)).toMatchObject({ ok: true, revision: { undoneAt: 6 } });
    expect(await memory.listFacts()).toEqual([]);
    expect(await memory.undoRevision(revision.id, 7)).toEqual({ ok: false, reason: "already_undone" });
  });

  it("undo restores the exact previous state of every fact a revision touched", async () => {
    await seed();
    await memory.markRecalled(["a"], 150);
    await memory.setEmbedding("a", { model: "arctic", vector: new Float32Array([0.6, 0.8]) }, 100);
    const exact = await memory.listFacts();
    const dream = await memory.applyRevision(
      {
        origin: "dreaming",
        summary: "Dreaming for 2026-05-01",
        operations: [
          { op: "update", id: "a", patch: { text: "Prefers green tea", importance: 5 } },
          { op: "retire", id: "b" },
          { op: "update", id: "c", patch: { pinned: false } },
          { op: "add", fact: { text: "Runs on Sundays", origin: "dreaming", source: "dream", provenance: TRUSTED } },
        ],
      },
      200,
    );
    const after = await memory.listFacts();
    expect(after.map((fact) => fact.id).sort()).toEqual(["a", "c", "id-2"]); // id-1 is the seed revision
    // A new text drops the vector that described the old one.
    expect(await memory.getFact("a")).not.toHaveProperty("embedding");
    expect(dream.changes.find((change) => change.factId === "b")).toMatchObject({ after: null });

    // Recall after the dream does not block its undo.
    await memory.markRecalled(["c"], 250);
    expect(await memory.undoRevision(dream.id, 300)).toMatchObject({ ok: true });
    const restored = await memory.listFacts();
    expect(restored).toEqual(exact);
    expect((await memory.getFact("a"))?.embedding?.vector).toEqual(new Float32Array([0.6, 0.8]));
    expect((await memory.getRevision(dream.id))?.undoneAt).toBe(300);
  });

  it("applies nothing when one operation is wrong, and says which", async () => {
    await seed();
    const attempt = memory.applyRevision(
      {
        origin: "dreaming",
        summary: "bad",
        operations: [
          { op: "update", id: "a", patch: { text: "Prefers coffee" } },
          { op: "retire", id: "missing" },
          {
            op: "add",
            fact: { text: "x".repeat(MAX_FACT_CHARS + 1), origin: "chat", source: "", provenance: TRUSTED },
          },
          { op: "retire", id: "a" },
        ],
      },
      200,
    );
    await expect(attempt).rejects.toBeInstanceOf(MemoryRevisionError);
    await expect(attempt).rejects.toThrow(/no such fact.*at most 500 characters.*already touched/s);
    expect((await memory.getFact("a"))?.text).toBe("Prefers tea");
    expect(await memory.listRevisions()).toHaveLength(1);
  });

  it("leaves the old state whole when a write fails half-way through a revision", async () => {
    await seed();
    const before = await memory.listFacts();
    // A value structured clone refuses: the third write throws after two have been made.
    const uncloneable = { trust: "untrusted", sources: [() => "gmail"] } as unknown as FactRecord["provenance"];
    const attempt = memory.applyRevision(
      {
        origin: "dreaming",
        summary: "half",
        operations: [
          { op: "retire", id: "a" },
          { op: "update", id: "b", patch: { text: "Flight on Saturday" } },
          { op: "add", fact: { text: "Poison", origin: "dreaming", source: "dream", provenance: uncloneable } },
        ],
      },
      200,
    );
    await expect(attempt).rejects.toThrow();
    await database.reopen();
    const reopened = new MemoryStore(database.db);
    expect(await reopened.listFacts()).toEqual(before);
    expect(await reopened.listRevisions()).toHaveLength(1);
  });

  it("refuses to undo a revision whose facts changed since, until the later change is undone", async () => {
    await seed();
    const first = await memory.editFact("a", { text: "Prefers green tea" }, "user", 200);
    const second = await memory.editFact("a", { importance: 1 }, "user", 300);
    expect(await memory.undoRevision(first.id, 400)).toEqual({ ok: false, reason: "conflict", factIds: ["a"] });
    expect(await memory.undoRevision(second.id, 401)).toMatchObject({ ok: true });
    expect(await memory.undoRevision(first.id, 402)).toMatchObject({ ok: true });
    expect((await memory.getFact("a"))?.text).toBe("Prefers tea");
    expect((await memory.listRevisions()).map((revision) => revision.summary)).toEqual([
      "Edited a fact",
      "Edited a fact",
      "seed",
    ]);
    expect(await memory.undoRevision("nope", 1)).toEqual({ ok: false, reason: "not_found" });
  });

  it("deletes through a revision, and stores a vector only for the text it was computed from", async () => {
    await seed();
    const forgot = await memory.deleteFact("b", "user", 200);
    expect(await memory.getFact("b")).toBeUndefined();
    expect(await memory.undoRevision(forgot.id, 201)).toMatchObject({ ok: true });
    expect((await memory.getFact("b"))?.provenance).toEqual(mail);
    await memory.editFact("a", { text: "Prefers coffee" }, "user", 300);
    const stale = await memory.setEmbedding("a", { model: "arctic", vector: new Float32Array(2) }, 100);
    expect(stale).toBe(false);
    expect(await memory.getFact("a")).not.toHaveProperty("embedding");
    await expect(memory.applyRevision({ origin: "user", summary: "none", operations: [] }, 1)).rejects.toThrow(
      MemoryRevisionError,
    );
  });
});

describe("the memory store: notes and profile", () => {
  it("files notes under the local day and reads a day or a period", async () => {
    const zone = "Europe/Lisbon";
    // 23:30 UTC on 30 April is 00:30 on 1 May in Lisbon (summer time).
    const late = Date.UTC(2026, 3, 30, 23, 30);
    const early = Date.UTC(2026, 3, 30, 10, 0);
    const may = await memory.addNote({ text: "Booked flight", at: late, origin: "chat", provenance: TRUSTED }, zone);
    const april = await memory.addNote(
      { text: "Mail from airline", at: early, origin: "chat", provenance: mail },
      zone,
    );
    expect(may.day).toBe("2026-05-01");
    expect(april.day).toBe("2026-04-30");
    expect(await memory.notesOfDay("2026-05-01")).toEqual([may]);
    expect(await memory.notesBetween("2026-04-01", "2026-05-31")).toEqual([april, may]);
    await memory.deleteNote(april.id);
    expect(await memory.notesBetween("2026-04-01", "2026-05-31")).toEqual([may]);
  });

  it("keeps the profile as written", async () => {
    expect(await memory.getProfile()).toBeUndefined();
    const text = "# USER.md\n\n- **Name:** Ana\n- **Timezone:** Europe/Lisbon\n";
    await memory.setProfile(text, 9);
    await database.reopen();
    expect(await new MemoryStore(database.db).getProfile()).toEqual({ text, updated: 9 });
  });
});
