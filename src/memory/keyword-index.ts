import MiniSearch, { type SearchOptions } from "minisearch";

/** Words too common to say anything about a memory; dropping them also keeps result sets small. */
const STOP_WORDS = new Set(
  (
    "a an and are as at be but by for from has have he her his i if in into is it its me my no not of on or our " +
    "she so that the their them there they this to was we were what when which who will with you your"
  ).split(" "),
);

/** Lower case, stop words out: used for indexing, queries, and the overlap the diversity pass measures. */
export function processTerm(term: string): string | null {
  const lower = term.toLowerCase();
  return STOP_WORDS.has(lower) ? null : lower;
}

// MiniSearch's own default split: runs of spaces, line breaks and punctuation.
const SPLIT = /[\n\r\p{Z}\p{P}]+/u;

/** The distinct processed terms of a text. */
export function termsOf(text: string): Set<string> {
  const terms = new Set<string>();
  for (const token of text.split(SPLIT)) {
    const term = token === "" ? null : processTerm(token);
    if (term) terms.add(term);
  }
  return terms;
}

const SEARCH_OPTIONS: SearchOptions = {
  // Prefixes from four letters ("deploy" finds "deployment"); typo tolerance from six, one edit.
  prefix: (term) => term.length >= 4,
  fuzzy: (term) => (term.length >= 6 ? 1 : false),
  weights: { prefix: 0.5, fuzzy: 0.3 },
  combineWith: "OR",
};

interface KeywordDocument {
  id: string;
  text: string;
}

/** BM25 keyword ranking (MiniSearch) over documents keyed by string id. */
export class KeywordIndex {
  readonly #search = new MiniSearch<KeywordDocument>({
    fields: ["text"],
    processTerm,
    searchOptions: SEARCH_OPTIONS,
  });

  /** Adds, or replaces the document with the same id. */
  upsert(id: string, text: string): void {
    if (this.#search.has(id)) this.#search.replace({ id, text });
    else this.#search.add({ id, text });
  }

  remove(id: string): void {
    // `discard` leaves the terms to be cleaned up in the background (auto-vacuum), so removal is O(1).
    if (this.#search.has(id)) this.#search.discard(id);
  }

  /** Matching ids with their raw BM25 scores, best first. */
  search(text: string): { id: string; score: number }[] {
    return this.#search.search(text).map((result) => {
      const id: unknown = result.id;
      return { id: String(id), score: result.score };
    });
  }
}
