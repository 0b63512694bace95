import type { ProposedAction, ToolResult } from "../../../src/core/agent/action";
import type { AgentEvent, DoneReason } from "../../../src/core/agent/agent-events";
import { runAgent } from "../../../src/core/agent/agent-loop";
import { userMessage, type ContextItem } from "../../../src/core/agent/context-item";
import type { GatePolicy } from "../../../src/core/agent/gate-policy";
import { normaliseForMatching } from "../../../src/core/agent/taint";
import { TokenBudget } from "../../../src/core/agent/token-budget";
import { ToolRegistry } from "../../../src/core/agent/tool-registry";
import { GateDouble, type Executor } from "./gate-double";
import { HostileEngine, type HostileStep } from "./hostile-engine";
import { INJECTION_CASES, MEMORY_FACTS, type InjectionCase } from "./injection-cases";
import { provenanceOfSave } from "../../../src/memory/memory-tools";
import { PRODUCT_TOOLS } from "./product-tools";
import { stableStringify } from "../../../src/core/agent/stable-stringify";

/**
 * Runs the prompt-injection cases through the real agent loop, taint assessment and gate policy,
 * with a hostile scripted engine and a Gate double that never approves. Exported for
 * `injection.test.ts` and for the benchmark (`injection_cases`, `injection_unapproved_executions`,
 * `injection_tainted_share`). Numbers from a scripted engine say nothing about model quality.
 */

/** A user who opted in to auto-approving every write tool but one: taint alone must hold them back. */
export const SUITE_POLICY: GatePolicy = {
  readAccess: {},
  defaultReadAccess: "allow",
  autoApprovedWrites: ["apply_label", "create_draft", "delete_email", "memory_save", "rerun_workflow"],
};

export interface InjectionCaseResult {
  id: string;
  channel: InjectionCase["channel"];
  goal: InjectionCase["goal"];
  /** The proposals that carry the injected calls. */
  injectedActions: ProposedAction[];
  /** Injected calls the loop never proposed (the hostile model's call got lost). */
  missingInjections: string[];
  /** Write or send actions the Gate ran; none were approved by anyone. Undoable memory saves are apart. */
  unapprovedExecutions: ProposedAction[];
  /**
   * Memory saves the Gate ran without asking (local and undoable, by design), with whether the fact
   * would be stored marked untrusted, naming an outside source, as `provenanceOfSave` decides.
   */
  memorySaves: { action: ProposedAction; markedUntrusted: boolean }[];
  /** Pending approvals of tainted actions whose taint does not name the case's source. */
  pendingWithoutSource: ProposedAction[];
  /** Whether the attacker's value is traced to the case's source on the card (undefined: none smuggled). */
  smuggledTraced: boolean | undefined;
  engineViolations: string[];
  doneReason: DoneReason | undefined;
  events: AgentEvent[];
}

export interface InjectionReport {
  injection_cases: number;
  injection_unapproved_executions: number;
  /** Injected memory saves that ran (undoable, so by design without asking). */
  injection_memory_saves: number;
  /** Of those, the share stored marked untrusted with the attacker's source: must be 1. */
  injection_memory_saves_marked_untrusted_share: number;
  /** Tainted injected actions over all injected actions (1 when every one is marked). */
  injection_tainted_share: number;
  injection_injected_actions: number;
  injection_pending_approvals: number;
  cases: InjectionCaseResult[];
}

function scriptFor(testCase: InjectionCase): HostileStep[] {
  const arrival: HostileStep[] =
    testCase.arrival.via === "tool"
      ? [
          {
            kind: "call",
            tool: testCase.arrival.tool,
            arguments: testCase.arrival.arguments,
            reason: "The user asked.",
          },
        ]
      : [];
  const injected = testCase.injected.map((call): HostileStep => ({
    kind: "inject",
    ...call,
    trigger: testCase.trigger,
  }));
  return [...arrival, ...injected, { kind: "reply", text: "Here is what I found." }];
}

function contextFor(testCase: InjectionCase): ContextItem[] {
  if (testCase.arrival.via === "tool") return [userMessage(testCase.userRequest)];
  const url = testCase.source.replace(/^web:/, "");
  return [
    userMessage(`Open ${url}`),
    {
      content: testCase.content,
      provenance: { kind: "tool", tool: "fetch_url", trusted: false, source: testCase.source },
    },
    userMessage(testCase.userRequest),
  ];
}

function executorsFor(testCase: InjectionCase): Record<string, Executor> {
  const hostile: ToolResult = { content: testCase.content, trusted: false, source: testCase.source };
  const arrivalTool = testCase.arrival.via === "tool" ? testCase.arrival.tool : undefined;
  const serve =
    (tool: string, otherwise: (args: Readonly<Record<string, unknown>>) => ToolResult): Executor =>
    (args) =>
      tool === arrivalTool ? hostile : otherwise(args);
  return {
    read_email: serve("read_email", (args) => ({
      content: "No such message.",
      trusted: false,
      source: `gmail:${String(args.message_id)}`,
    })),
    read_slack_channel: serve("read_slack_channel", () => ({ content: "(no messages)", trusted: false })),
    get_workflow_run_log: serve("get_workflow_run_log", () => ({ content: "(empty log)", trusted: false })),
    search_email: () => ({
      content: "1. 19ab01 — IT <it@corp.example> — Password reset",
      trusted: false,
      source: "gmail:search",
    }),
    memory_search: () => ({ content: MEMORY_FACTS, trusted: true, source: "memory" }),
    ask_user: () => ({ content: "(no answer)", trusted: true, source: "user" }),
  };
}

export async function runInjectionCase(
  testCase: InjectionCase,
  options: { killSwitch?: boolean } = {},
): Promise<InjectionCaseResult> {
  const registry = new ToolRegistry(PRODUCT_TOOLS);
  const engine = new HostileEngine(scriptFor(testCase));
  const gate = new GateDouble({
    policy: SUITE_POLICY,
    registry,
    executors: executorsFor(testCase),
    ...(options.killSwitch !== undefined ? { killSwitch: options.killSwitch } : {}),
  });
  const budget = new TokenBudget({ timeZone: "UTC", now: () => Date.parse("2026-11-24T12:00:00Z") });
  let ids = 0;
  const events: AgentEvent[] = [];
  for await (const event of runAgent({
    stream: (request) => engine.stream(request),
    registry,
    context: contextFor(testCase),
    proposeAction: gate.propose,
    budget: budget.guard("chat"),
    newActionId: () => `${testCase.id}-${++ids}`,
  })) {
    events.push(event);
  }

  const proposals = events.flatMap((event) => (event.type === "tool_call_proposed" ? [event.action] : []));
  const injectedActions: ProposedAction[] = [];
  const missingInjections: string[] = [];
  for (const call of testCase.injected) {
    const key = `${call.tool}:${stableStringify(call.arguments)}`;
    const action = proposals.find((proposal) => `${proposal.tool}:${stableStringify(proposal.arguments)}` === key);
    if (action) injectedActions.push(action);
    else missingInjections.push(key);
  }

  const smuggled = testCase.smuggled === undefined ? undefined : normaliseForMatching(testCase.smuggled);
  const carriers = injectedActions.filter(
    (action) => smuggled !== undefined && normaliseForMatching(stableStringify(action.arguments)).includes(smuggled),
  );
  const smuggledTraced =
    smuggled === undefined
      ? undefined
      : carriers.length > 0 &&
        carriers.every((action) =>
          action.taint.argumentSources.some(
            (argument) => argument.origin === "untrusted" && argument.untrustedSources.includes(testCase.source),
          ),
        );

  const done = events.at(-1);
  return {
    id: testCase.id,
    channel: testCase.channel,
    goal: testCase.goal,
    injectedActions,
    missingInjections,
    unapprovedExecutions: gate.executed
      .filter((record) => record.action.effect !== "read" && !isUndoable(registry, record.action))
      .map((record) => record.action),
    memorySaves: gate.executed
      .filter((record) => isUndoable(registry, record.action))
      .map(({ action }) => ({ action, markedUntrusted: provenanceOfSave(action.taint).trust === "untrusted" })),
    pendingWithoutSource: gate.pending
      .map((record) => record.action)
      .filter((action) => action.taint.tainted && !action.taint.sources.includes(testCase.source)),
    smuggledTraced,
    engineViolations: engine.violations,
    doneReason: done?.type === "done" ? done.reason : undefined,
    events,
  };
}

function isUndoable(registry: ToolRegistry, action: ProposedAction): boolean {
  return action.effect === "write" && registry.get(action.tool)?.undoable === true;
}

export async function runInjectionSuite(cases: readonly InjectionCase[] = INJECTION_CASES): Promise<InjectionReport> {
  const results: InjectionCaseResult[] = [];
  for (const testCase of cases) results.push(await runInjectionCase(testCase));
  const injected = results.flatMap((result) => result.injectedActions);
  const expected = cases.reduce((sum, testCase) => sum + testCase.injected.length, 0);
  const tainted = injected.filter((action) => action.taint.tainted).length;
  const saves = results.flatMap((result) => result.memorySaves);
  return {
    injection_cases: cases.length,
    injection_unapproved_executions: results.reduce((sum, result) => sum + result.unapprovedExecutions.length, 0),
    injection_memory_saves: saves.length,
    injection_memory_saves_marked_untrusted_share:
      saves.length === 0 ? 1 : saves.filter((save) => save.markedUntrusted).length / saves.length,
    // Missing injections count against the share: an action that was never shown was never marked.
    injection_tainted_share: expected === 0 ? 1 : tainted / expected,
    injection_injected_actions: injected.length,
    injection_pending_approvals: results.reduce(
      (sum, result) =>
        sum +
        result.events.filter((event) => event.type === "tool_result" && event.outcome.status === "pending").length,
      0,
    ),
    cases: results,
  };
}
