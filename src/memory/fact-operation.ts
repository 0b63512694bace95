import type { FactChange, FactRecord, Importance, MemoryOrigin, MemoryProvenance } from "../store/memory-record";
import { DEFAULT_IMPORTANCE, factTextProblem, normaliseFactText } from "./fact-rules";

/** A new fact as a caller describes it; the store fills in id and times. */
export interface FactInput {
  text: string;
  origin: MemoryOrigin;
  source: string;
  provenance: MemoryProvenance;
  importance?: Importance;
  pinned?: boolean;
}

/** The fields a change may set. A new text drops the embedding, which described the old one. */
export type FactPatch = Partial<Pick<FactRecord, "text" | "source" | "provenance" | "importance" | "pinned">>;

export type FactOperation =
  | { op: "add"; fact: FactInput; /** Chosen by the caller (tests, imports); a fresh UUID otherwise. */ id?: string }
  | { op: "update"; id: string; patch: FactPatch }
  | { op: "retire"; id: string };

export type ChangePlan = { ok: true; changes: FactChange[] } | { ok: false; problems: string[] };

/** One operation against the fact as it is now: its change, or what is wrong with it. */
function planOne(operation: FactOperation, id: string, before: FactRecord | null, now: number): FactChange | string {
  if (operation.op === "add") {
    if (before) return "a fact with this id exists.";
    const text = normaliseFactText(operation.fact.text);
    const problem = factTextProblem(text);
    if (problem) return problem;
    const { origin, source, provenance } = operation.fact;
    const after: FactRecord = {
      id,
      text,
      origin,
      source,
      provenance,
      importance: operation.fact.importance ?? DEFAULT_IMPORTANCE,
      pinned: operation.fact.pinned ?? false,
      created: now,
      updated: now,
    };
    return { factId: id, before: null, after };
  }
  if (!before) return "no such fact.";
  if (operation.op === "retire") return { factId: id, before, after: null };
  const after: FactRecord = { ...before, ...operation.patch, updated: now };
  if (operation.patch.text !== undefined) {
    after.text = normaliseFactText(operation.patch.text);
    const problem = factTextProblem(after.text);
    if (problem) return problem;
    if (after.text !== before.text) delete after.embedding;
  }
  return { factId: id, before, after };
}

/**
 * Turns operations into before/after pairs against the facts as they are now (`current` holds a
 * record, or undefined, for every id the operations name). Pure, so the store can run it inside
 * its transaction and write nothing at all when any operation is wrong.
 */
export function planChanges(
  operations: readonly FactOperation[],
  current: ReadonlyMap<string, FactRecord | undefined>,
  now: number,
  newId: () => string = () => crypto.randomUUID(),
): ChangePlan {
  const problems: string[] = [];
  const changes: FactChange[] = [];
  const seen = new Set<string>();
  for (const [index, operation] of operations.entries()) {
    const id = operation.op === "add" ? (operation.id ?? newId()) : operation.id;
    const where = `operation ${index + 1} (${operation.op} ${id})`;
    // One revision holds one previous state per fact, so a fact is touched once.
    if (seen.has(id)) {
      problems.push(`${where}: touches a fact an earlier operation already touched.`);
      continue;
    }
    seen.add(id);
    const planned = planOne(operation, id, current.get(id) ?? null, now);
    if (typeof planned === "string") problems.push(`${where}: ${planned}`);
    else changes.push(planned);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, changes };
}

/**
 * Whether a fact still has the content a revision left. Recall times and embeddings are left out:
 * searching or embedding a fact after a dream must not block undoing that dream.
 */
export function sameContent(a: FactRecord | null | undefined, b: FactRecord | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  return (
    a.id === b.id &&
    a.text === b.text &&
    a.origin === b.origin &&
    a.source === b.source &&
    a.importance === b.importance &&
    a.pinned === b.pinned &&
    a.created === b.created &&
    a.updated === b.updated &&
    JSON.stringify(a.provenance) === JSON.stringify(b.provenance)
  );
}
