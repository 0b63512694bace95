import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmbeddingEngine, EmbeddingPurpose } from "../../../src/engine/embedding-engine";
import { TRUSTED } from "../../../src/memory/fact-rules";
import { MemorySearchService } from "../../../src/memory/memory-search-service";
import { MemoryStore } from "../../../src/memory/memory-store";
import { openDatabase } from "../../../src/store/database";
import { conceptVector } from "../../fakes/concept-vectors";
import { FreshDatabase } from "../store/fresh-database";

/** An embedding engine from the scripted engine's concept table, counting what it was asked. */
class ConceptEmbedder implements EmbeddingEngine {
  loadedEmbeddingModelId: string | undefined = "snowflake-arctic-embed-s-q0f32-MLC-b4";
  readonly documents: string[] = [];
  readonly queries: string[] = [];

  embed(texts: readonly string[], purpose: EmbeddingPurpose = "document"): Promise<Float32Array[]> {
    (purpose === "query" ? this.queries : this.documents).push(...texts);
    return Promise.resolve(texts.map((text) => conceptVector(text)));
  }
}

let fresh: FreshDatabase;
let store: MemoryStore;
let service: MemorySearchService;
let embedder: ConceptEmbedder | undefined;

const NOW = Date.UTC(2026, 10, 24, 9, 0);

beforeEach(async () => {
  fresh = new FreshDatabase();
  store = new MemoryStore(await fresh.open());
  embedder = new ConceptEmbedder();
  service = new MemorySearchService(() => openDatabase(fresh.name), { embedder: () => embedder });
});

afterEach(async () => {
  service.close();
  await fresh.dispose();
});

async function save(text: string): Promise<string> {
  const { fact } = await store.saveFact({ text, origin: "user", source: "test", provenance: TRUSTED }, NOW);
  service.invalidate();
  return fact.id;
}

describe("MemorySearchService with an embedding model", () => {
  it("finds a paraphrase that keyword search misses, and says the search was hybrid", async () => {
    const car = await save("My car is a red Volvo");
    await save("Prefers green tea in the morning");
    await service.embedMissing();

    const hybrid = await service.search("automobile", 5, NOW);
    expect(hybrid.mode).toBe("hybrid");
    expect(hybrid.hits.map((hit) => hit.ref)).toEqual([`fact:${car}`]);

    embedder = undefined;
    const keyword = await service.search("automobile", 5, NOW);
    expect(keyword).toEqual({ mode: "keyword", hits: [] });
  });

  it("computes a missing vector once, stores it with the model's name, and again after the text changes", async () => {
    const id = await save("My car is a red Volvo");
    await service.embedMissing();
    expect(embedder?.documents).toEqual(["My car is a red Volvo"]);
    const stored = await store.getFact(id);
    expect(stored?.embedding?.model).toBe("snowflake-arctic-embed-s-q0f32-MLC-b4");
    expect(stored?.embedding?.vector).toBeInstanceOf(Float32Array);

    // Searching and embedding again compute nothing new.
    await service.search("automobile", 5, NOW);
    await service.embedMissing();
    expect(embedder?.documents).toEqual(["My car is a red Volvo"]);
    expect(embedder?.queries).toEqual(["automobile"]);

    await store.editFact(id, { text: "My automobile is a blue Saab" }, "user", NOW + 1000);
    service.invalidate();
    await service.embedMissing();
    expect(embedder?.documents).toEqual(["My car is a red Volvo", "My automobile is a blue Saab"]);
    expect((await store.getFact(id))?.embedding?.model).toBe("snowflake-arctic-embed-s-q0f32-MLC-b4");
    const found = await service.search("vehicle", 5, NOW + 2000);
    expect(found.mode).toBe("hybrid");
    expect(found.hits[0]?.text).toBe("My automobile is a blue Saab");
  });

  it("does not store a vector for a fact that changed while it was embedded", async () => {
    const id = await save("My car is a red Volvo");
    const slow = embedder;
    if (!slow) throw new Error("no embedder");
    const embed = slow.embed.bind(slow);
    slow.embed = async (texts, purpose) => {
      const vectors = await embed(texts, purpose);
      if (purpose === "document") await store.editFact(id, { text: "Sold the car" }, "user", NOW + 5);
      return vectors;
    };
    await service.embedMissing();
    expect((await store.getFact(id))?.embedding).toBeUndefined();
  });

  it("redoes the vectors of another model and never compares them with the loaded one's", async () => {
    const id = await save("My car is a red Volvo");
    await service.embedMissing();
    if (!embedder) throw new Error("no embedder");
    embedder.loadedEmbeddingModelId = "snowflake-arctic-embed-s-q0f32-MLC-b32";
    const result = await service.search("automobile", 5, NOW);
    // The fact's vector is the other model's: only keywords count until it is redone.
    expect(result.hits).toEqual([]);
    await service.embedMissing();
    expect((await store.getFact(id))?.embedding?.model).toBe("snowflake-arctic-embed-s-q0f32-MLC-b32");
    expect((await service.search("automobile", 5, NOW)).hits.map((hit) => hit.ref)).toEqual([`fact:${id}`]);
  });

  it("waits while an answer is being written", async () => {
    let busy = true;
    service.close();
    service = new MemorySearchService(() => openDatabase(fresh.name), {
      embedder: () => embedder,
      busy: () => busy,
      busyPollMs: 5,
    });
    const id = await save("My car is a red Volvo");
    const done = service.embedMissing();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(embedder?.documents).toEqual([]);
    busy = false;
    await done;
    expect((await store.getFact(id))?.embedding).toBeDefined();
  });
});

describe("MemorySearchService without an embedding model", () => {
  it("is keyword-only and computes no vectors", async () => {
    embedder = undefined;
    const id = await save("My car is a red Volvo");
    await service.embedMissing();
    const result = await service.search("car", 5, NOW);
    expect(result).toMatchObject({ mode: "keyword", hits: [{ ref: `fact:${id}` }] });
    expect((await store.getFact(id))?.embedding).toBeUndefined();
  });
});
