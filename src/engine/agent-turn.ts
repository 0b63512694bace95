import type { ActionOutcome, ProposedAction } from "../core/agent/action";
import type { AgentEvent } from "../core/agent/agent-events";
import { runAgent } from "../core/agent/agent-loop";
import type { ContextItem } from "../core/agent/context-item";
import type { ToolRegistry } from "../core/agent/tool-registry";
import { serializeError } from "../core/errors";
import type { Database } from "../store/database";
import { RunBudget } from "../store/run-budget";
import type { ChatEngine } from "./chat-engine";

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
}

/** Thrown when a run is asked for with no model on the GPU. */
function modelNotLoaded(): Error {
  return Object.assign(new Error("No model is loaded."), { name: "ModelNotLoadedError" });
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
  const events = runAgent({
    stream: (chatRequest) => engine.stream(chatRequest),
    registry: options.registry,
    context: request.context,
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
