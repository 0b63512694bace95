import type { Database } from "../store/database";
import { ConnectorState } from "../store/connector-state";

/**
 * What mail triage remembers between runs (one record in `connectorState`, beside Gmail's history
 * id): the mails whose model answers were unusable, so a mail the model cannot answer costs tokens
 * twice and then waits for the user instead of every 15 minutes; and why the last run left mail
 * waiting (no model, budget spent), so an unchanged inbox is not read again until that changes.
 */

export const MAIL_TRIAGE_STATE_KEY = "mail-triage";
/** Model answers a mail may fail before triage leaves it for the user to file. */
export const MAX_MODEL_ATTEMPTS = 2;

export interface TriageFailure {
  attempts: number;
  lastAt: number;
  /** The last problem, e.g. "the answer is not JSON". */
  reason: string;
}

export interface TriageWaiting {
  reason: "no-model" | "budget";
  /** The inbox as it was (waiting count, newest waiting mail, the user's rules): new mail or rules change it. */
  fingerprint: string;
  /** Mails left waiting. */
  left: number;
  /** For the budget: when the day's budget resets. */
  until?: number;
  message: string;
}

export interface MailTriageState {
  failures: Record<string, TriageFailure>;
  waiting?: TriageWaiting;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isFailure(value: unknown): value is TriageFailure {
  return (
    isRecord(value) &&
    typeof value.attempts === "number" &&
    typeof value.lastAt === "number" &&
    typeof value.reason === "string"
  );
}

function isWaiting(value: unknown): value is TriageWaiting {
  return (
    isRecord(value) &&
    (value.reason === "no-model" || value.reason === "budget") &&
    typeof value.fingerprint === "string" &&
    typeof value.left === "number" &&
    typeof value.message === "string" &&
    (value.until === undefined || typeof value.until === "number")
  );
}

export function isMailTriageState(value: unknown): value is MailTriageState {
  return (
    isRecord(value) &&
    isRecord(value.failures) &&
    Object.values(value.failures).every(isFailure) &&
    (value.waiting === undefined || isWaiting(value.waiting))
  );
}

/** The stored state; a missing or unreadable record starts afresh (it only saves work). */
export async function readTriageState(db: Database): Promise<MailTriageState> {
  return (await new ConnectorState(db).get(MAIL_TRIAGE_STATE_KEY, isMailTriageState)) ?? { failures: {} };
}

export function writeTriageState(db: Database, state: MailTriageState): Promise<void> {
  return new ConnectorState(db).set(MAIL_TRIAGE_STATE_KEY, state);
}

/** Mails the model failed on too often: left for the user. */
export function givenUp(state: MailTriageState): Set<string> {
  return new Set(
    Object.entries(state.failures)
      .filter(([, failure]) => failure.attempts >= MAX_MODEL_ATTEMPTS)
      .map(([id]) => id),
  );
}

/** The state with one more failed attempt for `mailId`. */
export function withFailure(state: MailTriageState, mailId: string, reason: string, at: number): MailTriageState {
  const attempts = (state.failures[mailId]?.attempts ?? 0) + 1;
  return { ...state, failures: { ...state.failures, [mailId]: { attempts, lastAt: at, reason } } };
}

/** The state keeping only failures of mails still waiting (filed ones, by the user or a rule, are forgotten). */
export function forgetFiled(state: MailTriageState, waiting: ReadonlySet<string>): MailTriageState {
  return {
    ...state,
    failures: Object.fromEntries(Object.entries(state.failures).filter(([id]) => waiting.has(id))),
  };
}

/** Identifies the inbox's waiting mail and the rules cheaply, to tell whether anything changed since a run. */
export function inboxFingerprint(untriaged: number, newestId: string | undefined, rules: unknown): string {
  return JSON.stringify([untriaged, newestId ?? null, rules]);
}
