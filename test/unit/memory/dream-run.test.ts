import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ChatEngine } from "../../../src/engine/chat-engine";
import { readJournal, writeJournalEntry } from "../../../src/memory/dream-journal-store";
import { dreamSchema } from "../../../src/memory/dream-prompt";
import { DREAMING_ROUTINE, runDream, type DreamRunOptions } from "../../../src/memory/dream-run";
import { TRUSTED } from "../../../src/memory/fact-rules";
import { MemoryStore } from "../../../src/memory/memory-store";
import { checkSchemaSubset } from "../../../src/core/agent/json-schema";
import type { FactRecord, MemoryProvenance } from "../../../src/store/memory-record";
import { scriptedStream, type ScriptStep, type ScriptedStream } from "../agent/scripted-stream";
import { FreshDatabase } from "../store/fresh-database";

const ZONE = "Europe/Berlin";
const NOW = Date.parse("2026-11-24T02:00:00Z");
const HOUR = 3_600_000;
const mail: MemoryProvenance = { trust: "untrusted", sources: ["gmail:18f0c"] };

let fresh: FreshDatabase;
let memory: MemoryStore;
let counter = 0;
const newId = (): string => `id-${++counter}`;

beforeEach(async () => {
  counter = 0;
  fresh = new FreshDatabase();
  memory = new MemoryStore(await fresh.open(), newId);
});

afterEach(async () => {
  await fresh.dispose();
});

/** A TEST DOUBLE engine answering from a script; it is not a model. */
function engineWith(steps: readonly ScriptStep[]): { engine: ChatEngine; script: ScriptedStream } {
  const script = scriptedStream(steps);
  return {
    script,
    engine: {
      loadedModelId: "test-model",
      stream: script.stream,
      load: () => Promise.resolve(),
      unload: () => Promise.resolve(),
    },
  };
}

/**
 * `count` facts, F1 first in the prompt (all of importance 3, F1 the most recently changed), and two
 * notes: N1 the user's own words, N2 copied from a mail.
 */
async function seed(count = 5): Promise<FactRecord[]> {
  for (let n = 1; n <= count; n += 1) {
    await memory.applyRevision(
      {
        origin: "import",
        summary: "seed",
        operations: [
          {
            op: "add",
            id: `fact-${n}`,
            fact: { text: `Fact number ${n}`, origin: "import", source: "MEMORY.md", provenance: TRUSTED },
          },
        ],
      },
      NOW - 48 * HOUR - n * 60_000,
    );
  }
  await memory.addNote(
    { text: "Decided to learn Portuguese", at: NOW - 5 * HOUR, origin: "chat", provenance: TRUSTED },
    ZONE,
  );
  await memory.addNote(
    { text: "Mail: the dentist moved the appointment to Friday", at: NOW - 4 * HOUR, origin: "chat", provenance: mail },
    ZONE,
  );
  return memory.listFacts();
}

function dream(engine: ChatEngine | undefined, extra: Partial<DreamRunOptions> = {}) {
  return runDream({
    engine,
    db: fresh.db,
    request: { timeZone: ZONE, trigger: "manual" },
    now: () => NOW,
    newId,
    ...extra,
  });
}

const proposal = (operations: unknown[]): ScriptStep => ({ text: JSON.stringify({ operations }) });

describe("a dreaming run", () => {
  it("applies a valid proposal as one revision, which undo reverses exactly", async () => {
    // Eight facts: a run may retire two (the merge's second fact and F5).
    const before = await seed(8);
    const { engine, script } = engineWith([
      proposal([
        { op: "add", text: "Is learning Portuguese", importance: 4, evidence: ["N1"] },
        { op: "update", facts: ["F1"], text: "Fact number 1, now sharper", evidence: ["N1"] },
        { op: "merge", facts: ["F2", "F3"], text: "Facts two and three together", importance: 3, evidence: ["N1"] },
        { op: "retire", facts: ["F5"], reason: "No longer true" },
      ]),
    ]);
    const entry = await dream(engine);

    expect(entry.status).toBe("applied");
    expect(entry.message).toBe("Applied: Added 1, Updated 1, Merged 1, Retired 1.");
    expect(entry.merges).toEqual([{ into: "fact-2", from: ["fact-3"] }]);
    expect(entry.notesRead).toBe(2);
    expect(entry.tokens).toBeGreaterThan(0);
    expect(script.requests).toHaveLength(1);
    const request = script.requests[0];
    expect(request?.responseFormat?.type).toBe("json_object");
    expect(request?.maxTokens).toBeGreaterThan(0);
    // The mail's note is fenced as data in the prompt; the user's own is not.
    const prompt = request?.messages.at(-1)?.content ?? "";
    expect(prompt).toContain('<untrusted source="gmail:18f0c">\nMail: the dentist');
    expect(prompt).toMatch(/N1 \([^)]*\): Decided to learn Portuguese/);

    const revisions = await memory.listRevisions();
    expect(revisions).toHaveLength(9);
    const revision = revisions[0];
    expect(revision).toMatchObject({ origin: "dreaming", summary: "Dreaming for 2026-11-24", id: entry.revisionId });
    const texts = (await memory.listFacts()).map((fact) => fact.text).sort();
    expect(texts).toEqual(
      [
        "Fact number 1, now sharper",
        "Facts two and three together",
        "Fact number 4",
        "Fact number 6",
        "Fact number 7",
        "Fact number 8",
        "Is learning Portuguese",
      ].sort(),
    );
    expect((await readJournal(fresh.db))[0]).toEqual(entry);

    expect((await memory.undoRevision(entry.revisionId ?? "", NOW + 1)).ok).toBe(true);
    expect(await memory.listFacts()).toEqual(before);
  });

  it("refuses a proposal retiring 60% of the facts whole: nothing changes, the journal says why", async () => {
    const before = await seed();
    const { engine } = engineWith([
      proposal([
        { op: "add", text: "Is learning Portuguese", importance: 4, evidence: ["N1"] },
        { op: "retire", facts: ["F1"], reason: "old" },
        { op: "retire", facts: ["F2"], reason: "old" },
        { op: "retire", facts: ["F3"], reason: "old" },
      ]),
    ]);
    const entry = await dream(engine);
    expect(entry.status).toBe("refused");
    expect(entry.reasons[0]).toContain("would retire 3 of 5 facts (60%)");
    expect(entry.revisionId).toBeUndefined();
    expect(await memory.listFacts()).toEqual(before);
    expect(await memory.listRevisions()).toHaveLength(5);
  });

  it("marks a fact drawn from an untrusted note as untrusted, naming the source", async () => {
    await seed();
    const { engine } = engineWith([
      proposal([{ op: "add", text: "Dentist appointment on Friday", importance: 3, evidence: ["N2"] }]),
    ]);
    const entry = await dream(engine);
    expect(entry.status).toBe("applied");
    const added = (await memory.listFacts()).find((fact) => fact.text === "Dentist appointment on Friday");
    expect(added).toMatchObject({ origin: "dreaming", source: "dream:2026-11-24", provenance: mail });
    expect(entry.notes.join(" ")).toContain("Marked untrusted: drawn from gmail:18f0c");
  });

  it("with no new notes, asks no model and spends no tokens (even with no model loaded)", async () => {
    const { engine, script } = engineWith([]);
    const entry = await dream(engine);
    expect(entry).toMatchObject({ status: "nothing_new", tokens: 0, notesRead: 0 });
    expect(script.requests).toHaveLength(0);
    expect(await fresh.db.count("usage")).toBe(0);
    expect((await dream(undefined)).status).toBe("nothing_new");
  });

  it("reads only notes after the last run, and charges the dreaming budget", async () => {
    await seed();
    const { engine, script } = engineWith([proposal([]), proposal([])]);
    const first = await dream(engine);
    expect(first).toMatchObject({ status: "nothing_new", message: "The model proposed no change.", notesRead: 2 });
    const usage = await fresh.db.getAll("usage");
    expect(usage.map((record) => record.routine)).toEqual([DREAMING_ROUTINE]);
    // Nothing written since: the next run reads nothing and calls nothing.
    expect((await dream(engine, { now: () => NOW + HOUR })).status).toBe("nothing_new");
    expect(script.requests).toHaveLength(1);
    await memory.addNote({ text: "Bought a bike", at: NOW + 2 * HOUR, origin: "chat", provenance: TRUSTED }, ZONE);
    const third = await dream(engine, { now: () => NOW + 3 * HOUR });
    expect(third.notesRead).toBe(1);
    expect(script.requests[1]?.messages.at(-1)?.content).toContain("N1 (2026-11-24 05:00): Bought a bike");
  });

  it("stops before the model when the dreaming budget is spent", async () => {
    await seed();
    await fresh.db.put(
      "settings",
      { totalPerDay: 200_000, chatPerDay: 150_000, routinePerDay: 20_000, perRoutine: { dreaming: 0 } },
      "budgetLimits",
    );
    const { engine, script } = engineWith([proposal([])]);
    const entry = await dream(engine);
    expect(entry.status).toBe("failed");
    expect(entry.reasons[0]).toMatch(/budget/i);
    expect(script.requests).toHaveLength(0);
  });

  it("an answer that is not JSON fails the run and changes nothing", async () => {
    const before = await seed();
    const { engine } = engineWith([{ text: "Sure! Here are some ideas" }]);
    const entry = await dream(engine);
    expect(entry).toMatchObject({ status: "failed", reasons: ["The model's answer was not valid JSON."] });
    expect(await memory.listFacts()).toEqual(before);
  });

  it("a tab closed mid-run leaves the old facts, and the journal later says the run was interrupted", async () => {
    const before = await seed();
    const { engine } = engineWith([proposal([{ op: "retire", facts: ["F1"], reason: "old" }])]);
    // The tab closes as the run starts applying: the connection goes, the revision's transaction cannot run.
    const outcome = await dream(engine, {
      onProgress: (progress) => {
        if (progress.stage === "applying") fresh.db.close();
      },
    }).catch((error: unknown) => error);
    expect(outcome).toBeInstanceOf(Error);
    const db = await fresh.reopen();
    expect(await new MemoryStore(db).listFacts()).toEqual(before);
    expect((await readJournal(db))[0]?.status).toBe("running");
    // The next run (ten minutes on) resolves the entry, and reads the same notes again.
    const next = engineWith([proposal([])]);
    const entry = await dream(next.engine, { now: () => NOW + HOUR });
    const journal = await readJournal(db);
    expect(journal.map((item) => item.status)).toEqual(["nothing_new", "interrupted"]);
    expect(entry.notesRead).toBe(2);
  });

  it("a tab closed right after the revision committed: the facts are all new and the journal finds the revision", async () => {
    await seed();
    const { engine } = engineWith([proposal([{ op: "retire", facts: ["F1"], reason: "old" }])]);
    const entry = await dream(engine);
    await writeJournalEntry(fresh.db, { ...entry, status: "running", revisionId: undefined, readThrough: undefined });
    const db = await fresh.reopen();
    expect((await new MemoryStore(db).listFacts()).map((fact) => fact.id)).not.toContain("fact-1");
    await dream(engineWith([proposal([])]).engine, { now: () => NOW + HOUR });
    const resolved = (await readJournal(db)).find((item) => item.id === entry.id);
    expect(resolved).toMatchObject({ status: "applied", revisionId: entry.revisionId });
  });

  it("builds a schema inside the subset xgrammar honours, constraining ids to the ones shown", async () => {
    await seed();
    const { engine, script } = engineWith([proposal([])]);
    await dream(engine);
    const schema = JSON.parse(script.requests[0]?.responseFormat?.schema ?? "{}") as unknown;
    expect(checkSchemaSubset(schema)).toEqual([]);
    expect(JSON.stringify(schema)).toContain('"enum":["F1","F2","F3","F4","F5"]');
    expect(dreamSchema({ facts: [], notes: [], notesLeft: 0 }).properties.operations).toBeDefined();
  });
});
