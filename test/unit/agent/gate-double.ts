import type { ActionOutcome, ProposedAction, ToolResult } from "../../../src/core/agent/action";
import { decide, taintLevelOf, type GateDecision, type GatePolicy } from "../../../src/core/agent/gate-policy";
import type { ToolRegistry } from "../../../src/core/agent/tool-registry";

export type Executor = (args: Readonly<Record<string, unknown>>) => ToolResult;

export interface GateRecord {
  action: ProposedAction;
  decision: GateDecision;
}

/**
 * A TEST DOUBLE of the page's Gate, built on the real `decide()`. It runs only actions the policy
 * allows (through test-double executors), records `ask` verdicts as pending approvals and never
 * approves one: no human is in the loop here.
 */
export class GateDouble {
  readonly executed: GateRecord[] = [];
  readonly pending: GateRecord[] = [];
  readonly denied: GateRecord[] = [];
  readonly #policy: GatePolicy;
  readonly #executors: Readonly<Record<string, Executor>>;
  readonly #killSwitch: boolean;

  readonly #registry: ToolRegistry | undefined;

  constructor(options: {
    policy: GatePolicy;
    executors: Readonly<Record<string, Executor>>;
    killSwitch?: boolean;
    /** The declarations, as the real Gate judges by them (an undoable write runs without asking). */
    registry?: ToolRegistry;
  }) {
    this.#policy = options.policy;
    this.#registry = options.registry;
    this.#executors = options.executors;
    this.#killSwitch = options.killSwitch ?? false;
  }

  /** Shaped like `RunAgentOptions.proposeAction`. */
  readonly propose = (action: ProposedAction): Promise<ActionOutcome> => {
    const decision = decide({
      tool: action.tool,
      effect: action.effect,
      ...(action.connector !== undefined ? { connector: action.connector } : {}),
      connected: true,
      taint: taintLevelOf(action.taint),
      untrustedSources: action.taint.sources,
      killSwitch: this.#killSwitch,
      policy: this.#policy,
      undoable: action.effect === "write" && this.#registry?.get(action.tool)?.undoable === true,
    });
    const record = { action, decision };
    switch (decision.verdict) {
      case "allow": {
        this.executed.push(record);
        const executor = this.#executors[action.tool];
        const result = executor ? executor(action.arguments) : { content: "Done.", trusted: true };
        return Promise.resolve({ status: "executed", result });
      }
      case "ask":
        this.pending.push(record);
        return Promise.resolve({ status: "pending", message: decision.why });
      case "deny":
        this.denied.push(record);
        return Promise.resolve({ status: "denied", message: decision.why });
      case "frozen":
        return Promise.resolve({ status: "frozen", message: decision.why });
    }
  };
}
