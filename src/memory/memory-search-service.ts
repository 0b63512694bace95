import type { Database } from "../store/database";
import type { DailyNoteRecord, FactRecord, MemoryProvenance } from "../store/memory-record";
import { MEMORY_CHANNEL } from "./memory-channel";
import { MemoryIndex, type IndexedDocument } from "./memory-index";

/** Notes weigh a little less than facts someone chose to keep. */
const NOTE_IMPORTANCE = 2;

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
}

function factEntry(fact: FactRecord): Entry {
  return {
    hit: {
      ref: `fact:${fact.id}`,
      text: fact.text,
      provenance: fact.provenance,
      importance: fact.importance,
      time: fact.updated,
    },
    version: `${fact.updated}:${fact.embedding?.model ?? ""}`,
  };
}

function noteEntry(note: DailyNoteRecord): Entry {
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
 */
export class MemorySearchService {
  readonly #openDatabase: () => Promise<Database>;
  readonly #index = new MemoryIndex();
  readonly #entries = new Map<string, Entry>();
  readonly #channel: BroadcastChannel | undefined;
  #stale = true;

  constructor(openDatabase: () => Promise<Database>) {
    this.#openDatabase = openDatabase;
    if (typeof BroadcastChannel !== "undefined") {
      this.#channel = new BroadcastChannel(MEMORY_CHANNEL);
      this.#channel.onmessage = () => {
        this.#stale = true;
      };
    }
  }

  /** Also called by this realm after it changed memory itself (a channel does not echo to its sender). */
  invalidate(): void {
    this.#stale = true;
  }

  async search(query: string, limit: number, now: number): Promise<MemorySearchResult> {
    if (this.#stale) await this.#refresh();
    const response = this.#index.search({ text: query, limit, now });
    const hits = response.hits.flatMap((hit) => {
      const entry = this.#entries.get(hit.id);
      return entry ? [entry.hit] : [];
    });
    return { mode: response.mode, hits };
  }

  close(): void {
    this.#channel?.close();
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
    const current = new Map<string, { entry: Entry; document: IndexedDocument }>();
    for (const fact of facts) {
      current.set(`fact:${fact.id}`, {
        entry: factEntry(fact),
        document: {
          id: `fact:${fact.id}`,
          text: fact.text,
          importance: fact.importance,
          time: fact.updated,
          pinned: fact.pinned,
          ...(fact.embedding ? { embedding: fact.embedding.vector } : {}),
        },
      });
    }
    for (const note of notes) {
      const entry = noteEntry(note);
      current.set(entry.hit.ref, {
        entry,
        document: { id: entry.hit.ref, text: note.text, importance: NOTE_IMPORTANCE, time: note.at },
      });
    }
    for (const ref of [...this.#entries.keys()]) {
      if (current.has(ref)) continue;
      this.#index.remove(ref);
      this.#entries.delete(ref);
    }
    for (const [ref, { entry, document }] of current) {
      if (this.#entries.get(ref)?.version === entry.version) continue;
      this.#index.upsert(document);
      this.#entries.set(ref, entry);
    }
  }
}
