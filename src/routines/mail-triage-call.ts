import { estimatePromptTokens, estimateTokens } from "../core/agent/token-estimate";
import type { BudgetRefusal } from "../core/agent/token-budget";
import { serializeError } from "../core/errors";
import { parseTriageAnswer, type TriageDecision } from "../core/mail/triage-decision";
import { triageMessages } from "../core/mail/triage-prompt";
import { TRIAGE_MAX_TOKENS, TRIAGE_SCHEMA_TEXT } from "../core/mail/triage-schema";
import type { ChatEngine, FinishReason } from "../engine/chat-engine";
import type { MailRecord } from "../store/mail-record";
import type { RunBudget } from "../store/run-budget";

/** What one triage call gave: a decision, a problem with the answer, or a budget refusal (no call made). */
export type TriageCallResult =
  | { kind: "decided"; decision: TriageDecision; tokens: number }
  | { kind: "unusable"; problem: string; tokens: number; stopped: boolean }
  | { kind: "refused"; refusal: BudgetRefusal };

/**
 * Asks the model to triage one mail under the triage schema: checked against the routine's budget
 * first (prompt estimate plus the answer's cap), charged after, and recorded in the usage store
 * under the routine's name, as dreaming and the agent loop record theirs.
 */
export async function triageWithModel(
  engine: ChatEngine,
  budget: RunBudget,
  mail: MailRecord,
  signal: AbortSignal,
): Promise<TriageCallResult> {
  const messages = triageMessages(mail);
  const estimate = estimatePromptTokens(messages);
  const check = budget.guard.check(estimate + TRIAGE_MAX_TOKENS);
  if (!check.ok) return { kind: "refused", refusal: check.refusal };
  const startedAt = performance.now();
  let text = "";
  let finish: FinishReason = "stop";
  let promptTokens = estimate;
  let completionTokens: number | undefined;
  let failure: string | undefined;
  try {
    for await (const chunk of engine.stream({
      messages,
      temperature: 0,
      maxTokens: TRIAGE_MAX_TOKENS,
      responseFormat: { type: "json_object", schema: TRIAGE_SCHEMA_TEXT },
      signal,
    })) {
      if (chunk.kind === "delta") text += chunk.text;
      else {
        finish = chunk.finishReason;
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
  budget.report({
    promptTokens,
    completionTokens,
    estimated,
    latencyMs: performance.now() - startedAt,
    outcome: failure ? "failed" : finish === "abort" ? "aborted" : finish === "length" ? "truncated" : "completed",
  });
  const stopped = signal.aborted || finish === "abort";
  if (failure !== undefined) return { kind: "unusable", problem: `the model failed: ${failure}`, tokens, stopped };
  const parsed = parseTriageAnswer(text, finish);
  return parsed.ok
    ? { kind: "decided", decision: parsed.decision, tokens }
    : { kind: "unusable", problem: parsed.problem, tokens, stopped };
}
