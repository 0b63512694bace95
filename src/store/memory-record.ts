/**
 * Where a piece of memory came from, as far as trust goes. Untrusted content names every outside
 * source it was drawn from (e.g. "gmail:1890ab"), so a recalled fact can be fenced and cited
 * like the mail it came from.
 */
export type MemoryProvenance =
  { readonly trust: "trusted" } | { readonly trust: "untrusted"; readonly sources: string[] };

/** Who wrote a note or fact into memory. */
export type MemoryOrigin = "user" | "chat" | "compaction" | "dreaming" | "import";

/** Importance on a 1–5 scale (3 is ordinary); search weighs it, dreaming may change it. */
export type Importance = 1 | 2 | 3 | 4 | 5;

/**
 * A vector for a fact, from a named embedding model. A `Float32Array`: structured clone stores
 * it as its raw 4-byte floats (about 1.5 KB for 384 dimensions, against about 3.5 KB for a
 * `number[]` of doubles), search reads it without conversion, and its buffer can be transferred
 * to the search worker. The model name lets a change of model find the vectors it must redo.
 */
export interface FactEmbedding {
  model: string;
  vector: Float32Array;
}

/** One entry of the daily log: what happened, when, and whose words it holds. */
export interface DailyNoteRecord {
  id: string;
  /** `YYYY-MM-DD` in the user's zone, as in `memory/YYYY-MM-DD.md`. */
  day: string;
  at: number;
  text: string;
  origin: MemoryOrigin;
  provenance: MemoryProvenance;
}

/** A long-term fact (a line of `MEMORY.md`). */
export interface FactRecord {
  id: string;
  text: string;
  origin: MemoryOrigin;
  /** Free-form pointer to where it was learnt, e.g. a conversation id or a dreaming revision. */
  source: string;
  provenance: MemoryProvenance;
  importance: Importance;
  /** Pinned facts are kept as they are: dreaming neither changes nor retires them, and they do not fade. */
  pinned: boolean;
  created: number;
  /** Last change of content (text, importance, pin, provenance). */
  updated: number;
  /** Last time a search returned it; not a change of content. */
  lastRecalled?: number;
  embedding?: FactEmbedding;
}

/** The user profile (`USER.md`), kept as the Markdown the user wrote so a round trip loses nothing. */
export interface UserProfileRecord {
  text: string;
  updated: number;
}

/** What one revision did to one fact: the whole record before and after (`null`: absent). */
export interface FactChange {
  factId: string;
  before: FactRecord | null;
  after: FactRecord | null;
}

/**
 * A set of fact changes applied in one transaction: a dreaming run, a save, an edit, an import.
 * `before` is the exact previous state of every fact touched, which is what an undo puts back.
 */
export interface MemoryRevisionRecord {
  id: string;
  origin: MemoryOrigin;
  /** One line for the journal, e.g. "Dreaming for 2026-05-01". */
  summary: string;
  createdAt: number;
  changes: FactChange[];
  undoneAt?: number;
}
