import type { ApprovalRecord } from "../store/approval-record";

/** The part of the Gate the boards read: an action's record, and a word when any changes. */
export interface CardsPort {
  get(id: string): Promise<ApprovalRecord | undefined>;
  subscribe(listener: () => void): () => void;
}

/** Where a card proposed by a routine stands, in the user's words; `waiting` marks the ones to act on. */
export interface CardStatus {
  text: string;
  waiting: boolean;
}

/**
 * A routine's card as a board line: "waits for your approval", "approved and run", "you rejected
 * it", …. `what` names the action: "The re-run", "The draft reply".
 */
export function cardStatus(record: ApprovalRecord | undefined, what: string, done: string): CardStatus {
  if (!record) return { text: `${what} is no longer in Approvals.`, waiting: false };
  switch (record.status) {
    case "pending":
      return { text: `${what} waits for your approval.`, waiting: true };
    case "frozen":
      return { text: `${what} waits: Tabclaw is paused.`, waiting: true };
    case "executing":
      return { text: `${what} is running now.`, waiting: false };
    case "executed":
      return { text: done, waiting: false };
    case "rejected":
      return { text: `You rejected ${what.charAt(0).toLowerCase()}${what.slice(1)}.`, waiting: false };
    case "failed":
      return { text: `${what} failed: ${record.error?.message ?? "no reason given"}`, waiting: false };
  }
}

/** Reads the records of several cards at once; ids without a record are left out. */
export async function readCards(gate: CardsPort, ids: Iterable<string>): Promise<Map<string, ApprovalRecord>> {
  const unique = [...new Set(ids)];
  const records = await Promise.all(unique.map((id) => gate.get(id)));
  const found = new Map<string, ApprovalRecord>();
  unique.forEach((id, index) => {
    const record = records[index];
    if (record) found.set(id, record);
  });
  return found;
}
