import type { EmbeddingEngine } from "../engine/embedding-engine";
import type { Database } from "../store/database";
import type { DailyNoteRecord, FactRecord, MemoryProvenance } from "../store/memory-record";
import { MEMORY_CHANNEL } from "./memory-channel";
import { EMBEDDING_DIMENSIONS, MemoryIndex, type IndexedDocument } from "./memory-index";
import { MemoryStore } from "./memory-store";

/** Notes weigh a little less than facts someone chose to keep. */
const NOTE_IMPORTANCE = 2;

/** Facts embedded per call in the background: small, so a query waits for at most one batch. */
export const EMBED_BATCH_SIZE = 8;

/** One search result with what the agent and the card need to show it. */
export interface MemoryHit {
  /** `fact:<id>` or `note:<id>`, as `memory_get` takes a fact's. */
  ref: string;
  text: string;
  provenance: MemoryProvenance;
  importance: number;
  /** When its content last changed, ms since the epoch. */
  time: number;
  /** `YYYY-MM-DD` for a note. */
  day?: string;
}

export interface MemorySearchResult {
  /** `keyword` until an embedding model is loaded: the agent and the user are told. */
  mode: "keyword" | "hybrid";
  hits: MemoryHit[];
}

interface Entry {
  hit: MemoryHit;
  /** To tell a changed record from an unchanged one on refresh. */
  version: string;
  document: IndexedDocument;
}

/** What the background embedding needs of a fact that has no vector from the loaded model. */
interface PendingFact {
  text: string;
  updated: number;
}

export interface MemorySearchOptions {
  /** The engine that embeds, asked at every search which embedding model is loaded (none: keyword-only). */
  embedder?: () => EmbeddingEngine | undefined;
  /** True while an answer is being written: background embedding waits until it is not. */
  busy?: () => boolean;
  /** How often to look again while busy, in ms. Default 250. */
  busyPollMs?: number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function noteEntry(note: DailyNoteRecord): Omit<Entry, "document"> {
  return {
    hit: {
      ref: `note:${note.id}`,
      text: note.text,
      provenance: note.provenance,
      importance: NOTE_IMPORTANCE,
      time: note.at,
      day: note.day,
    },
    version: `${note.at}:${note.text.length}`,
  };
}

/**
 * The agent worker's memory search: a `MemoryIndex` over the stored facts and daily notes, built on
 * the first search and brought up to date (only what changed) on the next search after any realm
 * says memory changed. It reads IndexedDB itself, so a search never waits on the page.
 *
 * With an embedding model loaded, the query is embedded at search time and the search is hybrid.
 * Facts without a vector from that model are embedded in the background, a few at a time, while no
 * answer is being written; each vector is stored only if the fact is unchanged since it was read.
 * Vectors of another model are never compared with the loaded one's.
 */
export class MemorySearchService {
  readonly #openDatabase: () => Promise<Database>;
  readonly #embedder: () => EmbeddingEngine | undefined;
  readonly #busy: () => boolean;
  readonly #busyPollMs: number;
  #index = new MemoryIndex();
  #dimensions = EMBEDDING_DIMENSIONS;
  readonly #entries = new Map<string, Entry>();
  /** Facts (by id) that lack a vector from `#vectorModel`. */
  readonly #pending = new Map<string, PendingFact>();
  /** `id:updated` of facts the model failed on: not tried again until they change. */
  readonly #failed = new Set<string>();
  readonly #channel: BroadcastChannel | undefined;
  /** The embedding model whose vectors the index holds; `undefined`: none (keyword-only). */
  #vectorModel: string | undefined;
  #stale = true;
  #backfill: Promise<void> | undefined;

  constructor(openDatabase: () => Promise<Database>, options: MemorySearchOptions = {}) {
    this.#openDatabase = openDatabase;
    this.#embedder = options.embedder ?? (() => undefined);
    this.#busy = options.busy ?? (() => false);
    this.#busyPollMs = options.busyPollMs ?? 250;
    if (typeof BroadcastChannel !== "undefined") {
      this.#channel = new BroadcastChannel(MEMORY_CHANNEL);
      this.#channel.onmessage = () => this.invalidate();
    }
  }

  /** Also called by this realm after it changed memory itself (a channel does not echo to its sender). */
  invalidate(): void {
    this.#stale = true;
    this.startEmbedding();
  }

  async search(query: string, limit: number, now: number): Promise<MemorySearchResult> {
    const engine = this.#embedder();
    const model = engine?.loadedEmbeddingModelId;
    this.#useModel(model);
    let embedding: Float32Array | undefined;
    if (engine && model !== undefined) {
      try {
        [embedding] = await engine.embed([query], "query");
      } catch {
        // A failed query vector leaves this search keyword-only, and says so.
        embedding = undefined;
      }
      if (embedding) this.#useDimensions(embedding.length);
    }
    if (this.#stale) await this.#refresh();
    const response = this.#index.search({ text: query, limit, now, ...(embedding ? { embedding } : {}) });
    const hits = response.hits.flatMap((hit) => {
      const entry = this.#entries.get(hit.id);
      return entry ? [entry.hit] : [];
    });
    if (model !== undefined) this.startEmbedding();
    return { mode: response.mode, hits };
  }

  /** Embeds, in the background, the facts that lack a vector from the loaded model (if one is). */
  startEmbedding(): void {
    if (this.#embedder()?.loadedEmbeddingModelId === undefined) return;
    void this.embedMissing().catch(() => undefined);
  }

  /** The background embedding as a promise (one run at a time); resolves when nothing is left to do. */
  embedMissing(): Promise<void> {
    this.#backfill ??= this.#embedMissing().finally(() => {
      this.#backfill = undefined;
    });
    return this.#backfill;
  }

  close(): void {
    this.#channel?.close();
  }

  /** A new embedding model (or none): every fact's vector must be read again for it. */
  #useModel(model: string | undefined): void {
    if (model === this.#vectorModel) return;
    this.#vectorModel = model;
    this.#pending.clear();
    this.#stale = true;
  }

  /** The model's vectors have another length than the index's: start a new index. */
  #useDimensions(dimensions: number): void {
    if (dimensions === this.#dimensions) return;
    this.#dimensions = dimensions;
    this.#index = new MemoryIndex({ dimensions });
    this.#entries.clear();
    this.#stale = true;
  }

  async #embedMissing(): Promise<void> {
    for (;;) {
      const engine = this.#embedder();
      const model = engine?.loadedEmbeddingModelId;
      if (!engine || model === undefined) return;
      this.#useModel(model);
      if (this.#stale) await this.#refresh();
      const batch = [...this.#pending].filter(([id, fact]) => !this.#failed.has(`${id}:${fact.updated}`));
      if (batch.length === 0) return;
      const chosen = batch.slice(0, EMBED_BATCH_SIZE);
      while (this.#busy()) await sleep(this.#busyPollMs);
      let vectors: Float32Array[];
      try {
        vectors = await engine.embed(
          chosen.map(([, fact]) => fact.text),
          "document",
        );
      } catch {
        for (const [id, fact] of chosen) this.#failed.add(`${id}:${fact.updated}`);
        continue;
      }
      // Loaded another model meanwhile: these vectors belong to no index.
      if (engine.loadedEmbeddingModelId !== model || model !== this.#vectorModel) continue;
      if (vectors[0]) this.#useDimensions(vectors[0].length);
      const db = await this.#openDatabase();
      try {
        const store = new MemoryStore(db);
        for (const [index, [id, fact]] of chosen.entries()) {
          const vector = vectors[index];
          this.#pending.delete(id);
          if (!vector || !(await store.setEmbedding(id, { model, vector }, fact.updated))) continue;
          this.#indexVector(id, fact.updated, model, vector);
        }
      } finally {
        db.close();
      }
      // Let a search or a message in between.
      await sleep(0);
    }
  }

  /** Puts a just-stored vector into the index, if the index still holds that version of the fact. */
  #indexVector(id: string, updated: number, model: string, vector: Float32Array): void {
    const ref = `fact:${id}`;
    const entry = this.#entries.get(ref);
    if (!entry || entry.hit.time !== updated || vector.length !== this.#dimensions) return;
    const document = { ...entry.document, embedding: vector };
    this.#index.upsert(document);
    this.#entries.set(ref, { ...entry, document, version: `${updated}:${model}` });
  }

  async #refresh(): Promise<void> {
    // Cleared first: a change announced while reading is picked up by the next search.
    this.#stale = false;
    const db = await this.#openDatabase();
    let facts: FactRecord[];
    let notes: DailyNoteRecord[];
    try {
      [facts, notes] = await Promise.all([db.getAll("facts"), db.getAll("notes")]);
    } finally {
      db.close();
    }
    const model = this.#vectorModel;
    const current = new Map<string, Entry>();
    this.#pending.clear();
    for (const fact of facts) {
      const ref = `fact:${fact.id}`;
      const usable =
        model !== undefined && fact.embedding?.model === model && fact.embedding.vector.length === this.#dimensions;
      if (model !== undefined && !usable) this.#pending.set(fact.id, { text: fact.text, updated: fact.updated });
      current.set(ref, {
        hit: { ref, text: fact.text, provenance: fact.provenance, importance: fact.importance, time: fact.updated },
        version: `${fact.updated}:${usable ? model : ""}`,
        document: {
          id: ref,
          text: fact.text,
          importance: fact.importance,
          time: fact.updated,
          pinned: fact.pinned,
          ...(usable && fact.embedding ? { embedding: fact.embedding.vector } : {}),
        },
      });
    }
    for (const note of notes) {
      const entry = noteEntry(note);
      current.set(entry.hit.ref, {
        ...entry,
        document: { id: entry.hit.ref, text: note.text, importance: NOTE_IMPORTANCE, time: note.at },
      });
    }
    for (const ref of [...this.#entries.keys()]) {
      if (current.has(ref)) continue;
      this.#index.remove(ref);
      this.#entries.delete(ref);
    }
    for (const [ref, entry] of current) {
      if (this.#entries.get(ref)?.version === entry.version) continue;
      this.#index.upsert(entry.document);
      this.#entries.set(ref, entry);
    }
  }
}
