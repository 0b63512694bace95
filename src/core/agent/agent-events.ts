import type { ChatUsage } from "../../engine/chat-engine";
import type { ActionOutcome, ProposedAction } from "./action";
import type { ContextItem } from "./context-item";

export type DoneReason = "answered" | "aborted" | "budget" | "max_turns" | "error" | "frozen";

export interface UsageTotals {
  promptTokens: number;
  completionTokens: number;
  engineCalls: number;
}

export type AgentErrorKind =
  /** The model's decision was not valid JSON, named no known tool, or broke a tool's schema. */
  | "invalid_decision"
  /** The engine threw (no model loaded, device lost, context window exceeded…). */
  | "engine"
  /** `proposeAction` threw instead of returning an outcome. */
  | "gate"
  /** The model proposed the same call twice in one run; the second was not passed on. */
  | "repeated_action"
  /** The conversation cannot be answered as it stands. */
  | "context"
  /** A bug: something the loop relies on threw. */
  | "internal";

export interface AgentError {
  kind: AgentErrorKind;
  /** An error class name from `ERROR_HINTS` where there is one, e.g. `ModelNotLoadedError`. */
  name: string;
  message: string;
  /** The model's raw output, for an invalid decision. */
  raw?: string;
}

/** What `runAgent` emits. Failures are events; the generator never throws. */
export type AgentEvent =
  | { type: "turn_start"; turn: number }
  /** A piece of the answer to show as it streams (only reply text; decisions are not streamed). */
  | { type: "token"; text: string }
  | { type: "tool_call_proposed"; action: ProposedAction }
  /** The Gate's outcome, and the context item it became (with its provenance). */
  | { type: "tool_result"; action: ProposedAction; outcome: ActionOutcome; item: ContextItem }
  /**
   * The conversation was too long for the model: the oldest items were summarised into `summary`
   * (after up to five facts from them were saved to memory); the newest `kept` items go on as they were.
   */
  | { type: "compacted"; summary: ContextItem; kept: number; savedFacts: number }
  | { type: "error"; error: AgentError; willRetry: boolean }
  /**
   * Always the last event. `added` holds every context item this run appended (decisions, tool
   * results, the answer, even a partial one), for the caller to persist.
   */
  | {
      type: "done";
      reason: DoneReason;
      message?: string;
      usage: UsageTotals;
      /** web-llm's figures for the streamed answer (time to first token, speed), when there was one. */
      replyUsage?: ChatUsage;
      added: ContextItem[];
    };

export type DoneEvent = Extract<AgentEvent, { type: "done" }>;
