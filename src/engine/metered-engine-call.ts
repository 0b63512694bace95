import type { EngineCallReport } from "../core/agent/agent-loop";
import { estimatePromptTokens, estimateTokens } from "../core/agent/token-estimate";
import type { BudgetRefusal } from "../core/agent/token-budget";
import { serializeError } from "../core/errors";
import type { RunBudget } from "../store/run-budget";
import type { ChatEngine, ChatRequest, FinishReason } from "./chat-engine";

/** What one metered call gave: a refusal (no call was made), or the answer and what it cost. */
export type MeteredCall =
  | { kind: "refused"; refusal: BudgetRefusal }
  | { kind: "answered"; text: string; finishReason: FinishReason; tokens: number; failure?: string };

/**
 * One engine call outside the chat (dreaming, a routine's constrained answer): checked against the
 * run's budget first (the prompt's estimate plus the answer's cap), then charged and recorded in
 * the usage store with its outcome, as the agent loop records chat. A failed call is an answer
 * with `failure` set: its tokens were spent all the same.
 */
export async function meteredEngineCall(
  engine: ChatEngine,
  budget: RunBudget,
  request: ChatRequest,
): Promise<MeteredCall> {
  const promptEstimate = estimatePromptTokens(request.messages);
  const check = budget.guard.check(promptEstimate + (request.maxTokens ?? 0));
  if (!check.ok) return { kind: "refused", refusal: check.refusal };
  const startedAt = performance.now();
  let text = "";
  let finishReason: FinishReason = "stop";
  let promptTokens = promptEstimate;
  let completionTokens: number | undefined;
  let failure: string | undefined;
  try {
    for await (const chunk of engine.stream(request)) {
      if (chunk.kind === "delta") text += chunk.text;
      else {
        finishReason = chunk.finishReason;
        if (chunk.usage) {
          promptTokens = chunk.usage.promptTokens;
          completionTokens = chunk.usage.completionTokens;
        }
      }
    }
  } catch (error) {
    failure = serializeError(error).message;
  }
  // Without a usage report, count an estimate, never zero.
  const estimated = completionTokens === undefined;
  completionTokens ??= estimateTokens(text);
  const tokens = promptTokens + completionTokens;
  budget.guard.record(tokens);
  const report: EngineCallReport = {
    promptTokens,
    completionTokens,
    estimated,
    latencyMs: performance.now() - startedAt,
    outcome: failure
      ? "failed"
      : finishReason === "abort"
        ? "aborted"
        : finishReason === "length"
          ? "truncated"
          : "completed",
  };
  budget.report(report);
  return { kind: "answered", text, finishReason, tokens, ...(failure !== undefined ? { failure } : {}) };
}
