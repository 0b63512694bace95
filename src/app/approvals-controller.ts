import type { ActionOutcome } from "../core/agent/action";
import type { ObjectSchema, SchemaViolation } from "../core/agent/json-schema";
import type { ApprovalAnswer } from "../gate/gate";
import type { ApprovalRecord } from "../store/approval-record";
import { GMAIL_APPLY_LABEL } from "./mail-actions";
import { Observable } from "./observable";

/** The part of the Gate the approvals need (the Gate itself in the app, a double in tests if wanted). */
export interface ApprovalsPort {
  pending(): Promise<ApprovalRecord[]>;
  recent(limit?: number): Promise<ApprovalRecord[]>;
  approve(id: string, editedArguments?: Readonly<Record<string, unknown>>): Promise<ApprovalAnswer>;
  reject(id: string, note?: string): Promise<ApprovalAnswer>;
  subscribe(listener: () => void): () => void;
}

/** The Gate's answer, or why the decision never reached it (storage failed). */
export type DecisionAnswer =
  | ApprovalAnswer
  | { ok: false; problem: "unreachable"; message: string; violations: SchemaViolation[]; record?: undefined };

/** Where the Edit form finds a tool's argument schema (the tool registry). */
export interface ToolSchemas {
  get(name: string): { readonly argumentsSchema: ObjectSchema; readonly effect?: string } | undefined;
}

/** What a batch approval did: how many ran, and each that did not, with the Gate's reason. */
export interface BatchAnswer {
  approved: number;
  failed: { id: string; message: string }[];
}

/** The tools whose pending actions may be approved together: Gmail labels. A send never is. */
const BATCHABLE_TOOLS: ReadonlySet<string> = new Set([GMAIL_APPLY_LABEL]);

/** How many decided records the view lists. */
export const RECENT_LIMIT = 30;

const WAITING = new Set(["pending", "frozen"]);

/**
 * The approvals as the page shows them: what waits for the user (oldest first) and recent
 * decisions (newest first), refreshed whenever the Gate changes here or in another tab. Approving
 * and rejecting go through the Gate; the last answer per action is kept for its card.
 */
export class ApprovalsController extends Observable {
  #pending: ApprovalRecord[] = [];
  #recent: ApprovalRecord[] = [];
  #loaded = false;
  #error: string | undefined;
  readonly #answers = new Map<string, DecisionAnswer>();
  readonly #inFlight = new Map<string, Promise<DecisionAnswer>>();
  #batchRunning = false;
  /** Only the newest refresh may write: an older, slower read must not overwrite a newer one. */
  #generation = 0;

  constructor(
    private readonly gate: ApprovalsPort,
    private readonly tools?: ToolSchemas,
  ) {
    super();
    gate.subscribe(() => void this.refresh());
  }

  /** Waiting for the user (frozen ones included), oldest first. */
  get pending(): readonly ApprovalRecord[] {
    return this.#pending;
  }

  /** Decided, running or run, newest first. */
  get recent(): readonly ApprovalRecord[] {
    return this.#recent;
  }

  /** For the navigation badge: how many actions wait for a decision. */
  get pendingCount(): number {
    return this.#pending.length;
  }

  get loaded(): boolean {
    return this.#loaded;
  }

  /** Why the approvals could not be read. */
  get error(): string | undefined {
    return this.#error;
  }

  /** The Gate's last answer to a decision on this action, for its card. */
  answerFor(id: string): DecisionAnswer | undefined {
    return this.#answers.get(id);
  }

  /** A decision on this action is on its way to the Gate. */
  isBusy(id: string): boolean {
    return this.#inFlight.has(id);
  }

  /**
   * Pending label changes, which the user may approve in one go. Only writes of a batchable tool
   * (by the registry's declaration as well as the proposal's), never a send, never a frozen action.
   */
  get labelBatch(): readonly ApprovalRecord[] {
    return this.#pending.filter((record) => this.#batchable(record));
  }

  /** A batch approval is running. */
  get batchRunning(): boolean {
    return this.#batchRunning;
  }

  /**
   * Approves each of `ids` that is still a pending label change, one after the other, through the
   * same `approve` as a single card (the Gate runs each at most once). Others are left alone.
   */
  async approveBatch(ids: readonly string[]): Promise<BatchAnswer> {
    const result: BatchAnswer = { approved: 0, failed: [] };
    if (this.#batchRunning) return result;
    this.#batchRunning = true;
    this.changed();
    try {
      for (const id of ids) {
        const record = this.#pending.find((candidate) => candidate.id === id);
        if (!record || !this.#batchable(record)) continue;
        const answer = await this.approve(id);
        if (answer.ok && answer.outcome.status === "executed") result.approved += 1;
        else result.failed.push({ id, message: answer.ok ? describeOutcomeBriefly(answer.outcome) : answer.message });
      }
    } finally {
      this.#batchRunning = false;
      this.changed();
    }
    return result;
  }

  /** The tool's argument schema, for the Edit form; undefined if Tabclaw no longer has the tool. */
  schemaFor(record: ApprovalRecord): ObjectSchema | undefined {
    return this.tools?.get(record.action.tool)?.argumentsSchema;
  }

  async refresh(): Promise<void> {
    const generation = ++this.#generation;
    try {
      const [pending, recent] = await Promise.all([this.gate.pending(), this.gate.recent(RECENT_LIMIT)]);
      if (generation !== this.#generation) return;
      this.#pending = pending;
      this.#recent = recent.filter((record) => !WAITING.has(record.status));
      this.#loaded = true;
      this.#error = undefined;
    } catch (error) {
      if (generation !== this.#generation) return;
      this.#error = `The approvals could not be read: ${error instanceof Error ? error.message : String(error)}`;
    }
    this.changed();
  }

  approve(id: string, editedArguments?: Readonly<Record<string, unknown>>): Promise<DecisionAnswer> {
    return this.#decide(id, () => this.gate.approve(id, editedArguments));
  }

  reject(id: string, note?: string): Promise<DecisionAnswer> {
    const trimmed = note?.trim();
    return this.#decide(id, () => this.gate.reject(id, trimmed ? trimmed : undefined));
  }

  #batchable(record: ApprovalRecord): boolean {
    const declared = this.tools?.get(record.action.tool)?.effect;
    return (
      record.status === "pending" &&
      BATCHABLE_TOOLS.has(record.action.tool) &&
      record.action.effect === "write" &&
      (declared === undefined || declared === "write")
    );
  }

  /** One decision per action at a time: a double click gets the first click's answer. */
  #decide(id: string, ask: () => Promise<ApprovalAnswer>): Promise<DecisionAnswer> {
    const running = this.#inFlight.get(id);
    if (running) return running;
    const decision = (async (): Promise<DecisionAnswer> => {
      let answer: DecisionAnswer;
      try {
        answer = await ask();
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        answer = {
          ok: false,
          problem: "unreachable",
          message: `The decision could not be saved: ${message}`,
          violations: [],
        };
      }
      this.#answers.set(id, answer);
      return answer;
    })();
    this.#inFlight.set(id, decision);
    this.changed();
    return decision.finally(async () => {
      this.#inFlight.delete(id);
      await this.refresh();
    });
  }
}

/** Why an approved action did not run, in one line. */
function describeOutcomeBriefly(outcome: ActionOutcome): string {
  switch (outcome.status) {
    case "failed":
      return outcome.error.message;
    case "executed":
      return "It ran.";
    default:
      return outcome.message;
  }
}
