import { EMBEDDING_DIMENSIONS, type IndexedDocument } from "../../../src/memory/memory-index";

/** mulberry32: a small seeded generator, so every run searches the same corpus. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const SYLLABLES = "ka lo mi ne ru sa ti vo be da fe gi ho ju ke la mo nu pa re si to va we xi yo ze".split(" ");

/**
 * Made-up words drawn with Zipf's law (the k-th commonest word appears about 1/k as often), as
 * in real text: a few words are everywhere, most are rare. The shape is what loads a keyword index.
 */
export class SyntheticText {
  readonly #words: string[];
  readonly #cumulative: Float64Array;
  readonly #random: () => number;

  constructor(random: () => number, vocabulary = 20_000) {
    this.#random = random;
    const words = new Set<string>();
    while (words.size < vocabulary) {
      const length = 2 + Math.floor(random() * 3);
      let word = "";
      for (let index = 0; index < length; index += 1) word += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
      words.add(word);
    }
    this.#words = [...words];
    this.#cumulative = new Float64Array(vocabulary);
    let total = 0;
    for (let rank = 0; rank < vocabulary; rank += 1) {
      total += 1 / (rank + 1);
      this.#cumulative[rank] = total;
    }
    for (let rank = 0; rank < vocabulary; rank += 1) this.#cumulative[rank] = (this.#cumulative[rank] ?? 0) / total;
  }

  word(): string {
    const target = this.#random();
    let low = 0;
    let high = this.#cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((this.#cumulative[middle] ?? 1) < target) low = middle + 1;
      else high = middle;
    }
    return this.#words[low] ?? "";
  }

  /** `min` to `max` words. */
  sentence(min: number, max: number): string {
    const count = min + Math.floor(this.#random() * (max - min + 1));
    return Array.from({ length: count }, () => this.word()).join(" ");
  }
}

/** A random direction in 384 dimensions (uniform components; the index normalises it). */
export function randomVector(random: () => number, dimensions = EMBEDDING_DIMENSIONS): Float32Array {
  const vector = new Float32Array(dimensions);
  for (let index = 0; index < dimensions; index += 1) vector[index] = random() * 2 - 1;
  return vector;
}

const DAY = 86_400_000;

/**
 * `count` memory chunks of 30–80 words (a fact or a paragraph of a daily note, up to about 500
 * characters), each with a vector, an importance and a time within the last year.
 */
export function* syntheticChunks(count: number, seed: number, now: number): Generator<IndexedDocument> {
  const random = seededRandom(seed);
  const text = new SyntheticText(seededRandom(seed ^ 0x5eed));
  for (let index = 0; index < count; index += 1) {
    yield {
      id: `chunk:${index}`,
      text: text.sentence(30, 80),
      importance: 1 + Math.floor(random() * 5),
      time: now - Math.floor(random() * 365 * DAY),
      embedding: randomVector(random),
    };
  }
}

/** Queries of 2–4 words from the same vocabulary, each with its own vector. */
export function syntheticQueries(count: number, seed: number): { text: string; embedding: Float32Array }[] {
  const random = seededRandom(seed);
  const text = new SyntheticText(seededRandom(seed ^ 0x5eed));
  return Array.from({ length: count }, () => ({ text: text.sentence(2, 4), embedding: randomVector(random) }));
}
