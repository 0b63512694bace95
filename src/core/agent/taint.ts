import type { ContextItem } from "./context-item";
import { isUserAuthored, untrustedSourceOf } from "./provenance";

/** A shared run of this many normalised characters counts as "copied from". */
export const FRAGMENT_LENGTH = 12;
/** Shorter values match only as a whole, and never below this length (too common to mean anything). */
export const WHOLE_VALUE_MIN_LENGTH = 4;

export type ArgumentOrigin = "user" | "untrusted" | "model";

/** Where one argument value came from, for the approval card. */
export interface ArgumentSource {
  /** e.g. `to[0]`, `body`. */
  path: string;
  /** `user` if the user wrote it whole, else `untrusted` if outside text holds it (or a fragment), else `model`. */
  origin: ArgumentOrigin;
  untrustedSources: string[];
  inUserMessages: boolean;
}

export type TaintReason =
  { kind: "context"; sources: string[] } | { kind: "argument"; path: string; sources: string[] };

export interface TaintRecord {
  tainted: boolean;
  /** Every untrusted source involved, in the order it entered the context. */
  sources: string[];
  reasons: TaintReason[];
  argumentSources: ArgumentSource[];
}

const INVISIBLE = /[\u00AD\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF]/g;

/** Folds the differences a copy can pick up on the way: case, width, spacing, invisible characters. */
export function normaliseForMatching(text: string): string {
  return text.normalize("NFKC").replace(INVISIBLE, "").toLowerCase().replace(/\s+/g, " ").trim();
}

/** Normalised text plus its set of fragments, so each lookup costs the length of the value, not the text. */
class TextIndex {
  readonly #text: string;
  readonly #fragments = new Set<string>();

  constructor(text: string) {
    this.#text = normaliseForMatching(text);
    for (let start = 0; start + FRAGMENT_LENGTH <= this.#text.length; start += 1) {
      this.#fragments.add(this.#text.slice(start, start + FRAGMENT_LENGTH));
    }
  }

  /** The whole value occurs in the text. */
  contains(value: string): boolean {
    return value.length >= WHOLE_VALUE_MIN_LENGTH && this.#text.includes(value);
  }

  /** The whole value, or any FRAGMENT_LENGTH-character run of it, occurs in the text. */
  holds(value: string): boolean {
    if (this.contains(value)) return true;
    for (let start = 0; start + FRAGMENT_LENGTH <= value.length; start += 1) {
      if (this.#fragments.has(value.slice(start, start + FRAGMENT_LENGTH))) return true;
    }
    return false;
  }
}

/** Every string (and number) leaf of the arguments with its path. */
function leaves(value: unknown, path: string): { path: string; text: string }[] {
  if (typeof value === "string") return [{ path, text: value }];
  if (typeof value === "number") return [{ path, text: String(value) }];
  if (Array.isArray(value)) {
    const items: readonly unknown[] = value;
    return items.flatMap((item, index) => leaves(item, `${path}[${index}]`));
  }
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([key, child]) => leaves(child, path ? `${path}.${key}` : key));
  }
  return [];
}

/**
 * Decides whether a proposed action is tainted, and where each argument came from.
 *
 * Tainted means: untrusted content entered the context before the proposal (the model may be
 * acting on it), or an argument value, whole or by a shared fragment of FRAGMENT_LENGTH
 * normalised characters, occurs in untrusted content, and the user did not write it whole.
 * Paraphrase is not detected; the context rule is what covers it.
 */
export function assessTaint(args: unknown, context: readonly ContextItem[]): TaintRecord {
  const untrustedTexts = new Map<string, string[]>();
  const userTexts: string[] = [];
  for (const item of context) {
    const source = untrustedSourceOf(item.provenance);
    if (source !== undefined) untrustedTexts.set(source, [...(untrustedTexts.get(source) ?? []), item.content]);
    else if (isUserAuthored(item.provenance)) userTexts.push(item.content);
  }
  const untrusted = [...untrustedTexts].map(([source, texts]) => ({ source, index: new TextIndex(texts.join("\n")) }));
  const user = new TextIndex(userTexts.join("\n"));

  const argumentSources = leaves(args, "").flatMap(({ path, text }): ArgumentSource[] => {
    const value = normaliseForMatching(text);
    if (value === "") return [];
    const untrustedSources = untrusted.filter((entry) => entry.index.holds(value)).map((entry) => entry.source);
    // Credit the user only for a value they wrote whole: sharing a fragment with the user's words
    // (a host name, a phrase) must not launder the rest of an attacker's text.
    const inUserMessages = user.contains(value);
    const origin = inUserMessages ? "user" : untrustedSources.length > 0 ? "untrusted" : "model";
    return [{ path, origin, untrustedSources, inUserMessages }];
  });

  const sources = untrusted.map((entry) => entry.source);
  const reasons: TaintReason[] = [];
  if (sources.length > 0) reasons.push({ kind: "context", sources });
  for (const argument of argumentSources) {
    if (argument.origin === "untrusted") {
      reasons.push({ kind: "argument", path: argument.path, sources: argument.untrustedSources });
    }
  }
  return { tainted: reasons.length > 0, sources, reasons, argumentSources };
}

/** One line for a card or a log: why this action is tainted. */
export function describeTaint(record: TaintRecord): string {
  if (!record.tainted) return "No untrusted content was involved.";
  const derived = record.reasons.filter((reason) => reason.kind === "argument").map((reason) => reason.path);
  const entered = `Untrusted content from ${record.sources.join(", ")} was in the conversation`;
  return derived.length > 0 ? `${entered}; ${derived.join(", ")} came from it.` : `${entered}.`;
}
