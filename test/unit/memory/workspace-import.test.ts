import { strToU8, unzipSync, zipSync } from "fflate";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MemoryController, type MemoryChangePort } from "../../../src/app/memory-controller";
import { TRUSTED } from "../../../src/memory/fact-rules";
import { MemoryStore } from "../../../src/memory/memory-store";
import { unzipWorkspace } from "../../../src/memory/workspace-archive";
import type { FactRecord } from "../../../src/store/memory-record";
import { FreshDatabase } from "../store/fresh-database";

const ZONE = "Asia/Tokyo";
const mail = { trust: "untrusted" as const, sources: ["gmail:1890ab"] };

let databases: FreshDatabase[] = [];
let clock = 1_000;

async function freshMemory(): Promise<{ store: MemoryStore; controller: MemoryController; announced: () => number }> {
  const database = new FreshDatabase();
  databases.push(database);
  const store = new MemoryStore(await database.open());
  let announced = 0;
  const changes: MemoryChangePort = { listen: () => () => undefined, announce: () => void (announced += 1) };
  const controller = new MemoryController(store, { now: () => clock, timeZone: ZONE, changes });
  await controller.refresh();
  return { store, controller, announced: () => announced };
}

beforeEach(() => {
  databases = [];
  clock = 1_000;
});

afterEach(async () => {
  for (const database of databases) await database.dispose();
});

/** Facts, notes and a profile as the agent, dreaming and the user leave them. */
async function seed(store: MemoryStore): Promise<void> {
  await store.applyRevision(
    {
      origin: "chat",
      summary: "seed",
      operations: [
        {
          op: "add",
          id: "tea",
          fact: { text: "Prefers tea", origin: "chat", source: "conversation:1", provenance: TRUSTED },
        },
        {
          op: "add",
          id: "flight",
          fact: {
            text: "Flight moved to Saturday --> <b>",
            origin: "dreaming",
            source: "dream:7",
            provenance: mail,
            importance: 5,
          },
        },
        {
          op: "add",
          id: "porto",
          fact: {
            text: "Lives in Porto 🇵🇹 *café*",
            origin: "user",
            source: "memory view",
            provenance: TRUSTED,
            pinned: true,
            importance: 4,
          },
        },
      ],
    },
    500,
  );
  await store.markRecalled(["tea"], 700);
  await store.setEmbedding("tea", { model: "arctic", vector: new Float32Array([0.5, 0.5]) }, 500);
  await store.addNote(
    { text: "Ana wrote:\n> the flight moved", at: Date.UTC(2026, 4, 1, 3), origin: "chat", provenance: mail },
    ZONE,
  );
  await store.addNote(
    { text: "Talked about tea", at: Date.UTC(2026, 4, 2, 1), origin: "chat", provenance: TRUSTED },
    ZONE,
  );
  await store.setProfile("# Me\n\nI like walking.\n", 600);
}

/** Embeddings are not exported: an imported fact has none until it is embedded again. */
const withoutEmbedding = (facts: FactRecord[]): Partial<FactRecord>[] =>
  facts.map((fact) => Object.fromEntries(Object.entries(fact).filter(([key]) => key !== "embedding")));

describe("export and import in the workspace layout", () => {
  it("round-trips: a zip exported from one profile imports into a fresh one as the same facts, notes and profile", async () => {
    const source = await freshMemory();
    await seed(source.store);
    const exported = await source.controller.exportWorkspace();
    if (!exported) throw new Error(source.controller.notice?.text);
    expect(exported.filename).toMatch(/^tabclaw-memory-\d{4}-\d{2}-\d{2}\.zip$/);
    expect(Object.keys(unzipSync(exported.bytes)).sort()).toEqual([
      "MEMORY.md",
      "USER.md",
      "memory/2026-05-01.md",
      "memory/2026-05-02.md",
    ]);

    const target = await freshMemory();
    clock = 9_000;
    const report = await target.controller.importZip(new Blob([exported.bytes]), exported.filename);
    expect(report.files.flatMap((file) => file.problems)).toEqual([]);
    expect(report.outcome).toMatchObject({ factsAdded: 3, factsUpdated: 0, notesWritten: 2, profileWritten: true });
    expect(withoutEmbedding(await target.store.listFacts())).toEqual(withoutEmbedding(await source.store.listFacts()));
    expect(await target.store.notesBetween("0000-01-01", "9999-12-31")).toEqual(
      await source.store.notesBetween("0000-01-01", "9999-12-31"),
    );
    expect(await target.store.getProfile()).toEqual(await source.store.getProfile());
    expect(target.announced()).toBe(1);

    // Importing the same zip again changes nothing.
    const again = await target.controller.importZip(new Blob([exported.bytes]), exported.filename);
    expect(again.outcome).toMatchObject({
      factsAdded: 0,
      factsUpdated: 0,
      notesWritten: 0,
      profileWritten: false,
      revision: undefined,
    });
    expect(again.alreadyKnown).toEqual({ facts: 3, notes: 2 });
  });

  it("applies an import as one revision that one undo takes back, and keeps a vector whose text did not change", async () => {
    const { store, controller } = await freshMemory();
    await seed(store);
    const before = await store.listFacts();
    const edited = (await controller.exportWorkspace())?.bytes ?? new Uint8Array();
    const files = unzipSync(edited);
    const memory = new TextDecoder().decode(files["MEMORY.md"]);
    files["MEMORY.md"] = strToU8(
      `${memory.replace("- Prefers tea <", "- Prefers green tea <")}\n- A new hand-written fact\n`,
    );
    clock = 2_000;
    const report = await controller.importZip(new Blob([zipSync(files)]), "edited.zip");
    expect(report.outcome).toMatchObject({ factsAdded: 1, factsUpdated: 1, factsUnchanged: 0 });
    expect(controller.notice?.revisionId).toBe(report.outcome?.revision?.id);
    expect((await store.listRevisions(1))[0]?.changes).toHaveLength(2);
    const facts = await store.listFacts();
    expect(facts.find((fact) => fact.id === "tea")?.text).toBe("Prefers green tea");
    expect(facts.find((fact) => fact.id === "tea")?.embedding).toBeUndefined();
    expect(facts.find((fact) => fact.id === "flight")).toEqual(before.find((fact) => fact.id === "flight"));
    expect(facts.find((fact) => fact.text === "A new hand-written fact")).toMatchObject({
      origin: "import",
      source: "MEMORY.md",
      provenance: TRUSTED,
      importance: 3,
      pinned: false,
      created: 2_000,
    });

    await controller.undo(report.outcome?.revision?.id ?? "");
    expect(controller.notice?.kind).toBe("done");
    expect(await store.listFacts()).toEqual(before);
  });

  it("reads a hand-written workspace folder and reports what it could not read, without stopping", async () => {
    const { store, controller } = await freshMemory();
    const text = (value: string) => strToU8(value);
    const report = await controller.importFiles(
      [
        {
          path: "work/MEMORY.md",
          bytes: text("# Facts\n\n- Likes jazz\n- Broken <!-- tabclaw: {oops -->\n\nSpeaks Portuguese.\n"),
        },
        { path: "work/memory/2026-05-01.md", bytes: text("- 09:00 Standup\n- Lunch with Rui\n") },
        { path: "work/memory/2026-05-02.md", bytes: new Uint8Array([0xff, 0xfe, 0x00, 0xd8]) },
        { path: "work/memory/notes.md", bytes: text("- not a day") },
        { path: "work/AGENTS.md", bytes: text("# Agents") },
        { path: "work/USER.md", bytes: text("I am Ana.") },
        { path: "work/.DS_Store", bytes: text("junk") },
      ],
      "work",
    );
    const byPath = new Map(report.files.map((file) => [file.path, file]));
    expect([...byPath.keys()].sort()).toEqual([
      "work/AGENTS.md",
      "work/MEMORY.md",
      "work/USER.md",
      "work/memory/2026-05-01.md",
      "work/memory/2026-05-02.md",
      "work/memory/notes.md",
    ]);
    expect(byPath.get("work/MEMORY.md")).toMatchObject({
      facts: 3,
      problems: [expect.stringMatching(/^Line 4: .*untrusted/)],
    });
    expect(byPath.get("work/memory/2026-05-01.md")).toMatchObject({ notes: 2, problems: [] });
    expect(byPath.get("work/memory/2026-05-02.md")?.problems).toEqual([
      "This file is not UTF-8 text; nothing was read from it.",
    ]);
    expect(byPath.get("work/memory/notes.md")?.problems[0]).toMatch(/^Left out: /);
    expect(byPath.get("work/AGENTS.md")?.problems[0]).toMatch(/^Left out: /);
    expect(report.outcome).toMatchObject({ factsAdded: 3, notesWritten: 2, profileWritten: true });
    expect(controller.notice?.text).toMatch(/^Imported from work: 3 facts added.* 4 problems reported below\.$/);
    const facts = await store.listFacts();
    expect(facts.find((fact) => fact.text === "Broken")?.provenance).toEqual({
      trust: "untrusted",
      sources: ["import:work/MEMORY.md"],
    });
    expect((await store.getProfile())?.text).toBe("I am Ana.");
    expect((await store.notesOfDay("2026-05-01")).map((note) => note.text)).toEqual(["Standup", "Lunch with Rui"]);

    // The same hand-written files a second time add nothing.
    const again = await controller.importFiles([{ path: "MEMORY.md", bytes: text("- Likes jazz\n") }], "again");
    expect(again.outcome?.factsAdded).toBe(0);
    expect(again.alreadyKnown.facts).toBe(1);
  });

  it("reports a file that is not a zip, and a zip with nothing of a workspace in it, as errors", async () => {
    const { controller } = await freshMemory();
    const notZip = await controller.importZip(new Blob(["hello"]), "notes.txt");
    expect(notZip.outcome).toBeUndefined();
    expect(notZip.files[0]?.problems[0]).toMatch(/^This is not a zip file/);
    expect(controller.notice?.kind).toBe("error");
    const empty = await controller.importZip(new Blob([zipSync({ "photo.jpg": new Uint8Array([1]) })]), "photos.zip");
    expect(empty.outcome).toBeUndefined();
    expect(controller.notice?.text).toMatch(/^Nothing in photos\.zip is part of a memory workspace/);
  });

  it("leaves a zip's oversized entries unread and says so", () => {
    const big = new Uint8Array(10_000_001);
    const files = unzipWorkspace(zipSync({ "MEMORY.md": big, "USER.md": strToU8("me") }));
    expect(files.find((file) => file.path === "MEMORY.md")?.bytes).toBeUndefined();
    expect(files.find((file) => file.path === "USER.md")?.bytes).toEqual(strToU8("me"));
  });
});

describe("the memory controller", () => {
  it("lists pinned facts first, filters facts and notes, and every change is a revision it can undo", async () => {
    const { store, controller, announced } = await freshMemory();
    await seed(store);
    await controller.refresh();
    expect(controller.facts.map((fact) => fact.id)).toEqual(["porto", "flight", "tea"]);
    controller.setQuery("GMAIL");
    expect(controller.facts.map((fact) => fact.id)).toEqual(["flight"]);
    controller.setQuery("tea");
    expect(controller.facts.map((fact) => fact.id)).toEqual(["tea"]);
    expect(controller.notesByDay.map(({ day, notes }) => [day, notes.map((note) => note.text)])).toEqual([
      ["2026-05-02", ["Talked about tea"]],
    ]);
    controller.setQuery("");
    expect(controller.notesByDay.map(({ day }) => day)).toEqual(["2026-05-02", "2026-05-01"]);

    clock = 5_000;
    expect(await controller.editFact("tea", { text: "Prefers  green\ntea", importance: 2 })).toBe(true);
    expect((await store.getFact("tea"))?.text).toBe("Prefers green tea");
    expect(await controller.setPinned("flight", true)).toBe(true);
    expect(controller.facts.map((fact) => fact.id)).toEqual(["flight", "porto", "tea"]);
    expect(await controller.deleteFact("porto")).toBe(true);
    expect(controller.notice).toMatchObject({ kind: "done", text: "Forgot “Lives in Porto 🇵🇹 *café*”." });
    await controller.undo(controller.notice?.revisionId ?? "");
    expect((await store.getFact("porto"))?.pinned).toBe(true);
    expect(await controller.editFact("tea", { text: "   ", importance: 3 })).toBe(false);
    expect(controller.notice?.kind).toBe("error");
    expect(controller.notice?.text).toContain("A fact cannot be empty.");
    await controller.saveProfile("New profile");
    expect(controller.profile?.text).toBe("New profile");
    expect(announced()).toBe(5);
  });

  it("refreshes when another tab or the worker says memory changed", async () => {
    const database = new FreshDatabase();
    databases.push(database);
    const store = new MemoryStore(await database.open());
    let heard: (() => void) | undefined;
    const controller = new MemoryController(store, {
      timeZone: ZONE,
      changes: { listen: (onChange) => ((heard = onChange), () => undefined), announce: () => undefined },
    });
    await controller.refresh();
    expect(controller.factCount).toBe(0);
    await store.saveFact({ text: "Saved elsewhere", origin: "chat", source: "c", provenance: TRUSTED }, 1);
    heard?.();
    await expect.poll(() => controller.factCount).toBe(1);
  });
});
