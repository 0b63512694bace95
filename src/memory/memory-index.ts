import { KeywordIndex, termsOf } from "./keyword-index";
import { selectDiverse, termOverlap } from "./mmr";
import {
  DEFAULT_SCORING,
  importanceFactor,
  maxImportanceFactor,
  mixRelevance,
  recencyFactor,
  type ScoringOptions,
} from "./search-scoring";
import { TopK } from "./top-k";
import { unitVector, VectorSlab } from "./vector-slab";

/** snowflake-arctic-embed-s and -xs both give 384 dimensions. */
export const EMBEDDING_DIMENSIONS = 384;

/** How many times the MMR candidates the sign-bit stage keeps for exact scoring. */
export const SHORTLIST_FACTOR = 16;
export const MIN_SHORTLIST = 512;

/** Something searchable: a fact, or a chunk of a day's notes. */
export interface IndexedDocument {
  /** The caller's reference, e.g. `fact:<id>` or `note:<id>`. */
  id: string;
  text: string;
  /** 1–5. */
  importance: number;
  /** When its content last changed; recency counts from here. */
  time: number;
  pinned?: boolean;
  /** Precomputed by the embedding model; any scale (it is normalised). */
  embedding?: ArrayLike<number>;
}

export interface SearchRequest {
  text: string;
  /** The query's vector from the same model as the documents'; without it, keyword-only. */
  embedding?: ArrayLike<number>;
  /** Hits wanted; 5 if not given. */
  limit?: number;
  now: number;
}

export interface SearchHit {
  id: string;
  score: number;
  relevance: number;
  /** BM25 relative to the query's best keyword match, 0–1. */
  keyword: number;
  /** Cosine similarity, in hybrid mode for documents with a vector. */
  vector?: number;
  recency: number;
  importance: number;
}

export interface SearchResponse {
  /** `keyword` when the query had no vector or no document has one yet: say so to the user. */
  mode: "keyword" | "hybrid";
  hits: SearchHit[];
}

export interface MemoryIndexOptions {
  dimensions?: number;
  scoring?: Partial<ScoringOptions>;
  /** A document that matches no keyword needs at least this relevance (from its vector) to be returned. */
  minRelevance?: number;
  /**
   * Up to this many documents every vector product is exact; above it, sign bits pick a shortlist
   * (`SHORTLIST_FACTOR` × the candidates, at least `MIN_SHORTLIST`) that is then scored exactly.
   */
  exactScanLimit?: number;
}

/**
 * Hybrid memory search, pure and synchronous so it can live in the agent worker: MiniSearch for
 * keywords, a brute-force scan of one contiguous vector buffer for similarity, relevance ×
 * recency × importance for the score (see `search-scoring.ts`), a top-k heap instead of a sort,
 * and MMR over the best few for diversity. Documents are added, replaced and removed one by one.
 */
export class MemoryIndex {
  readonly #keyword = new KeywordIndex();
  readonly #vectors: VectorSlab;
  readonly #scoring: ScoringOptions;
  readonly #minRelevance: number;
  readonly #slotOf = new Map<string, number>();
  readonly #ids: (string | undefined)[] = [];
  readonly #texts: string[] = [];
  readonly #times: number[] = [];
  readonly #importance: number[] = [];
  readonly #pinned: boolean[] = [];
  readonly #free: number[] = [];
  readonly #exactScanLimit: number;
  /** cos(π·d/dimensions): the angle a Hamming distance d between sign patterns stands for. */
  readonly #cosineOfDistance: Float64Array;
  #keywordScratch = new Float32Array(0);
  #vectorScratch = new Float32Array(0);
  #distances = new Uint16Array(0);

  constructor(options: MemoryIndexOptions = {}) {
    this.#vectors = new VectorSlab(options.dimensions ?? EMBEDDING_DIMENSIONS);
    this.#scoring = { ...DEFAULT_SCORING, ...options.scoring };
    this.#minRelevance = options.minRelevance ?? 0.05;
    this.#exactScanLimit = options.exactScanLimit ?? 4096;
    const dimensions = this.#vectors.dimensions;
    this.#cosineOfDistance = Float64Array.from({ length: dimensions + 1 }, (_, d) =>
      Math.cos((Math.PI * d) / dimensions),
    );
  }

  get size(): number {
    return this.#slotOf.size;
  }

  /** Documents that have a vector. */
  get vectorCount(): number {
    return this.#vectors.count;
  }

  has(id: string): boolean {
    return this.#slotOf.has(id);
  }

  /** Adds a document, or replaces the one with the same id (text, vector and weights alike). */
  upsert(document: IndexedDocument): void {
    const dimensions = this.#vectors.dimensions;
    // Checked before anything changes, so a bad vector leaves the index as it was.
    if (document.embedding && document.embedding.length !== dimensions) {
      throw new RangeError(`Expected a ${dimensions}-dimensional vector, got ${document.embedding.length}.`);
    }
    let slot = this.#slotOf.get(document.id);
    if (slot === undefined) {
      slot = this.#free.pop() ?? this.#ids.length;
      this.#slotOf.set(document.id, slot);
    }
    if (document.embedding) this.#vectors.set(slot, document.embedding);
    else this.#vectors.clear(slot);
    this.#keyword.upsert(document.id, document.text);
    this.#ids[slot] = document.id;
    this.#texts[slot] = document.text;
    this.#times[slot] = document.time;
    this.#importance[slot] = document.importance;
    this.#pinned[slot] = document.pinned ?? false;
  }

  remove(id: string): boolean {
    const slot = this.#slotOf.get(id);
    if (slot === undefined) return false;
    this.#keyword.remove(id);
    this.#vectors.clear(slot);
    this.#slotOf.delete(id);
    this.#ids[slot] = undefined;
    this.#texts[slot] = "";
    this.#free.push(slot);
    return true;
  }

  search(request: SearchRequest): SearchResponse {
    const limit = Math.max(1, Math.floor(request.limit ?? 5));
    const slots = this.#ids.length;
    const { halfLifeDays, vectorWeight, importanceWeight, mmrLambda, candidateFactor } = this.#scoring;
    const query = request.embedding !== undefined && this.#vectors.count > 0 ? request.embedding : undefined;
    if (query && query.length !== this.#vectors.dimensions) {
      throw new RangeError(`The query vector has ${query.length} dimensions, not ${this.#vectors.dimensions}.`);
    }
    const hybrid = query !== undefined;
    const keywordScores = this.#scratch("keyword", slots);
    const vectorScores = this.#scratch("vector", slots);

    const matches = this.#keyword.search(request.text);
    const bestKeyword = matches[0]?.score ?? 0;
    const matched: number[] = [];
    for (const match of matches) {
      const slot = this.#slotOf.get(match.id);
      if (slot === undefined) continue;
      keywordScores[slot] = bestKeyword > 0 ? match.score / bestKeyword : 0;
      matched.push(slot);
    }

    const ceiling = maxImportanceFactor(importanceWeight);
    /** The slot's score, or −1 when it cannot be returned or cannot beat `threshold`. */
    const scoreOf = (slot: number, vector: number | undefined, threshold: number): number => {
      if (this.#ids[slot] === undefined) return -1;
      const keyword = keywordScores[slot] ?? 0;
      const relevance = mixRelevance(keyword, vector, vectorWeight);
      // Any keyword match counts; a vector alone must be reasonably close.
      if (relevance <= 0 || (keyword === 0 && relevance < this.#minRelevance)) return -1;
      // Recency and importance scale relevance by `ceiling` at most: skip the hopeless early.
      if (relevance * ceiling <= threshold) return -1;
      return (
        relevance *
        recencyFactor(this.#times[slot] ?? 0, request.now, halfLifeDays, this.#pinned[slot] ?? false) *
        importanceFactor(this.#importance[slot] ?? 3, importanceWeight)
      );
    };
    const pool = new TopK(limit * candidateFactor);
    const offer = (heap: TopK, slot: number, vector: number | undefined): void => {
      const score = scoreOf(slot, vector, heap.threshold);
      if (score >= 0) heap.offer(slot, score);
    };

    if (query && slots > this.#exactScanLimit) {
      // Large index: rank everything by the sign-bit estimate, then score a shortlist exactly.
      const unit = unitVector(query);
      const distances = this.#hammingScratch(slots);
      this.#vectors.hammingAll(this.#vectors.signBits(unit), slots, distances);
      const estimate = this.#cosineOfDistance;
      const shortlist = new TopK(Math.max(pool.capacity * SHORTLIST_FACTOR, MIN_SHORTLIST));
      for (let slot = 0; slot < slots; slot += 1) {
        offer(shortlist, slot, this.#vectors.has(slot) ? estimate[distances[slot] ?? 0] : undefined);
      }
      for (const { item: slot } of shortlist.sorted()) {
        const exact = this.#vectors.has(slot) ? this.#vectors.dot(slot, unit) : undefined;
        vectorScores[slot] = exact ?? 0;
        offer(pool, slot, exact);
      }
    } else if (query) {
      this.#vectors.scanAll(unitVector(query), slots, vectorScores);
      for (let slot = 0; slot < slots; slot += 1) {
        offer(pool, slot, this.#vectors.has(slot) ? vectorScores[slot] : undefined);
      }
    } else {
      for (const slot of matched) offer(pool, slot, undefined);
    }

    const candidates = pool.sorted();
    const hit = (slot: number, score: number): SearchHit => {
      const keyword = keywordScores[slot] ?? 0;
      const vector = hybrid && this.#vectors.has(slot) ? vectorScores[slot] : undefined;
      return {
        id: this.#ids[slot] ?? "",
        score,
        relevance: mixRelevance(keyword, vector, vectorWeight),
        keyword,
        ...(vector !== undefined ? { vector } : {}),
        recency: recencyFactor(this.#times[slot] ?? 0, request.now, halfLifeDays, this.#pinned[slot] ?? false),
        importance: importanceFactor(this.#importance[slot] ?? 3, importanceWeight),
      };
    };
    const terms = new Map<number, Set<string>>();
    const termsAt = (slot: number): Set<string> => {
      let found = terms.get(slot);
      if (!found) {
        found = termsOf(this.#texts[slot] ?? "");
        terms.set(slot, found);
      }
      return found;
    };
    const similarity = (a: number, b: number): number => {
      const slotA = candidates[a]?.item ?? 0;
      const slotB = candidates[b]?.item ?? 0;
      if (this.#vectors.has(slotA) && this.#vectors.has(slotB))
        return Math.max(0, this.#vectors.similarity(slotA, slotB));
      return termOverlap(termsAt(slotA), termsAt(slotB));
    };
    const order = selectDiverse(
      candidates.map((candidate) => candidate.score),
      limit,
      mmrLambda,
      similarity,
    );
    const hits = order.flatMap((index) => {
      const candidate = candidates[index];
      return candidate ? [hit(candidate.item, candidate.score)] : [];
    });

    // Leave the scratch buffers as zeros for the next query.
    for (const slot of matched) keywordScores[slot] = 0;
    return { mode: hybrid ? "hybrid" : "keyword", hits };
  }

  #hammingScratch(slots: number): Uint16Array {
    if (this.#distances.length < slots) this.#distances = new Uint16Array(Math.max(slots, this.#distances.length * 2));
    return this.#distances;
  }

  /** A reusable zeroed buffer of at least `slots` entries (the vector one is overwritten whole). */
  #scratch(kind: "keyword" | "vector", slots: number): Float32Array {
    const current = kind === "keyword" ? this.#keywordScratch : this.#vectorScratch;
    if (current.length >= slots) return current;
    const grown = new Float32Array(Math.max(slots, current.length * 2, 64));
    if (kind === "keyword") this.#keywordScratch = grown;
    else this.#vectorScratch = grown;
    return grown;
  }
}
