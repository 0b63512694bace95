import { Observable } from "../app/observable";
import type { ActionOutcome, ProposedAction, ToolResult } from "../core/agent/action";
import { decide, taintLevelOf, type GateVerdict } from "../core/agent/gate-policy";
import type { SchemaViolation } from "../core/agent/json-schema";
import type { AnyToolDefinition } from "../core/agent/tool";
import type { ToolRegistry } from "../core/agent/tool-registry";
import { serializeError } from "../core/errors";
import { argumentsToRun, type ApprovalRecord } from "../store/approval-record";
import {
  ApprovalStore,
  type ClaimRefusal,
  type Completion,
  type GateSettings,
  type Judgement,
} from "../store/approval-store";
import { AuditLog } from "../store/audit-log";
import type { Database } from "../store/database";
import { KillSwitch, type KillSwitchChange } from "../store/kill-switch";
import { outcomeOf } from "./action-outcome";
import { createAuditedFetch, type FetchFunction } from "./audited-fetch";
import { connectorNameOf, type ConnectorRegistry } from "./connector";
import { ConnectorUnavailableError } from "./connector-unavailable-error";
import { defaultExecutionLocks, type ExecutionLocks } from "./execution-locks";

/** The BroadcastChannel on which Gates in other tabs hear that approvals changed. */
export const GATE_CHANNEL = "tabclaw-gate";

export interface GateOptions {
  db: Database;
  /** The tools the agent may call: their declarations are the truth, not what a proposal claims. */
  tools: ToolRegistry;
  connectors: ConnectorRegistry;
  /** What connectors reach through `AuditedFetch`; the global `fetch` by default. */
  fetch?: FetchFunction;
  /** Web Locks by default (one lock table for this realm where there are none). */
  locks?: ExecutionLocks;
  now?: () => number;
  /** BroadcastChannel name for telling other tabs to refresh; `null` for none. */
  channel?: string | null;
}

export type ApprovalProblem = ClaimRefusal | "unknown_tool" | "invalid_arguments" | "not_connected";

/** The answer to the user's approve or reject: what happened, or why nothing did. */
export type ApprovalAnswer =
  | { ok: true; record: ApprovalRecord; outcome: ActionOutcome }
  | {
      ok: false;
      problem: ApprovalProblem;
      /** One sentence for the card. */
      message: string;
      /** For `invalid_arguments`: where the edit breaks the tool's schema. */
      violations: SchemaViolation[];
      record?: ApprovalRecord;
    };

function refused(
  problem: ApprovalProblem,
  message: string,
  record?: ApprovalRecord,
  violations: SchemaViolation[] = [],
): ApprovalAnswer {
  return { ok: false, problem, message, violations, ...(record ? { record } : {}) };
}

const CLAIM_MESSAGES: Record<ClaimRefusal, string> = {
  not_found: "That action is no longer there.",
  kill_switch: "The kill switch is on: turn it off to approve this.",
  not_pending: "This action has already been decided.",
};

function policyRefusal(verdict: GateVerdict, why: string): Judgement {
  return { decision: { verdict, why }, by: "policy" };
}

function sameDeclaration(action: ProposedAction, tool: AnyToolDefinition): boolean {
  return action.effect === tool.effect && action.connector === tool.connector && action.scope === tool.scope;
}

/**
 * The page's Gate: every action the agent proposes passes through it. It judges each with
 * `decide()` under the stored kill switch and policy, runs what is allowed, keeps what must be
 * asked as a pending approval, and runs an action at most once per id, across tabs, reloads and
 * crashes: claim (one transaction) → connector call (outside any transaction) → record (another).
 * Every step is audited; connectors reach the network only through `AuditedFetch`.
 *
 * Subscribe (it is an `Observable`) to hear that approvals or the kill switch changed, here or
 * in another tab.
 */
export class Gate extends Observable {
  readonly auditLog: AuditLog;
  readonly #approvals: ApprovalStore;
  readonly #killSwitch: KillSwitch;
  readonly #tools: ToolRegistry;
  readonly #connectors: ConnectorRegistry;
  readonly #fetch: FetchFunction;
  readonly #locks: ExecutionLocks;
  readonly #now: () => number;
  readonly #channel: BroadcastChannel | undefined;

  private constructor(options: GateOptions) {
    super();
    this.#now = options.now ?? (() => Date.now());
    this.auditLog = new AuditLog(options.db, this.#now);
    this.#approvals = new ApprovalStore(options.db);
    this.#killSwitch = new KillSwitch(options.db);
    this.#tools = options.tools;
    this.#connectors = options.connectors;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#locks = options.locks ?? defaultExecutionLocks();
    const channel = options.channel === undefined ? GATE_CHANNEL : options.channel;
    if (channel !== null && typeof BroadcastChannel !== "undefined") {
      this.#channel = new BroadcastChannel(channel);
      this.#channel.onmessage = () => this.changed();
    }
  }

  /** Opens the Gate; an action a dead tab left running is marked interrupted, never re-run. */
  static async open(options: GateOptions): Promise<Gate> {
    const gate = new Gate(options);
    await gate.#recoverInterrupted();
    return gate;
  }

  /** Called by the agent worker (through comlink). Idempotent per `action.id`. */
  async propose(action: ProposedAction): Promise<ActionOutcome> {
    return this.#locks.hold(action.id, async () => {
      const admission = await this.#approvals.admit(action, (settings) => this.#judge(action, settings), this.#now());
      switch (admission.kind) {
        case "known":
          return outcomeOf(admission.record);
        case "refused":
          return admission.decision.verdict === "frozen"
            ? { status: "frozen", message: admission.decision.why }
            : { status: "denied", message: admission.decision.why };
        case "pending":
          this.#announce();
          return outcomeOf(admission.record);
        case "claimed":
          return outcomeOf(await this.#execute(admission.record));
      }
    });
  }

  /** Waiting for the user, frozen ones included, oldest first. */
  pending(): Promise<ApprovalRecord[]> {
    return this.#approvals.waiting();
  }

  get(id: string): Promise<ApprovalRecord | undefined> {
    return this.#approvals.get(id);
  }

  /** Newest first, any status. */
  recent(limit = 50): Promise<ApprovalRecord[]> {
    return this.#approvals.recent(limit);
  }

  /**
   * Runs a pending action, at most once however often (and from however many tabs) it is approved.
   * `editedArguments`, when given, are checked against the tool's schema and run instead; they
   * are the user's words, recorded as such.
   */
  async approve(id: string, editedArguments?: Readonly<Record<string, unknown>>): Promise<ApprovalAnswer> {
    // Copied before anything else: what runs must be exactly what was checked, whatever the caller does with its object.
    const edited = editedArguments === undefined ? undefined : structuredClone(editedArguments);
    const record = await this.#approvals.get(id);
    if (!record) return refused("not_found", CLAIM_MESSAGES.not_found);
    if (record.status === "frozen") return refused("kill_switch", CLAIM_MESSAGES.kill_switch, record);
    if (record.status !== "pending") return refused("not_pending", CLAIM_MESSAGES.not_pending, record);
    const tool = this.#tools.get(record.action.tool);
    if (!tool) return refused("unknown_tool", `Tabclaw no longer has the tool "${record.action.tool}".`, record);
    if (edited !== undefined) {
      const violations = this.#tools.validateArguments(tool.name, edited);
      if (violations.length > 0) {
        const message = `The edit does not fit ${tool.name}: ${violations.map((v) => `${v.path} ${v.message}`).join("; ")}.`;
        return refused("invalid_arguments", message, record, violations);
      }
    }
    const connector = connectorNameOf(tool);
    if (!this.#isConnected(connector)) {
      return refused("not_connected", `${connector} is not connected: connect it, then approve.`, record);
    }
    return this.#locks.hold(id, async () => {
      const claim = await this.#approvals.claim(id, edited, this.#now());
      if (!claim.ok) return refused(claim.reason, CLAIM_MESSAGES[claim.reason], claim.record);
      this.#announce();
      const finished = await this.#execute(claim.record);
      return { ok: true, record: finished, outcome: outcomeOf(finished) };
    });
  }

  /** The action will never run. Works on frozen actions too: refusing is always safe. */
  async reject(id: string, note?: string): Promise<ApprovalAnswer> {
    const claim = await this.#approvals.reject(id, note, this.#now());
    if (!claim.ok) return refused(claim.reason, CLAIM_MESSAGES[claim.reason], claim.record);
    this.#announce();
    return { ok: true, record: claim.record, outcome: outcomeOf(claim.record) };
  }

  /** On: every pending approval freezes and nothing runs until it is off again. Stored, so it survives a reload. */
  async setKillSwitch(on: boolean): Promise<KillSwitchChange> {
    const change = await this.#killSwitch.set(on, this.#now());
    if (change.changed) this.#announce();
    return change;
  }

  killSwitchOn(): Promise<boolean> {
    return this.#killSwitch.isOn();
  }

  /** Stops listening to other tabs. */
  close(): void {
    this.#channel?.close();
  }

  #judge(action: ProposedAction, settings: GateSettings): Judgement {
    const tool = this.#tools.get(action.tool);
    if (!tool) return policyRefusal("deny", `Tabclaw has no tool called "${action.tool}".`);
    if (!sameDeclaration(action, tool)) {
      return policyRefusal(
        "deny",
        `The proposal does not match how ${tool.name} is declared (effect, connector or scope).`,
      );
    }
    const violations = this.#tools.validateArguments(tool.name, action.arguments);
    if (violations.length > 0) return policyRefusal("deny", `Its arguments do not fit ${tool.name}.`);
    // The registry's declaration, not the proposal's claims, is what the policy judges.
    const decision = decide({
      tool: tool.name,
      effect: tool.effect,
      ...(tool.connector !== undefined ? { connector: tool.connector } : {}),
      connected: this.#isConnected(connectorNameOf(tool)),
      taint: taintLevelOf(action.taint),
      untrustedSources: action.taint.sources,
      killSwitch: settings.killSwitch,
      policy: settings.policy,
      // Only a write can be undoable: a declaration that says so of a send is not believed.
      undoable: tool.undoable === true && tool.effect === "write",
    });
    // An undoable write runs by policy; any other write that runs does so by the user's rule.
    const byRule = decision.verdict === "allow" && tool.effect === "write" && tool.undoable !== true;
    return { decision, by: byRule ? "rule" : "policy" };
  }

  #isConnected(name: string): boolean {
    try {
      return this.#connectors.get(name)?.connected() ?? false;
    } catch {
      return false;
    }
  }

  /** The connector call, outside any transaction; the record says `executing` until it returns. */
  async #execute(record: ApprovalRecord): Promise<ApprovalRecord> {
    let completion: Completion;
    try {
      const tool = this.#tools.get(record.action.tool);
      const name = tool ? connectorNameOf(tool) : (record.action.connector ?? "its connector");
      const connector = this.#connectors.get(name);
      if (!tool || !connector) throw new ConnectorUnavailableError(name);
      const audit = createAuditedFetch({
        auditor: this.auditLog,
        fetch: this.#fetch,
        actionId: record.id,
        tool: tool.name,
      });
      const result = await connector.execute(tool.name, argumentsToRun(record), audit, record.action);
      completion = { result: reported(result, tool) };
    } catch (error) {
      completion = { error: serializeError(error) };
    }
    const finished = await this.#approvals.finish(record.id, completion, this.#now());
    this.#announce();
    return finished;
  }

  async #recoverInterrupted(): Promise<void> {
    let changed = false;
    for (const record of await this.#approvals.withStatus("executing")) {
      // A live tab running it holds its lock; a dead tab's lock was released with the tab.
      const interrupted = await this.#locks.ifFree(record.id, () => this.#approvals.interrupt(record.id, this.#now()));
      changed ||= interrupted !== undefined;
    }
    if (changed) this.#announce();
  }

  #announce(): void {
    this.changed();
    this.#channel?.postMessage("changed");
  }
}

/**
 * The result as the agent will see it: a fresh plain object (it is stored), never more trusted
 * than the tool declares, and naming its connector when untrusted and the connector named nothing.
 */
function reported(result: ToolResult, tool: AnyToolDefinition): ToolResult {
  // Connector code is checked at run time too: anything but a literal `true` is untrusted.
  const claimedTrust: unknown = result.trusted;
  const content: unknown = result.content;
  const trusted = claimedTrust === true && tool.resultTrust === "trusted";
  const source = typeof result.source === "string" ? result.source : undefined;
  const named = source ?? (trusted ? undefined : `${connectorNameOf(tool)}:${tool.name}`);
  const ref: unknown = result.ref;
  return {
    content: typeof content === "string" ? content : (JSON.stringify(content) ?? ""),
    trusted,
    ...(named !== undefined ? { source: named } : {}),
    ...(typeof ref === "string" ? { ref } : {}),
  };
}
