import { ARCTIC_QUERY_PREFIX } from "../../src/engine/webllm-chat-engine";

/**
 * Deterministic "embeddings" for the scripted engine (a TEST DOUBLE, not a model): each word adds
 * one to the dimension of its concept, so texts sharing a concept (a "car" and an "automobile")
 * point the same way and texts sharing none are orthogonal. Words not in the table are their own
 * concept. Says nothing about any real model's quality.
 */
const CONCEPTS: readonly (readonly string[])[] = [
  ["car", "automobile", "auto", "vehicle", "sedan", "hatchback"],
  ["birthday", "born", "anniversary"],
  ["doctor", "dentist", "physician", "clinic"],
  ["tea", "chai", "infusion"],
  ["flight", "plane", "airplane", "aeroplane", "airline"],
  ["home", "house", "flat", "apartment", "lives"],
];

const STOP_WORDS = new Set(["a", "an", "the", "is", "are", "my", "our", "of", "to", "in", "on", "and", "for", "with"]);

/** FNV-1a, 32 bits. */
function hash(text: string): number {
  let value = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    value ^= text.charCodeAt(i);
    value = Math.imul(value, 0x01000193) >>> 0;
  }
  return value;
}

function conceptOf(word: string): string {
  const singular = word.length > 3 && word.endsWith("s") ? word.slice(0, -1) : word;
  const found = CONCEPTS.find((concept) => concept.includes(word) || concept.includes(singular));
  return found ? `concept:${found[0]}` : `word:${singular}`;
}

/** What the text says without the framing snowflake-arctic-embed is given (`[CLS]`, the query instruction). */
export function unframed(text: string): string {
  return text.replace(/\[CLS\]|\[SEP\]/g, " ").replace(ARCTIC_QUERY_PREFIX.trim(), " ");
}

export function conceptVector(text: string, dimensions = 384): Float32Array {
  const vector = new Float32Array(dimensions);
  const words =
    unframed(text)
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? [];
  for (const word of words) {
    if (STOP_WORDS.has(word)) continue;
    const dimension = hash(conceptOf(word)) % dimensions;
    vector[dimension] = (vector[dimension] ?? 0) + 1;
  }
  // A text of stop words only still gets a vector (web-llm never returns an empty one).
  if (words.every((word) => STOP_WORDS.has(word))) vector[0] = 1;
  return vector;
}
