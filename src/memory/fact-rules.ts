import { codePointLength } from "../core/agent/json-schema";
import type { Importance, MemoryProvenance } from "../store/memory-record";

/** A fact is one line of `MEMORY.md`: long enough for a sentence or two, short enough to recall many. */
export const MAX_FACT_CHARS = 500;

export const DEFAULT_IMPORTANCE: Importance = 3;

export const TRUSTED: MemoryProvenance = { trust: "trusted" };

/** One line, single spaces: a newline would split the fact when it is written to `MEMORY.md`. */
export function normaliseFactText(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** Why a (normalised) fact text cannot be stored, or undefined if it can. */
export function factTextProblem(text: string): string | undefined {
  if (text === "") return "A fact cannot be empty.";
  const length = codePointLength(text);
  if (length > MAX_FACT_CHARS) return `A fact holds at most ${MAX_FACT_CHARS} characters; this one has ${length}.`;
  return undefined;
}

export function isImportance(value: unknown): value is Importance {
  return value === 1 || value === 2 || value === 3 || value === 4 || value === 5;
}

/** Rounds and clamps any number onto the 1–5 scale. */
export function toImportance(value: number): Importance {
  const rounded = Math.round(Number.isFinite(value) ? value : DEFAULT_IMPORTANCE);
  const clamped = Math.min(5, Math.max(1, rounded));
  return isImportance(clamped) ? clamped : DEFAULT_IMPORTANCE;
}

/**
 * The provenance of something drawn from all of `parts`: untrusted as soon as one part is, naming
 * every untrusted source once (in first-seen order). Trust is never gained by combining.
 */
export function combineProvenance(parts: readonly MemoryProvenance[]): MemoryProvenance {
  const sources: string[] = [];
  let untrusted = false;
  for (const part of parts) {
    if (part.trust === "trusted") continue;
    untrusted = true;
    for (const source of part.sources) if (!sources.includes(source)) sources.push(source);
  }
  return untrusted ? { trust: "untrusted", sources } : TRUSTED;
}
