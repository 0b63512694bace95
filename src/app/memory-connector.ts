import type { ProposedAction, ToolResult } from "../core/agent/action";
import { dayKey } from "../core/agent/local-day";
import { localConnector, type Connector } from "../gate/connector";
import { announceMemoryChanged } from "../memory/memory-channel";
import type { MemoryHit, MemorySearchResult } from "../memory/memory-search-service";
import type { MemoryStore } from "../memory/memory-store";
import { memoryResult, parseMemoryRef, provenanceOfSave } from "../memory/memory-tools";
import { isImportance } from "../memory/fact-rules";
import { TRUSTED } from "../memory/fact-rules";
import type { FactRecord } from "../store/memory-record";

/** Where `memory_search` runs: the agent worker's index. */
export type MemorySearch = (query: string, limit: number) => Promise<MemorySearchResult>;

export interface MemoryConnectorOptions {
  store: MemoryStore;
  search: MemorySearch;
  timeZone: string;
  now?: () => number;
  /** Tells other tabs and the worker's index; the real channel by default. */
  announce?: () => void;
}

/** The prefix a `memory_save` result's `ref` carries: what the chat's Undo takes. */
export const REVISION_REF = "revision:";

const DEFAULT_SEARCH_LIMIT = 5;

function factLine(fact: FactRecord, timeZone: string): string {
  const mark = fact.provenance.trust === "untrusted" ? `, from ${fact.provenance.sources.join(", ")}` : "";
  return `fact:${fact.id} (importance ${fact.importance}, ${dayKey(fact.updated, timeZone)}${mark}): ${fact.text}`;
}

function hitLine(hit: MemoryHit, timeZone: string): string {
  const when = hit.day ?? dayKey(hit.time, timeZone);
  const mark = hit.provenance.trust === "untrusted" ? `, from ${hit.provenance.sources.join(", ")}` : "";
  return `${hit.ref} (${when}${mark}): ${hit.text}`;
}

/**
 * The `memory` connector: runs `memory_save` (a fact, with the provenance its action's taint
 * gives it, as one undoable revision), `memory_get` and `memory_search` (through the worker's
 * index). Results built from facts that came from outside text are untrusted and name the sources.
 */
export function memoryConnector(options: MemoryConnectorOptions): Connector {
  const { store, timeZone } = options;
  const now = options.now ?? (() => Date.now());
  const announce = options.announce ?? announceMemoryChanged;

  async function save(args: Readonly<Record<string, unknown>>, action: ProposedAction): Promise<ToolResult> {
    const importance = isImportance(args.importance) ? args.importance : undefined;
    const { fact, revision } = await store.saveFact(
      {
        text: String(args.fact),
        origin: "chat",
        source: `action:${action.id}`,
        provenance: provenanceOfSave(action.taint),
        ...(importance !== undefined ? { importance } : {}),
      },
      now(),
    );
    announce();
    return { content: `Remembered as fact:${fact.id}.`, trusted: true, ref: `${REVISION_REF}${revision.id}` };
  }

  async function get(args: Readonly<Record<string, unknown>>): Promise<ToolResult> {
    const ref = parseMemoryRef(String(args.ref));
    if (!ref)
      return {
        content: `"${String(args.ref)}" is not a memory ref (fact:<id>, day:YYYY-MM-DD or profile).`,
        trusted: true,
      };
    switch (ref.kind) {
      case "fact": {
        const fact = await store.getFact(ref.id);
        if (!fact) return { content: `There is no fact:${ref.id}; it may have been deleted or undone.`, trusted: true };
        await store.markRecalled([fact.id], now());
        return memoryResult(factLine(fact, timeZone), [fact.provenance]);
      }
      case "day": {
        const notes = await store.notesOfDay(ref.day);
        if (notes.length === 0) return { content: `There are no notes for ${ref.day}.`, trusted: true };
        const lines = notes.map((note) => `- ${note.text}`);
        return memoryResult(
          `Notes of ${ref.day}:\n${lines.join("\n")}`,
          notes.map((note) => note.provenance),
        );
      }
      case "profile": {
        const profile = await store.getProfile();
        // The profile is the user's own page (USER.md), written or imported by them.
        return profile
          ? memoryResult(profile.text, [TRUSTED])
          : { content: "There is no user profile yet.", trusted: true };
      }
    }
  }

  async function search(args: Readonly<Record<string, unknown>>): Promise<ToolResult> {
    const query = String(args.query);
    const limit = typeof args.limit === "number" ? args.limit : DEFAULT_SEARCH_LIMIT;
    const result = await options.search(query, limit);
    const factIds = result.hits.flatMap((hit) => (hit.ref.startsWith("fact:") ? [hit.ref.slice("fact:".length)] : []));
    if (factIds.length > 0) await store.markRecalled(factIds, now());
    const mode =
      result.mode === "keyword" ? " (keyword search: no embedding model is loaded, so similar wording is missed)" : "";
    if (result.hits.length === 0) return { content: `Nothing in memory matches "${query}"${mode}.`, trusted: true };
    const lines = result.hits.map((hit) => hitLine(hit, timeZone));
    return memoryResult(
      `Memory for "${query}"${mode}:\n${lines.join("\n")}`,
      result.hits.map((hit) => hit.provenance),
    );
  }

  return localConnector("memory", (tool, args, _audit, action) => {
    switch (tool) {
      case "memory_save":
        return save(args, action);
      case "memory_get":
        return get(args);
      case "memory_search":
        return search(args);
      default:
        return Promise.reject(new Error(`The memory connector has no tool "${tool}".`));
    }
  });
}
