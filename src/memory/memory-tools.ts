import type { ToolResult } from "../core/agent/action";
import type { TaintRecord } from "../core/agent/taint";
import { defineTool } from "../core/agent/tool";
import type { MemoryProvenance } from "../store/memory-record";
import { combineProvenance, TRUSTED } from "./fact-rules";

/**
 * The agent's three memory tools (their executor is the page's `memory` connector). Search and get
 * are declared `trusted`, which is a ceiling, not a claim: every result is built with
 * `memoryResult`, which lowers it to untrusted, naming the sources, as soon as one memory in it came
 * from outside text (marked so by dreaming and by `provenanceOfSave`). Declaring them `untrusted`
 * instead would taint every action after any recall, and taint would stop telling anything apart.
 */

export const memorySearchTool = defineTool({
  name: "memory_search",
  description: "Search remembered facts and daily notes.",
  effect: "read",
  connector: "memory",
  resultTrust: "trusted",
  argumentsSchema: {
    type: "object",
    properties: {
      query: { type: "string", maxLength: 200 },
      limit: { type: "integer", minimum: 1, maximum: 10 },
    },
    required: ["query"],
    additionalProperties: false,
  },
  preview: (args) => ({ title: "Search memory", fields: [{ label: "Query", value: args.query }] }),
});

export const memoryGetTool = defineTool({
  name: "memory_get",
  description: "Read one memory by ref: fact:<id>, day:YYYY-MM-DD (that day's notes) or profile.",
  effect: "read",
  connector: "memory",
  resultTrust: "trusted",
  argumentsSchema: {
    type: "object",
    properties: { ref: { type: "string", maxLength: 80 } },
    required: ["ref"],
    additionalProperties: false,
  },
  preview: (args) => ({ title: "Read from memory", fields: [{ label: "Ref", value: args.ref }] }),
});

/** Local and undoable, so the policy may run it without asking; it is still shown in the chat. */
export const memorySaveTool = defineTool({
  name: "memory_save",
  description: "Remember a fact for later conversations.",
  effect: "write",
  connector: "memory",
  resultTrust: "trusted",
  undoable: true,
  argumentsSchema: {
    type: "object",
    properties: {
      // Unbounded on purpose (a bounded string cannot hold quotes under xgrammar); the store caps it.
      fact: { type: "string" },
      importance: { type: "integer", minimum: 1, maximum: 5 },
    },
    required: ["fact"],
    additionalProperties: false,
  },
  preview: (args) => ({
    title: "Remember",
    fields: args.importance !== undefined ? [{ label: "Importance", value: `${args.importance} of 5` }] : [],
    body: args.fact,
  }),
});

export const MEMORY_TOOLS = [memorySearchTool, memoryGetTool, memorySaveTool] as const;

export type MemoryRef = { kind: "fact"; id: string } | { kind: "day"; day: string } | { kind: "profile" };

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Reads a ref as `memory_get` takes it, or undefined if it is not one. */
export function parseMemoryRef(ref: string): MemoryRef | undefined {
  const trimmed = ref.trim();
  if (trimmed === "profile") return { kind: "profile" };
  const [kind, ...rest] = trimmed.split(":");
  const value = rest.join(":");
  if (kind === "fact" && value !== "") return { kind: "fact", id: value };
  if (kind === "day" && DAY.test(value)) return { kind: "day", day: value };
  return undefined;
}

export function formatMemoryRef(ref: MemoryRef): string {
  switch (ref.kind) {
    case "fact":
      return `fact:${ref.id}`;
    case "day":
      return `day:${ref.day}`;
    case "profile":
      return "profile";
  }
}

/**
 * The provenance a fact saved through `memory_save` gets from its action's taint: trusted if the
 * user wrote the fact word for word; untrusted, naming the sources, if it copies outside text or
 * was chosen while outside text was in the context (a paraphrased injection copies nothing).
 */
export function provenanceOfSave(taint: TaintRecord): MemoryProvenance {
  const fact = taint.argumentSources.find((source) => source.path === "fact");
  if (fact?.origin === "user") return TRUSTED;
  if (fact?.origin === "untrusted" && fact.untrustedSources.length > 0) {
    return { trust: "untrusted", sources: [...fact.untrustedSources] };
  }
  return taint.tainted ? { trust: "untrusted", sources: [...taint.sources] } : TRUSTED;
}

/**
 * Trust and source for a search or get result built from these memories: untrusted as soon as
 * one of them is, with every outside source named (the Gate shows them on later approval cards).
 */
export function memoryResult(content: string, provenances: readonly MemoryProvenance[]): ToolResult {
  const combined = combineProvenance(provenances);
  if (combined.trust === "trusted") return { content, trusted: true, source: "memory" };
  return { content, trusted: false, source: combined.sources.join(", ") || "memory" };
}
