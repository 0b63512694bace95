import type { ActionOutcome, ProposedAction } from "../core/agent/action";
import type { AgentEvent } from "../core/agent/agent-events";
import { runAgent } from "../core/agent/agent-loop";
import {
  compactionRequest,
  DEFAULT_CONTEXT_WINDOW,
  parseCompaction,
  planCompaction,
  summaryItem,
  untrustedSourcesOf,
} from "../core/agent/compaction";
import type { ContextItem } from "../core/agent/context-item";
import { buildSystemPrompt } from "../core/agent/system-prompt";
import { estimatePromptTokens, estimateTokens } from "../core/agent/token-estimate";
import { announceMemoryChanged } from "../memory/memory-channel";
import { MemoryStore } from "../memory/memory-store";
import type { MemoryProvenance } from "../store/memory-record";
import type { ToolRegistry } from "../core/agent/tool-registry";
import { serializeError } from "../core/errors";
import type { Database } from "../store/database";
import { RunBudget } from "../store/run-budget";
import type { ChatEngine, ChatUsage } from "./chat-engine";

/** One agent run as the page asks for it. */
export interface AgentRunRequest {
  /** The conversation so far, each item with its provenance; it ends with the user's message. */
  context: ContextItem[];
  /** Whose budget pays: `chat`, or a routine's name. */
  routine: string;
  /** The user's date, for the system prompt, e.g. "Tuesday 2026-11-24". */
  today: string;
}

export interface AgentTurnOptions {
  engine: ChatEngine;
  db: Database;
  registry: ToolRegistry;
  request: AgentRunRequest;
  /** Awaited for every event, so the page sees them in order. */
  onEvent: (event: AgentEvent) => void | Promise<void>;
  /** The page's Gate. */
  proposeAction: (action: ProposedAction) => Promise<ActionOutcome>;
  signal?: AbortSignal;
  /** The loaded model's context window in tokens; web-llm's usual 4,096 when unknown. */
  contextWindow?: number;
}

/** Thrown when a run is asked for with no model on the GPU. */
function modelNotLoaded(): Error {
  return Object.assign(new Error("No model is loaded."), { name: "ModelNotLoadedError" });
}

/**
 * Save before forgetting: when the conversation no longer fits the model, the oldest part is
 * summarised and the facts worth keeping from it are saved to memory (one revision, marked
 * untrusted when outside text was in that part) before it leaves the context. The page hears
 * `compacted` and stores the summary. If the summariser fails, nothing is cut: the user is told.
 */
async function compactIfNeeded(options: AgentTurnOptions, budget: RunBudget): Promise<ContextItem[]> {
  const { request, engine, onEvent } = options;
  const contextWindow = options.contextWindow ?? DEFAULT_CONTEXT_WINDOW;
  const prompt = buildSystemPrompt({ tools: options.registry.list(), mode: "decide", today: request.today });
  const plan = planCompaction(request.context, prompt, contextWindow);
  if (!plan) return request.context;
  const summariserRequest = compactionRequest(plan.compacted, contextWindow);
  const estimate = estimatePromptTokens(summariserRequest.messages) + (summariserRequest.maxTokens ?? 0);
  if (!budget.guard.check(estimate).ok) return request.context;
  const started = performance.now();
  let text = "";
  let usage: ChatUsage | undefined;
  try {
    for await (const chunk of engine.stream({
      ...summariserRequest,
      ...(options.signal ? { signal: options.signal } : {}),
    })) {
      if (chunk.kind === "delta") text += chunk.text;
      else if (chunk.usage) usage = chunk.usage;
    }
  } catch (error) {
    const problem = serializeError(error);
    await onEvent({
      type: "error",
      error: { kind: "engine", name: problem.name, message: problem.message },
      willRetry: false,
    });
    return request.context;
  }
  const promptTokens = usage?.promptTokens ?? estimatePromptTokens(summariserRequest.messages);
  const completionTokens = usage?.completionTokens ?? estimateTokens(text);
  budget.guard.record(promptTokens + completionTokens);
  budget.report({
    promptTokens,
    completionTokens,
    estimated: usage === undefined,
    latencyMs: performance.now() - started,
    outcome: "completed",
  });
  const result = parseCompaction(text);
  if (!result) {
    const message = "The conversation is too long for the model and could not be summarised. Start a new conversation.";
    await onEvent({
      type: "error",
      error: { kind: "context", name: "ContextWindowExceededError", message },
      willRetry: false,
    });
    return request.context;
  }
  const sources = untrustedSourcesOf(plan.compacted);
  const provenance: MemoryProvenance = sources.length === 0 ? { trust: "trusted" } : { trust: "untrusted", sources };
  let savedFacts = 0;
  if (result.facts.length > 0) {
    const revision = await new MemoryStore(options.db).applyRevision(
      {
        origin: "compaction",
        summary: "Saved before a long conversation was shortened",
        operations: result.facts.map((fact) => ({
          op: "add" as const,
          fact: {
            text: fact.text,
            importance: fact.importance,
            origin: "compaction" as const,
            source: "chat",
            provenance,
          },
        })),
      },
      Date.now(),
    );
    savedFacts = revision.changes.length;
    announceMemoryChanged();
  }
  const summary = summaryItem(result.summary, plan.compacted);
  await onEvent({ type: "compacted", summary, kept: plan.kept.length, savedFacts });
  return [summary, ...plan.kept];
}

/**
 * One agent run where the engine is: the budget is checked before every engine call, and every
 * call is recorded in the usage ledger before the page hears "done", so a usage view opened then
 * is already right.
 */
export async function runAgentTurn(options: AgentTurnOptions): Promise<void> {
  const { engine, request, onEvent } = options;
  const modelId = engine.loadedModelId;
  if (modelId === undefined) throw modelNotLoaded();
  const budget = await RunBudget.open(options.db, request.routine, modelId);
  const context = await compactIfNeeded(options, budget);
  const events = runAgent({
    stream: (chatRequest) => engine.stream(chatRequest),
    registry: options.registry,
    context,
    proposeAction: options.proposeAction,
    budget: budget.guard,
    onEngineCall: (report) => budget.report(report),
    today: request.today,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  for await (const event of events) {
    if (event.type === "done") {
      const problem = await budget.settled().then(
        () => undefined,
        (error: unknown) => serializeError(error),
      );
      // The answer stands; the user must still hear that its cost was not recorded.
      if (problem) {
        const message = `This answer's token use could not be recorded (${problem.message}).`;
        await onEvent({ type: "error", error: { kind: "internal", name: problem.name, message }, willRetry: false });
      }
    }
    await onEvent(event);
  }
}
