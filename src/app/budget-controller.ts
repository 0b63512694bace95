import { nextDayStart } from "../core/agent/local-day";
import { CHAT_ROUTINE, DEFAULT_BUDGET_LIMITS, type BudgetLimits } from "../core/agent/token-budget";
import type { SettingsStore } from "../store/settings-store";
import type { UsageRecorder } from "../store/usage-recorder";
import { Observable } from "./observable";

/** The limits as the form holds them: text, exactly as typed, so nothing is lost on an error. */
export interface BudgetDraft {
  totalPerDay: string;
  chatPerDay: string;
  routinePerDay: string;
  perRoutine: Record<string, string>;
}

/** A field of the form: one of the three limits, or `routine:<name>` for an override. */
export type BudgetField = "totalPerDay" | "chatPerDay" | "routinePerDay" | `routine:${string}`;

export type BudgetErrors = Partial<Record<BudgetField, string>>;

export type BudgetSave = { ok: true; limits: BudgetLimits } | { ok: false; errors: BudgetErrors };

/** One line of "today against the limit". */
export interface BudgetRow {
  /** `total`, `chat`, or the routine's name. */
  id: string;
  label: string;
  used: number;
  limit: number;
}

/** Grouping characters people type in large numbers: "200,000", "200 000", "200_000". */
const GROUPING = /[\s,_'\u00a0\u202f]/g;

/** One limit from what the user typed: a whole number of tokens ≥ 0, or a message saying what is wrong. */
export function parseLimit(text: string): { ok: true; value: number } | { ok: false; message: string } {
  const compact = text.replace(GROUPING, "");
  if (compact === "") return { ok: false, message: "Enter a number of tokens (0 or more)." };
  if (/^-\d/.test(compact)) return { ok: false, message: "A budget cannot be negative: enter 0 or more." };
  if (/^\d*[.]\d+$/.test(compact)) return { ok: false, message: "Enter a whole number of tokens, without decimals." };
  if (!/^\d+$/.test(compact)) return { ok: false, message: "Enter digits only, for example 150000." };
  const value = Number(compact);
  if (!Number.isSafeInteger(value)) return { ok: false, message: "That number is too large." };
  return { ok: true, value };
}

export function draftOf(limits: BudgetLimits): BudgetDraft {
  return {
    totalPerDay: String(limits.totalPerDay),
    chatPerDay: String(limits.chatPerDay),
    routinePerDay: String(limits.routinePerDay),
    perRoutine: Object.fromEntries(Object.entries(limits.perRoutine).map(([name, limit]) => [name, String(limit)])),
  };
}

/** The draft as limits, or every field's problem. */
export function validateDraft(draft: BudgetDraft): BudgetSave {
  const errors: BudgetErrors = {};
  const read = (field: BudgetField, text: string): number => {
    const parsed = parseLimit(text);
    if (parsed.ok) return parsed.value;
    errors[field] = parsed.message;
    return 0;
  };
  const limits: BudgetLimits = {
    totalPerDay: read("totalPerDay", draft.totalPerDay),
    chatPerDay: read("chatPerDay", draft.chatPerDay),
    routinePerDay: read("routinePerDay", draft.routinePerDay),
    perRoutine: Object.fromEntries(
      Object.entries(draft.perRoutine).map(([name, text]) => [name, read(`routine:${name}`, text)]),
    ),
  };
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, limits };
}

export interface BudgetControllerOptions {
  /** IANA zone whose midnight starts a budget day; the device's zone by default (as `UsageRecorder`'s). */
  timeZone?: string;
  now?: () => number;
}

/**
 * The daily token budgets as the Settings view shows them: the limits stored in settings, and
 * today's spending from the usage ledger. Saving writes the limits the agent's budget checks read.
 */
export class BudgetController extends Observable {
  #limits: BudgetLimits = DEFAULT_BUDGET_LIMITS;
  #used: Readonly<Record<string, number>> = {};
  #loaded = false;
  #error: string | undefined;
  readonly #timeZone: string;
  readonly #now: () => number;

  constructor(
    private readonly settings: SettingsStore,
    private readonly usage: UsageRecorder,
    options: BudgetControllerOptions = {},
  ) {
    super();
    this.#timeZone = options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
    this.#now = options.now ?? (() => Date.now());
  }

  get limits(): BudgetLimits {
    return this.#limits;
  }

  get loaded(): boolean {
    return this.#loaded;
  }

  get error(): string | undefined {
    return this.#error;
  }

  get timeZone(): string {
    return this.#timeZone;
  }

  /** When today's spending starts again from zero (midnight in the budget's zone). */
  resetsAt(): number {
    return nextDayStart(this.#now(), this.#timeZone);
  }

  /** Tokens spent today by everything, or by one routine. */
  usedToday(routine?: string): number {
    if (routine !== undefined) return this.#used[routine] ?? 0;
    return Object.values(this.#used).reduce((sum, tokens) => sum + tokens, 0);
  }

  /** Total, chat, then every routine that spent today or has its own limit, by name. */
  rows(): BudgetRow[] {
    const routines = new Set([...Object.keys(this.#used), ...Object.keys(this.#limits.perRoutine)]);
    routines.delete(CHAT_ROUTINE);
    return [
      { id: "total", label: "Total", used: this.usedToday(), limit: this.#limits.totalPerDay },
      { id: CHAT_ROUTINE, label: "Chat", used: this.usedToday(CHAT_ROUTINE), limit: this.limitFor(CHAT_ROUTINE) },
      ...[...routines].sort().map((name) => ({
        id: name,
        label: `Routine “${name}”`,
        used: this.usedToday(name),
        limit: this.limitFor(name),
      })),
    ];
  }

  limitFor(routine: string): number {
    const override = Object.hasOwn(this.#limits.perRoutine, routine) ? this.#limits.perRoutine[routine] : undefined;
    if (override !== undefined) return override;
    return routine === CHAT_ROUTINE ? this.#limits.chatPerDay : this.#limits.routinePerDay;
  }

  /** Reads the limits and today's spending again (usage grows with every answer). */
  async refresh(): Promise<void> {
    try {
      const [limits, budget] = await Promise.all([this.settings.get("budgetLimits"), this.usage.budget()]);
      this.#limits = limits;
      this.#used = budget.ledger().used;
      this.#loaded = true;
      this.#error = undefined;
    } catch (error) {
      this.#error = `The budgets could not be read: ${error instanceof Error ? error.message : String(error)}`;
    }
    this.changed();
  }

  /** Stores the draft's limits if every field is valid; otherwise stores nothing and says why per field. */
  async save(draft: BudgetDraft): Promise<BudgetSave> {
    const result = validateDraft(draft);
    if (!result.ok) return result;
    await this.settings.set("budgetLimits", result.limits);
    await this.refresh();
    return result;
  }

  async resetToDefaults(): Promise<BudgetLimits> {
    await this.settings.set("budgetLimits", DEFAULT_BUDGET_LIMITS);
    await this.refresh();
    return this.#limits;
  }
}
