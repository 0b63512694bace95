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

/** Exact terms first: cheap, and what a query usually means. */
const EXACT: SearchOptions = { prefix: false, fuzzy: false, combineWith: "OR" };

/** Prefixes from four letters ("deploy" finds "deployment"), typos from six letters (one edit). */
const EXPANDED: SearchOptions = {
  prefix: (term) => term.length >= 4,
  fuzzy: (term) => (term.length >= 6 ? 1 : false),
  weights: { prefix: 0.5, fuzzy: 0.3 },
  combineWith: "OR",
};

/**
 * Below this many exact matches the search is run again with prefixes and typos. Expanding every
 * query walked the postings of dozens of similar words and was the slowest part of a search.
 */
export const EXPAND_BELOW = 50;

interface KeywordDocument {
  id: string;
  text: string;
}

/**
 * In an index this large or larger, query terms found in more than `COMMON_SHARE` of the documents
 * are left out of the search (unless every term is that common; then the rarest is kept). BM25
 * gives them little weight anyway, and walking their postings (a third of a big corpus) is what
 * made slow queries slow.
 */
export const COMMON_TERMS_FROM = 2000;
export const COMMON_SHARE = 0.1;

/** BM25 keyword ranking (MiniSearch) over documents keyed by string id. */
export class KeywordIndex {
  readonly #search = new MiniSearch<KeywordDocument>({
    fields: ["text"],
    processTerm,
  });
  /** Texts as indexed, to take their terms out of the counts on replace or removal. */
  readonly #texts = new Map<string, string>();
  /** In how many documents each term occurs. */
  readonly #frequency = new Map<string, number>();

  /** Adds, or replaces the document with the same id. */
  upsert(id: string, text: string): void {
    const previous = this.#texts.get(id);
    if (previous !== undefined) {
      this.#count(previous, -1);
      this.#search.replace({ id, text });
    } else this.#search.add({ id, text });
    this.#texts.set(id, text);
    this.#count(text, 1);
  }

  remove(id: string): void {
    const previous = this.#texts.get(id);
    if (previous === undefined) return;
    this.#count(previous, -1);
    this.#texts.delete(id);
    // `discard` leaves the terms to be cleaned up in the background (auto-vacuum), so removal is O(1).
    this.#search.discard(id);
  }

  /** Matching ids with their raw BM25 scores, best first. */
  search(text: string): { id: string; score: number }[] {
    const terms = this.#selectTerms(text);
    if (terms.length === 0) return [];
    const query = terms.join(" ");
    let results = this.#search.search(query, EXACT);
    if (results.length < EXPAND_BELOW) results = this.#search.search(query, EXPANDED);
    return results.map((result) => {
      const id: unknown = result.id;
      return { id: String(id), score: result.score };
    });
  }

  #selectTerms(text: string): string[] {
    const terms = [...termsOf(text)];
    const documents = this.#texts.size;
    if (documents < COMMON_TERMS_FROM) return terms;
    const frequency = (term: string): number => this.#frequency.get(term) ?? 0;
    const selective = terms.filter((term) => frequency(term) <= documents * COMMON_SHARE);
    if (selective.length > 0 || terms.length === 0) return selective;
    const rarest = terms.reduce((best, term) => (frequency(term) < frequency(best) ? term : best));
    return [rarest];
  }

  #count(text: string, delta: number): void {
    for (const term of termsOf(text)) {
      const next = (this.#frequency.get(term) ?? 0) + delta;
      if (next > 0) this.#frequency.set(term, next);
      else this.#frequency.delete(term);
    }
  }
}
