import { describe, expect, it } from "vitest";
import { MemoryIndex, type IndexedDocument } from "../../../src/memory/memory-index";
import { selectDiverse } from "../../../src/memory/mmr";
import { TopK } from "../../../src/memory/top-k";
import { seededRandom } from "../../bench/memory/corpus";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 4, 1);

function doc(id: string, text: string, overrides: Partial<IndexedDocument> = {}): IndexedDocument {
  return { id, text, importance: 3, time: NOW - DAY, ...overrides };
}

/** A 4-dimensional vector, so similarities are easy to work out by hand. */
const v = (...values: number[]): number[] => values;

function ids(index: MemoryIndex, text: string, extra: { embedding?: number[]; limit?: number } = {}): string[] {
  return index.search({ text, now: NOW, ...extra }).hits.map((hit) => hit.id);
}

describe("memory search: ranking", () => {
  it("prefers the recent of two equally relevant facts, by the half-life", () => {
    const index = new MemoryIndex({ dimensions: 4 });
    index.upsert(doc("old", "Dentist appointment on Tuesday", { time: NOW - 90 * DAY }));
    index.upsert(doc("new", "Dentist appointment on Thursday", { time: NOW - 2 * DAY }));
    const { mode, hits } = index.search({ text: "dentist appointment", now: NOW });
    expect(mode).toBe("keyword");
    expect(hits.map((hit) => hit.id)).toEqual(["new", "old"]);
    // 90 days at a 30-day half-life: an eighth.
    expect(hits[1]?.recency).toBeCloseTo(0.125, 6);
    expect(hits[0]?.recency).toBeCloseTo(Math.pow(0.5, 2 / 30), 6);
  });

  it("a pinned fact does not fade, and the half-life is configurable", () => {
    const pinned = new MemoryIndex({ dimensions: 4 });
    pinned.upsert(doc("old", "Dentist appointment on Tuesday", { time: NOW - 90 * DAY, pinned: true }));
    pinned.upsert(doc("new", "Dentist appointment on Thursday", { time: NOW - 2 * DAY }));
    expect(ids(pinned, "dentist appointment")).toEqual(["old", "new"]);

    const slow = new MemoryIndex({ dimensions: 4, scoring: { halfLifeDays: 3650 } });
    slow.upsert(doc("old", "Dentist appointment in Porto", { time: NOW - 90 * DAY }));
    slow.upsert(doc("new", "Dentist appointment", { time: NOW - 2 * DAY }));
    // Nearly no decay: the better keyword match (more query words) wins despite its age.
    expect(ids(slow, "dentist appointment porto")).toEqual(["old", "new"]);
  });

  it("weighs importance: the important of two equal facts comes first", () => {
    const index = new MemoryIndex({ dimensions: 4 });
    index.upsert(doc("minor", "Lunch with Rita at the harbour", { importance: 1 }));
    index.upsert(doc("major", "Lunch with Rita about the contract", { importance: 5 }));
    const hits = index.search({ text: "lunch rita", now: NOW }).hits;
    expect(hits.map((hit) => hit.id)).toEqual(["major", "minor"]);
    expect(hits[0]?.importance).toBe(1.5);
    expect(hits[1]?.importance).toBe(0.5);
  });

  it("spreads near-duplicates: MMR lets a different fact through", () => {
    const corpus = [
      doc("d1", "Weekly standup is at 9:30 in room Orion"),
      doc("d2", "Weekly standup is at 9:30 in room Orion."),
      doc("d3", "The weekly standup is at 9:30, room Orion"),
      doc("other", "Weekly standup notes go to the team wiki"),
    ];
    const diverse = new MemoryIndex({ dimensions: 4 });
    const plain = new MemoryIndex({ dimensions: 4, scoring: { mmrLambda: 1 } });
    for (const item of corpus) {
      diverse.upsert(item);
      plain.upsert(item);
    }
    const query = "weekly standup orion";
    expect(ids(plain, query, { limit: 2 })).not.toContain("other");
    const picked = ids(diverse, query, { limit: 2 });
    expect(picked).toHaveLength(2);
    expect(picked).toContain("other");
    expect(["d1", "d2", "d3"]).toContain(picked[0]);
  });

  it("spreads near-duplicate vectors too", () => {
    const index = new MemoryIndex({ dimensions: 4 });
    index.upsert(doc("a", "alpha", { embedding: v(1, 0.1, 0, 0) }));
    index.upsert(doc("a2", "alpha again", { embedding: v(1, 0.09, 0, 0) }));
    index.upsert(doc("b", "beta", { embedding: v(0, 1, 0, 0) }));
    // a and a2 are the two most similar to the query, but b is as relevant and says something else.
    expect(ids(index, "zzz", { embedding: v(1, 1, 0, 0), limit: 2 })).toEqual(["a", "b"]);
    expect(ids(index, "zzz", { embedding: v(1, 1, 0, 0), limit: 3 })).toEqual(["a", "b", "a2"]);
  });

  it("finds by vector what the keywords miss, and says which mode it used", () => {
    const index = new MemoryIndex({ dimensions: 4 });
    index.upsert(doc("car", "Automobile insurance renews in March", { embedding: v(0.9, 0.1, 0, 0) }));
    index.upsert(doc("cat", "The cat needs her vaccine", { embedding: v(0, 0, 1, 0) }));
    index.upsert(doc("plain", "Vehicle inspection booked", {}));
    const query = "when is my car cover due";
    expect(index.search({ text: query, now: NOW })).toEqual({ mode: "keyword", hits: [] });
    const hybrid = index.search({ text: query, embedding: v(1, 0, 0, 0), now: NOW });
    expect(hybrid.mode).toBe("hybrid");
    expect(hybrid.hits.map((hit) => hit.id)).toEqual(["car"]);
    expect(hybrid.hits[0]?.vector).toBeCloseTo(0.9 / Math.hypot(0.9, 0.1), 5);
    expect(hybrid.hits[0]?.keyword).toBe(0);
  });

  it("mixes keyword and vector relevance, judging documents without a vector on keywords alone", () => {
    const index = new MemoryIndex({ dimensions: 4 });
    index.upsert(doc("both", "Passport renewal form", { embedding: v(1, 0, 0, 0) }));
    index.upsert(doc("words", "Passport photo booth"));
    const hits = index.search({ text: "passport", embedding: v(0, 1, 0, 0), now: NOW }).hits;
    const both = hits.find((hit) => hit.id === "both");
    const words = hits.find((hit) => hit.id === "words");
    expect(both?.relevance).toBeCloseTo(0.5 * 0 + 0.5 * (both?.keyword ?? 0), 6);
    expect(words?.vector).toBeUndefined();
    expect(words?.relevance).toBe(words?.keyword);
  });

  it("stays keyword-only when no document has a vector yet, even if the query has one", () => {
    const index = new MemoryIndex({ dimensions: 4 });
    index.upsert(doc("a", "Book the train to Porto"));
    expect(index.search({ text: "train", embedding: v(1, 0, 0, 0), now: NOW }).mode).toBe("keyword");
  });
});

describe("memory search: incremental updates", () => {
  it("adds, replaces and removes documents one at a time", () => {
    const index = new MemoryIndex({ dimensions: 4 });
    index.upsert(doc("a", "Gym on Mondays", { embedding: v(1, 0, 0, 0) }));
    index.upsert(doc("b", "Piano lesson on Fridays"));
    expect(ids(index, "gym")).toEqual(["a"]);
    index.upsert(doc("a", "Swimming on Mondays"));
    expect(index.vectorCount).toBe(0);
    expect(ids(index, "gym")).toEqual([]);
    expect(ids(index, "swimming")).toEqual(["a"]);
    expect(index.remove("b")).toBe(true);
    expect(index.remove("b")).toBe(false);
    expect(ids(index, "piano")).toEqual([]);
    // The freed slot is reused, and the same id can come back.
    index.upsert(doc("b", "Piano lesson moved to Saturdays", { embedding: v(0, 1, 0, 0) }));
    expect(ids(index, "piano saturdays")).toEqual(["b"]);
    expect(ids(index, "zzz", { embedding: v(0, 1, 0, 0) })).toEqual(["b"]);
    expect(index.size).toBe(2);
  });

  it("rejects a vector of the wrong size and leaves the index as it was", () => {
    const index = new MemoryIndex({ dimensions: 4 });
    index.upsert(doc("a", "Gym on Mondays", { embedding: v(1, 0, 0, 0) }));
    expect(() => index.upsert(doc("a", "Changed", { embedding: [1, 0] }))).toThrow(RangeError);
    expect(() => index.upsert(doc("b", "Brand new", { embedding: [1, 0] }))).toThrow(RangeError);
    expect(ids(index, "gym")).toEqual(["a"]);
    expect(index.has("b")).toBe(false);
    expect(index.size).toBe(1);
    expect(() => index.search({ text: "gym", embedding: [1, 0], now: NOW })).toThrow(RangeError);
  });

  it("finds prefixes and small typos", () => {
    const index = new MemoryIndex({ dimensions: 4 });
    index.upsert(doc("a", "The deployment pipeline failed on staging"));
    expect(ids(index, "deploy")).toEqual(["a"]);
    expect(ids(index, "pipelne")).toEqual(["a"]);
    expect(ids(index, "the on")).toEqual([]);
  });
});

describe("memory search: large indexes", () => {
  it("finds the nearest vector through the sign-bit shortlist", () => {
    const random = seededRandom(7);
    const vector = (): number[] => Array.from({ length: 384 }, () => random() * 2 - 1);
    const index = new MemoryIndex({ exactScanLimit: 100 });
    for (let item = 0; item < 2000; item += 1) index.upsert(doc(`n${item}`, `noise ${item}`, { embedding: vector() }));
    const query = vector();
    const near = query.map((value) => value + (random() - 0.5) * 0.4);
    index.upsert(doc("target", "unrelated words", { embedding: near }));
    const { mode, hits } = index.search({ text: "zzz", embedding: query, now: NOW, limit: 3 });
    expect(mode).toBe("hybrid");
    expect(hits[0]?.id).toBe("target");
    // The shortlist is scored exactly: the reported similarity is the true cosine.
    const dot = query.reduce((sum, value, position) => sum + value * (near[position] ?? 0), 0);
    expect(hits[0]?.vector).toBeCloseTo(dot / (Math.hypot(...query) * Math.hypot(...near)), 5);
  });

  it("leaves out query words that most documents hold, once the index is large", () => {
    const index = new MemoryIndex({ dimensions: 4 });
    for (let item = 0; item < 2100; item += 1) index.upsert(doc(`c${item}`, `meeting number ${item}`));
    index.upsert(doc("rare", "meeting about the zeppelin"));
    expect(ids(index, "meeting zeppelin", { limit: 3 })).toEqual(["rare"]);
    // All words common: the rarest is kept, so the search still answers.
    expect(ids(index, "meeting", { limit: 3 })).toHaveLength(3);
  });
});

describe("memory search: building blocks", () => {
  it("keeps the k best of a stream", () => {
    const top = new TopK(3);
    [5, 1, 9, 3, 7, 9.5, 2].forEach((score, item) => top.offer(item, score));
    expect(top.sorted()).toEqual([
      { item: 5, score: 9.5 },
      { item: 2, score: 9 },
      { item: 4, score: 7 },
    ]);
    expect(top.threshold).toBe(7);
  });

  it("MMR with λ = 1 is plain ranking, and with a duplicate skips it", () => {
    const same = (a: number, b: number): number => (Math.min(a, b) === 0 && Math.max(a, b) === 1 ? 1 : 0);
    expect(selectDiverse([1, 0.9, 0.5], 2, 1, same)).toEqual([0, 1]);
    expect(selectDiverse([1, 0.9, 0.5], 2, 0.7, same)).toEqual([0, 2]);
  });
});
