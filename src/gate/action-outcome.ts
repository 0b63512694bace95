import type { ActionOutcome } from "../core/agent/action";
import type { ApprovalRecord } from "../store/approval-record";

const KILL_SWITCH_MESSAGE = "The kill switch is on: this waits, frozen, until you turn it off.";

/** What the agent is told about an action, from its record: for a repeated proposal or a later run. */
export function outcomeOf(record: ApprovalRecord): ActionOutcome {
  switch (record.status) {
    case "pending":
      return { status: "pending", message: record.why };
    case "frozen":
      return { status: "frozen", message: KILL_SWITCH_MESSAGE };
    case "rejected":
      return { status: "rejected", message: record.note ? `You rejected this: ${record.note}` : "You rejected this." };
    case "executing":
      return { status: "pending", message: "It is running now; its result will follow." };
    case "executed":
      return { status: "executed", result: record.result ?? { content: "", trusted: true } };
    case "failed":
      return { status: "failed", error: record.error ?? { name: "UnknownError", message: "It failed." } };
  }
}
