import type { FactRecord, MemoryRevisionRecord } from "../store/memory-record";
import type { DreamMerge } from "./dream-journal-store";

/** A dreaming revision as the journal reads it: what was added, merged, updated and retired. */
export interface DreamDiff {
  added: FactRecord[];
  /** `into` before and after; `from`: the facts folded into it (retired). */
  merged: { before: FactRecord; after: FactRecord; from: FactRecord[] }[];
  updated: { before: FactRecord; after: FactRecord }[];
  retired: FactRecord[];
}

/** Sorts a revision's changes into the four kinds; merges are told apart by the journal's record of them. */
export function dreamDiff(revision: MemoryRevisionRecord, merges: readonly DreamMerge[]): DreamDiff {
  const byId = new Map(revision.changes.map((change) => [change.factId, change]));
  const folded = new Set(merges.flatMap((merge) => merge.from));
  const into = new Set(merges.map((merge) => merge.into));
  const diff: DreamDiff = { added: [], merged: [], updated: [], retired: [] };
  for (const merge of merges) {
    const kept = byId.get(merge.into);
    if (!kept?.before || !kept.after) continue;
    const from = merge.from.flatMap((id) => {
      const before = byId.get(id)?.before;
      return before ? [before] : [];
    });
    diff.merged.push({ before: kept.before, after: kept.after, from });
  }
  for (const change of revision.changes) {
    if (change.before === null && change.after) diff.added.push(change.after);
    else if (change.after === null && change.before && !folded.has(change.factId)) diff.retired.push(change.before);
    else if (change.before && change.after && !into.has(change.factId)) {
      diff.updated.push({ before: change.before, after: change.after });
    }
  }
  return diff;
}
