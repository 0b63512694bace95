import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { memoryConnector, REVISION_REF } from "../../../src/app/memory-connector";
import type { ProposedAction } from "../../../src/core/agent/action";
import { externalContent, userMessage, type ContextItem } from "../../../src/core/agent/context-item";
import { assessTaint } from "../../../src/core/agent/taint";
import { connectorRegistry } from "../../../src/gate/connector";
import { Gate } from "../../../src/gate/gate";
import { MemorySearchService } from "../../../src/memory/memory-search-service";
import { MemoryStore } from "../../../src/memory/memory-store";
import { openDatabase } from "../../../src/store/database";
import { chatToolRegistry } from "../../../src/tools/chat-tools";
import { FreshDatabase } from "../store/fresh-database";

let fresh: FreshDatabase;
let search: MemorySearchService;
let announced: number;

beforeEach(async () => {
  fresh = new FreshDatabase();
  await fresh.open();
  // The worker's index, reading the same database through its own connections.
  search = new MemorySearchService(() => openDatabase(fresh.name));
  announced = 0;
});

afterEach(async () => {
  search.close();
  await fresh.dispose();
});

const NOW = Date.UTC(2026, 10, 24, 9, 0);
const tools = chatToolRegistry();

function action(tool: string, args: Record<string, unknown>, context: ContextItem[]): ProposedAction {
  const declared = tools.get(tool);
  if (!declared) throw new Error(`no tool ${tool}`);
  return {
    id: crypto.randomUUID(),
    tool,
    effect: declared.effect,
    ...(declared.connector !== undefined ? { connector: declared.connector } : {}),
    arguments: args,
    reason: "The user asked.",
    preview: declared.preview(args),
    taint: assessTaint(args, context),
    proposedAt: NOW,
  };
}

async function openGate() {
  const store = new MemoryStore(fresh.db);
  const gate = await Gate.open({
    db: fresh.db,
    tools,
    connectors: connectorRegistry([
      memoryConnector({
        store,
        search: (query, limit) => {
          search.invalidate();
          return search.search(query, limit, NOW);
        },
        timeZone: "UTC",
        now: () => NOW,
        announce: () => (announced += 1),
      }),
    ]),
    channel: null,
    now: () => NOW,
  });
  return { gate, store };
}

describe("the memory connector behind the Gate", () => {
  it("saves what the user said without asking, as a trusted fact, and the save can be undone", async () => {
    const { gate, store } = await openGate();
    const fact = "My sister Ana lives in Lisbon.";
    const outcome = await gate.propose(action("memory_save", { fact, importance: 4 }, [userMessage(fact)]));
    expect(outcome.status).toBe("executed");
    const [saved] = await store.listFacts();
    expect(saved).toMatchObject({ text: fact, importance: 4, origin: "chat", provenance: { trust: "trusted" } });
    expect(announced).toBe(1);
    const record = (await gate.recent(1))[0];
    expect(record?.decidedBy).toBe("policy");
    expect(record?.result?.ref?.startsWith(REVISION_REF)).toBe(true);

    const undone = await store.undoRevision(record?.result?.ref?.slice(REVISION_REF.length) ?? "", NOW + 1);
    expect(undone.ok).toBe(true);
    expect(await store.listFacts()).toEqual([]);
  });

  it("marks a fact copied from a mail as untrusted, naming the mail, and still saves it without asking", async () => {
    const { gate, store } = await openGate();
    const mail = "Reminder: the invoice portal moved to pay-invoices.example and needs your login.";
    const context = [userMessage("Summarise my mail"), externalContent("gmail:18f0c", mail)];
    const outcome = await gate.propose(
      action("memory_save", { fact: "The invoice portal moved to pay-invoices.example" }, context),
    );
    expect(outcome.status).toBe("executed");
    const [saved] = await store.listFacts();
    expect(saved?.provenance).toEqual({ trust: "untrusted", sources: ["gmail:18f0c"] });
  });

  it("searches the worker's index: the best match first, untrusted hits make the result untrusted, recall is noted", async () => {
    const { gate, store } = await openGate();
    const ana = await store.saveFact(
      { text: "Ana prefers tea over coffee", origin: "user", source: "test", provenance: { trust: "trusted" } },
      NOW - 1000,
    );
    await store.saveFact(
      {
        text: "The team offsite is in Porto in March",
        origin: "chat",
        source: "test",
        provenance: { trust: "untrusted", sources: ["slack:C01/1.2"] },
      },
      NOW - 1000,
    );
    const tea = await gate.propose(action("memory_search", { query: "tea" }, [userMessage("What does Ana drink?")]));
    expect(tea.status).toBe("executed");
    if (tea.status !== "executed") return;
    expect(tea.result.content).toContain(`fact:${ana.fact.id} (2026-11-24): Ana prefers tea over coffee`);
    expect(tea.result.content).toContain("keyword search: no embedding model is loaded");
    expect(tea.result.content).not.toContain("Porto");
    expect(tea.result.trusted).toBe(true);
    expect((await store.getFact(ana.fact.id))?.lastRecalled).toBe(NOW);

    const porto = await gate.propose(action("memory_search", { query: "offsite Porto" }, [userMessage("When?")]));
    expect(porto.status === "executed" && porto.result).toMatchObject({ trusted: false, source: "slack:C01/1.2" });
  });

  it("finds a fact saved after the index was built, and forgets one that was undone", async () => {
    const { store } = await openGate();
    expect((await search.search("lisbon", 5, NOW)).hits).toEqual([]);
    const saved = await store.saveFact(
      { text: "Ana lives in Lisbon", origin: "chat", source: "test", provenance: { trust: "trusted" } },
      NOW,
    );
    search.invalidate();
    expect((await search.search("lisbon", 5, NOW)).hits.map((hit) => hit.ref)).toEqual([`fact:${saved.fact.id}`]);
    await store.undoRevision(saved.revision.id, NOW + 1);
    search.invalidate();
    expect((await search.search("lisbon", 5, NOW)).hits).toEqual([]);
  });

  it("reads a fact, a day's notes and the profile by ref, and says plainly when a ref is wrong", async () => {
    const { gate, store } = await openGate();
    const { fact } = await store.saveFact(
      { text: "Ana lives in Lisbon", origin: "user", source: "test", provenance: { trust: "trusted" } },
      NOW,
    );
    await store.addNote(
      { text: "Asked about the Porto offsite", at: NOW, origin: "chat", provenance: { trust: "trusted" } },
      "UTC",
    );
    await store.setProfile("# About me\nI work on Tabclaw.", NOW);
    const get = async (ref: string) => {
      const outcome = await gate.propose(action("memory_get", { ref }, [userMessage("Look it up")]));
      return outcome.status === "executed" ? outcome.result.content : `not executed: ${outcome.status}`;
    };
    expect(await get(`fact:${fact.id}`)).toBe(`fact:${fact.id} (importance 3, 2026-11-24): Ana lives in Lisbon`);
    expect(await get("day:2026-11-24")).toBe("Notes of 2026-11-24:\n- Asked about the Porto offsite");
    expect(await get("profile")).toBe("# About me\nI work on Tabclaw.");
    expect(await get("fact:missing")).toBe("There is no fact:missing; it may have been deleted or undone.");
    expect(await get("yesterday")).toBe('"yesterday" is not a memory ref (fact:<id>, day:YYYY-MM-DD or profile).');
  });
});
