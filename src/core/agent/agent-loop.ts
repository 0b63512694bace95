import type { ChatChunk, ChatRequest, ChatTurn, ChatUsage, FinishReason } from "../../engine/chat-engine";
import { serializeError } from "../errors";
import type { ActionOutcome, ProposedAction } from "./action";
import type { AgentError, AgentEvent, DoneEvent, DoneReason, UsageTotals } from "./agent-events";
import { modelMessage, systemNote, type ContextItem } from "./context-item";
import { parseDecision, type AgentDecision } from "./parse-decision";
import { renderMessages } from "./render-messages";
import { buildSystemPrompt } from "./system-prompt";
import { assessTaint } from "./taint";
import type { BudgetGuard, BudgetRefusal } from "./token-budget";
import { estimatePromptTokens, estimateTokens } from "./token-estimate";
import type { AnyToolDefinition } from "./tool";
import { toolProposal } from "./tool-proposal";
import type { ToolRegistry } from "./tool-registry";
import { stableStringify } from "./stable-stringify";

export type StreamFunction = (request: ChatRequest) => AsyncIterable<ChatChunk>;

export interface RunAgentOptions {
  /** The engine, e.g. `(request) => chatEngine.stream(request)`. */
  stream: StreamFunction;
  registry: ToolRegistry;
  /** The conversation so far; it must end with a user message or a tool result. */
  context: readonly ContextItem[];
  /** The Gate. The loop never runs a tool itself; it waits for the Gate's outcome. */
  proposeAction: (action: ProposedAction) => Promise<ActionOutcome>;
  /** Checked before every engine call; every call's tokens are recorded on it. */
  budget: BudgetGuard;
  signal?: AbortSignal;
  /** Decisions per run before it stops with `max_turns`. */
  maxTurns?: number;
  /** Put in the system prompt, e.g. "Tuesday 2026-11-24". */
  today?: string;
  decisionMaxTokens?: number;
  replyMaxTokens?: number;
  temperature?: number;
  /** Idempotency keys for actions; `crypto.randomUUID` by default. */
  newActionId?: () => string;
  now?: () => number;
  /** Told after every engine call (tokens, latency, how it ended), e.g. to keep the usage ledger. */
  onEngineCall?: (report: EngineCallReport) => void;
}

/** One engine call as the usage ledger records it. */
export interface EngineCallReport {
  promptTokens: number;
  completionTokens: number;
  /** True when the engine reported no usage and the figures are estimates. */
  estimated: boolean;
  latencyMs: number;
  outcome: "completed" | "truncated" | "aborted" | "failed";
}

export const DEFAULT_MAX_TURNS = 6;
/** Room for a reason and arguments; a decision cut off here is malformed and retried. */
export const DEFAULT_DECISION_MAX_TOKENS = 512;
export const DEFAULT_REPLY_MAX_TOKENS = 1024;
/** One retry after a malformed decision, then the run ends with `error`. */
export const DECISION_ATTEMPTS = 2;

type EngineCall =
  | { kind: "completed"; text: string; finishReason: FinishReason; usage?: ChatUsage }
  | { kind: "failed"; text: string; error: AgentError }
  | { kind: "refused"; refusal: BudgetRefusal };

/** How an outcome reads to the model on the next turn. Notes are Tabclaw's words, hence trusted. */
function outcomeItem(tool: AnyToolDefinition, action: ProposedAction, outcome: ActionOutcome): ContextItem {
  const note = (content: string): ContextItem => ({
    content,
    provenance: { kind: "tool", tool: tool.name, trusted: true },
    actionId: action.id,
  });
  switch (outcome.status) {
    case "executed": {
      // Either side can mark a result untrusted; neither can upgrade the other.
      const trusted = outcome.result.trusted && tool.resultTrust === "trusted";
      const source = outcome.result.source;
      return {
        content: outcome.result.content,
        provenance: { kind: "tool", tool: tool.name, trusted, ...(source !== undefined ? { source } : {}) },
        actionId: action.id,
      };
    }
    case "pending":
      return note(`Proposed; waiting for the user's approval (${outcome.message}). It has not happened yet.`);
    case "rejected":
      return note(`The user rejected this action. ${outcome.message}`.trim());
    case "denied":
      return note(`Blocked by the user's settings: ${outcome.message}`);
    case "frozen":
      return note(`Frozen: ${outcome.message}`);
    case "failed":
      return note(`Failed: ${outcome.error.message}`);
  }
}

type Settled<T> = { aborted: false; value: T } | { aborted: true };

/** Waits for `promise` unless `signal` aborts first (the promise keeps running; the run stops waiting). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<Settled<T>> {
  if (!signal) return promise.then((value) => ({ aborted: false, value }));
  if (signal.aborted) return Promise.resolve({ aborted: true });
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve({ aborted: true });
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve({ aborted: false, value });
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

class AgentRun {
  readonly #options: RunAgentOptions;
  readonly #context: ContextItem[];
  readonly #added: ContextItem[] = [];
  readonly #usage: UsageTotals = { promptTokens: 0, completionTokens: 0, engineCalls: 0 };
  #replyUsage: ChatUsage | undefined;
  /** Calls already passed to the Gate in this run, by tool and arguments, with their status. */
  readonly #proposed = new Map<string, ActionOutcome["status"]>();
  readonly #decidePrompt: string;
  readonly #replyPrompt: string;

  constructor(options: RunAgentOptions) {
    this.#options = options;
    this.#context = [...options.context];
    const tools = options.registry.list();
    const today = options.today !== undefined ? { today: options.today } : {};
    this.#decidePrompt = buildSystemPrompt({ tools, mode: "decide", ...today });
    this.#replyPrompt = buildSystemPrompt({ tools, mode: "reply", ...today });
  }

  get #aborted(): boolean {
    return this.#options.signal?.aborted ?? false;
  }

  done(reason: DoneReason, message?: string): DoneEvent {
    return {
      type: "done",
      reason,
      ...(message !== undefined ? { message } : {}),
      usage: { ...this.#usage },
      ...(this.#replyUsage ? { replyUsage: this.#replyUsage } : {}),
      added: [...this.#added],
    };
  }

  async *events(): AsyncGenerator<AgentEvent, void, undefined> {
    const last = this.#context.at(-1);
    if (!last || last.provenance.kind === "model") {
      const message = "There is nothing to answer: the conversation must end with a message or a tool result.";
      yield { type: "error", error: { kind: "context", name: "NothingToAnswerError", message }, willRetry: false };
      yield this.done("error", message);
      return;
    }
    const maxTurns = this.#options.maxTurns ?? DEFAULT_MAX_TURNS;
    for (let turn = 1; turn <= maxTurns; turn += 1) {
      if (this.#aborted) {
        yield this.done("aborted");
        return;
      }
      yield { type: "turn_start", turn };
      const decision = yield* this.#decide();
      if ("type" in decision) {
        yield decision;
        return;
      }
      if (decision.kind === "reply") {
        const done = yield* this.#reply();
        yield done;
        return;
      }
      const stop = yield* this.#act(decision);
      if (stop) {
        yield stop;
        return;
      }
    }
    yield this.done("max_turns", `Stopped after ${maxTurns} steps without an answer.`);
  }

  #append(item: ContextItem): void {
    this.#context.push(item);
    this.#added.push(item);
  }

  async *#callEngine(request: ChatRequest, streamTokens: boolean): AsyncGenerator<AgentEvent, EngineCall, undefined> {
    const promptEstimate = estimatePromptTokens(request.messages);
    const check = this.#options.budget.check(promptEstimate + (request.maxTokens ?? 0));
    if (!check.ok) return { kind: "refused", refusal: check.refusal };
    this.#usage.engineCalls += 1;
    const startedAt = performance.now();
    let text = "";
    let finishReason: FinishReason = "stop";
    let promptTokens = promptEstimate;
    let completionTokens: number | undefined;
    let reported: ChatUsage | undefined;
    let failure: AgentError | undefined;
    try {
      for await (const chunk of this.#options.stream(request)) {
        if (chunk.kind === "delta") {
          text += chunk.text;
          if (streamTokens && chunk.text !== "") yield { type: "token", text: chunk.text };
        } else {
          finishReason = chunk.finishReason;
          if (chunk.usage) {
            reported = chunk.usage;
            promptTokens = chunk.usage.promptTokens;
            completionTokens = chunk.usage.completionTokens;
          }
        }
      }
    } catch (error) {
      // Some engines throw when stopped; a stop is an abort, not a failure.
      if (!this.#aborted) {
        const serialized = serializeError(error);
        failure = { kind: "engine", name: serialized.name, message: serialized.message };
      }
    }
    // Without a usage report (a failure, an engine that gives none), count an estimate, never zero.
    const estimated = completionTokens === undefined;
    completionTokens ??= estimateTokens(text);
    this.#usage.promptTokens += promptTokens;
    this.#usage.completionTokens += completionTokens;
    this.#options.budget.record(promptTokens + completionTokens);
    const ended: FinishReason = this.#aborted ? "abort" : finishReason;
    this.#options.onEngineCall?.({
      promptTokens,
      completionTokens,
      estimated,
      latencyMs: performance.now() - startedAt,
      outcome: failure ? "failed" : ended === "abort" ? "aborted" : ended === "length" ? "truncated" : "completed",
    });
    if (failure) return { kind: "failed", text, error: failure };
    return { kind: "completed", text, finishReason: ended, ...(reported ? { usage: reported } : {}) };
  }

  async *#decide(): AsyncGenerator<AgentEvent, AgentDecision | DoneEvent, undefined> {
    let feedback: string | undefined;
    for (let attempt = 1; attempt <= DECISION_ATTEMPTS; attempt += 1) {
      const items = feedback === undefined ? this.#context : [...this.#context, systemNote(feedback)];
      const call = yield* this.#callEngine(
        this.#request(renderMessages(this.#decidePrompt, items), this.#options.decisionMaxTokens, true),
        false,
      );
      if (call.kind === "refused") return this.done("budget", call.refusal.message);
      if (call.kind === "failed") {
        yield { type: "error", error: call.error, willRetry: false };
        return this.done("error", call.error.message);
      }
      if (call.finishReason === "abort") return this.done("aborted");
      const parsed = parseDecision(call.text, this.#options.registry);
      if (parsed.ok) return parsed.decision;
      const willRetry = attempt < DECISION_ATTEMPTS;
      yield {
        type: "error",
        error: { kind: "invalid_decision", name: "InvalidDecisionError", message: parsed.problem, raw: call.text },
        willRetry,
      };
      feedback = `Your last answer was rejected: ${parsed.problem}. Answer again with one valid JSON object.`;
    }
    return this.done("error", "The model gave no valid decision, even after a retry.");
  }

  async *#reply(): AsyncGenerator<AgentEvent, DoneEvent, undefined> {
    const call = yield* this.#callEngine(
      this.#request(renderMessages(this.#replyPrompt, this.#context), this.#options.replyMaxTokens, false),
      true,
    );
    if (call.kind === "refused") return this.done("budget", call.refusal.message);
    if (call.kind === "completed" && call.usage) this.#replyUsage = call.usage;
    // Whatever was shown stays in the conversation, even when the answer stopped early.
    if (call.text !== "") this.#append(modelMessage(call.text));
    if (call.kind === "failed") {
      yield { type: "error", error: call.error, willRetry: false };
      return this.done("error", call.error.message);
    }
    if (call.finishReason === "abort") return this.done("aborted");
    if (call.finishReason === "length") return this.done("answered", "The answer reached its length limit.");
    return this.done("answered");
  }

  async *#act(decision: Extract<AgentDecision, { kind: "tool" }>): AsyncGenerator<AgentEvent, DoneEvent | undefined> {
    const tool = this.#options.registry.get(decision.tool);
    if (!tool) return this.done("error", `There is no tool named "${decision.tool}".`);
    const decisionItem = modelMessage(
      JSON.stringify({ tool: decision.tool, reason: decision.reason, arguments: decision.arguments }),
    );
    const fingerprint = `${tool.name}:${stableStringify(decision.arguments)}`;
    const earlier = this.#proposed.get(fingerprint);
    if (earlier !== undefined) {
      // Not passed on again: a model stuck in a loop must not flood the approval queue.
      const message = `${tool.name} was already proposed with these arguments in this run (${earlier}).`;
      yield {
        type: "error",
        error: { kind: "repeated_action", name: "RepeatedActionError", message },
        willRetry: false,
      };
      this.#append(decisionItem);
      this.#append(systemNote(`${message} Do not propose it again; answer the user instead.`));
      return undefined;
    }

    const action: ProposedAction = toolProposal(tool, {
      id: this.#options.newActionId?.() ?? crypto.randomUUID(),
      arguments: decision.arguments,
      reason: decision.reason,
      // Judged on the context as it was when the model chose this call.
      taint: assessTaint(decision.arguments, this.#context),
      proposedAt: this.#options.now?.() ?? Date.now(),
    });
    yield { type: "tool_call_proposed", action };
    this.#append(decisionItem);

    let outcome: ActionOutcome;
    try {
      const settled = await untilAborted(this.#options.proposeAction(action), this.#options.signal);
      if (settled.aborted) return this.done("aborted");
      outcome = settled.value;
    } catch (error) {
      const serialized = serializeError(error);
      yield {
        type: "error",
        error: { kind: "gate", name: serialized.name, message: serialized.message },
        willRetry: false,
      };
      outcome = { status: "failed", error: serialized };
    }
    this.#proposed.set(fingerprint, outcome.status);
    const item = outcomeItem(tool, action, outcome);
    this.#append(item);
    yield { type: "tool_result", action, outcome, item };
    if (outcome.status === "frozen") return this.done("frozen", outcome.message);
    return undefined;
  }

  #request(messages: ChatTurn[], maxTokens: number | undefined, constrained: boolean): ChatRequest {
    const options = this.#options;
    return {
      messages,
      maxTokens: maxTokens ?? (constrained ? DEFAULT_DECISION_MAX_TOKENS : DEFAULT_REPLY_MAX_TOKENS),
      ...(constrained
        ? { responseFormat: { type: "json_object" as const, schema: options.registry.decisionSchema() } }
        : {}),
      ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
    };
  }
}

/**
 * Runs the agent over one user turn: decide (constrained JSON) → propose a tool call to the Gate
 * → feed its outcome back → … → reply (streamed text). Emits events; never throws.
 */
export async function* runAgent(options: RunAgentOptions): AsyncGenerator<AgentEvent, void, undefined> {
  const run = new AgentRun(options);
  try {
    yield* run.events();
  } catch (error) {
    // A bug in the loop (or a throwing budget guard) still ends as events, never as a rejection.
    const serialized = serializeError(error);
    yield {
      type: "error",
      error: { kind: "internal", name: serialized.name, message: serialized.message },
      willRetry: false,
    };
    yield run.done("error", serialized.message);
  }
}
