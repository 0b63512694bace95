/**
 * What a dreaming run proposes, as the model's schema-constrained output is parsed: changes to
 * long-term facts, each citing the notes (by id) it rests on. Nothing here is trusted yet; the
 * guards in `dream-guards.ts` decide what of it may be applied.
 */
export type DreamOperation =
  | { op: "add"; text: string; importance: number; evidence: readonly string[] }
  | { op: "update"; factId: string; text?: string; importance?: number; evidence: readonly string[] }
  /** The first fact keeps its id and takes the new text; the others are retired. */
  | { op: "merge"; factIds: readonly string[]; text: string; importance: number; evidence: readonly string[] }
  | { op: "retire"; factId: string; reason: string };

export interface DreamProposal {
  operations: readonly DreamOperation[];
}
