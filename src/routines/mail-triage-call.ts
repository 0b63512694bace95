import type { BudgetRefusal } from "../core/agent/token-budget";
import { parseTriageAnswer, type TriageDecision } from "../core/mail/triage-decision";
import { triageMessages } from "../core/mail/triage-prompt";
import { TRIAGE_MAX_TOKENS, TRIAGE_SCHEMA_TEXT } from "../core/mail/triage-schema";
import type { ChatEngine } from "../engine/chat-engine";
import { meteredEngineCall } from "../engine/metered-engine-call";
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
  const call = await meteredEngineCall(engine, budget, {
    messages: triageMessages(mail),
    temperature: 0,
    maxTokens: TRIAGE_MAX_TOKENS,
    responseFormat: { type: "json_object", schema: TRIAGE_SCHEMA_TEXT },
    signal,
  });
  if (call.kind === "refused") return call;
  const { tokens } = call;
  const stopped = signal.aborted || call.finishReason === "abort";
  if (call.failure !== undefined)
    return { kind: "unusable", problem: `the model failed: ${call.failure}`, tokens, stopped };
  const parsed = parseTriageAnswer(call.text, call.finishReason);
  return parsed.ok
    ? { kind: "decided", decision: parsed.decision, tokens }
    : { kind: "unusable", problem: parsed.problem, tokens, stopped };
}
