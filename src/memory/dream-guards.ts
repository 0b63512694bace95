import type { DailyNoteRecord, FactRecord, MemoryProvenance } from "../store/memory-record";
import type { DreamOperation, DreamProposal } from "./dream-proposal";
import type { FactOperation } from "./fact-operation";
import { combineProvenance, factTextProblem, normaliseFactText, toImportance } from "./fact-rules";

/** A run may retire at most this share of the facts that exist when it starts. */
export const MAX_RETIRE_SHARE = 0.25;

export interface GuardContext {
  /** Every fact as it is now. */
  facts: readonly FactRecord[];
  /** The notes the run read: the only evidence a proposal may cite. */
  notes: readonly DailyNoteRecord[];
  /** Written into each new fact's `source`, e.g. "dream:2026-05-01". */
  source: string;
}

/** Something the guards changed or left out, with the index of the proposed operation. */
export interface GuardNote {
  index: number;
  message: string;
}

export type GuardVerdict =
  | {
      ok: true;
      /** Ready for `MemoryStore.applyRevision`; may be empty. */
      operations: FactOperation[];
      /** Operations left out, and why. */
      dropped: GuardNote[];
      /** Facts written with an untrusted mark because of what they were drawn from. */
      marked: GuardNote[];
      retired: number;
    }
  /** The whole run is refused: nothing of it may be applied. */
  | { ok: false; reason: string; retired: number; limit: number };

/** The most facts a run may retire out of `total`: a floor, so the share is never exceeded. */
export function retireLimit(total: number): number {
  return Math.floor(total * MAX_RETIRE_SHARE);
}

type Checked = { operations: FactOperation[]; retires: number; provenance?: MemoryProvenance } | string;

/**
 * The deterministic checks a dreaming proposal passes before anything is written:
 * - it never retires more than 25% of the facts (counting merges' retired facts): else the whole
 *   run is refused;
 * - every fact it writes is drawn from the notes it cites and the facts it rewrites; if any of
 *   those is untrusted, so is the fact, naming their sources (stricter than "only untrusted
 *   sources", since a fact mixing a mail's claim with the user's words still carries the claim);
 * - fact texts are capped (`MAX_FACT_CHARS`) and one line; pinned facts are never touched;
 *   unknown ids, uncited additions and a second touch of the same fact are left out.
 */
export function guardDream(proposal: DreamProposal, context: GuardContext): GuardVerdict {
  const facts = new Map(context.facts.map((fact) => [fact.id, fact]));
  const notes = new Map(context.notes.map((note) => [note.id, note]));
  const touched = new Set<string>();
  const operations: FactOperation[] = [];
  const dropped: GuardNote[] = [];
  const marked: GuardNote[] = [];
  let retired = 0;

  const evidenceOf = (ids: readonly string[]): MemoryProvenance[] | string => {
    const found: MemoryProvenance[] = [];
    for (const id of ids) {
      const note = notes.get(id);
      if (!note) return `cites a note this run did not read (${id}).`;
      found.push(note.provenance);
    }
    return found;
  };

  /** Facts an operation rewrites or retires: they must exist, be unpinned and untouched so far. */
  const claim = (ids: readonly string[]): FactRecord[] | string => {
    const claimed: FactRecord[] = [];
    for (const id of ids) {
      const fact = facts.get(id);
      if (!fact) return `names a fact that does not exist (${id}).`;
      if (fact.pinned) return `would change a pinned fact (${id}).`;
      if (touched.has(id) || claimed.includes(fact)) return `touches a fact already changed in this run (${id}).`;
      claimed.push(fact);
    }
    return claimed;
  };

  const textOf = (raw: string): string | { problem: string } => {
    const text = normaliseFactText(raw);
    const problem = factTextProblem(text);
    return problem ? { problem } : text;
  };

  const check = (operation: DreamOperation): Checked => {
    if (operation.op === "retire") {
      const claimed = claim([operation.factId]);
      if (typeof claimed === "string") return claimed;
      return { operations: [{ op: "retire", id: operation.factId }], retires: 1 };
    }
    const evidence = evidenceOf(operation.evidence);
    if (typeof evidence === "string") return evidence;
    if (operation.op === "add") {
      if (evidence.length === 0) return "adds a fact without citing any note.";
      const text = textOf(operation.text);
      if (typeof text !== "string") return text.problem;
      const provenance = combineProvenance(evidence);
      const fact = { text, origin: "dreaming" as const, source: context.source, provenance };
      return {
        operations: [{ op: "add", fact: { ...fact, importance: toImportance(operation.importance) } }],
        retires: 0,
        provenance,
      };
    }
    const ids = operation.op === "update" ? [operation.factId] : operation.factIds;
    if (operation.op === "merge" && new Set(ids).size < 2) return "merges fewer than two facts.";
    const claimed = claim(ids);
    if (typeof claimed === "string") return claimed;
    const [kept, ...others] = claimed;
    if (!kept) return "names no fact.";
    const provenance = combineProvenance([...claimed.map((fact) => fact.provenance), ...evidence]);
    const patch: Extract<FactOperation, { op: "update" }>["patch"] = { provenance };
    if (operation.text !== undefined) {
      const text = textOf(operation.text);
      if (typeof text !== "string") return text.problem;
      if (text !== kept.text) patch.text = text;
    }
    if (operation.importance !== undefined) {
      const importance = toImportance(operation.importance);
      if (importance !== kept.importance) patch.importance = importance;
    }
    if (others.length === 0 && patch.text === undefined && patch.importance === undefined) return "changes nothing.";
    return {
      operations: [
        { op: "update", id: kept.id, patch },
        ...others.map((fact): FactOperation => ({ op: "retire", id: fact.id })),
      ],
      retires: others.length,
      provenance,
    };
  };

  proposal.operations.forEach((operation, index) => {
    const checked = check(operation);
    if (typeof checked === "string") {
      dropped.push({ index, message: `Left out: ${checked}` });
      return;
    }
    for (const planned of checked.operations) if (planned.op !== "add") touched.add(planned.id);
    operations.push(...checked.operations);
    retired += checked.retires;
    if (checked.provenance?.trust === "untrusted") {
      marked.push({ index, message: `Marked untrusted: drawn from ${checked.provenance.sources.join(", ")}.` });
    }
  });

  const limit = retireLimit(context.facts.length);
  if (retired > limit) {
    const share = context.facts.length > 0 ? Math.round((retired / context.facts.length) * 100) : 100;
    return {
      ok: false,
      reason:
        `This run would retire ${retired} of ${context.facts.length} facts (${share}%); ` +
        `a run may retire at most ${Math.round(MAX_RETIRE_SHARE * 100)}% (${limit}). Nothing was changed.`,
      retired,
      limit,
    };
  }
  return { ok: true, operations, dropped, marked, retired };
}
