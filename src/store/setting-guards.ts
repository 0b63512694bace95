import type { GatePolicy, SourceAccess } from "../core/agent/gate-policy";
import type { BudgetLimits } from "../core/agent/token-budget";
import { MAIL_CATEGORIES, type MailRule } from "./mail-record";

/**
 * Shape checks for the settings the safety core reads. A malformed stored value (an old build, a
 * hand-edited import) must fall back to the default rather than reach `decide()` or `TokenBudget`,
 * whose constructor throws on a bad limit.
 */

const ACCESS: readonly string[] = ["allow", "ask", "deny"] satisfies SourceAccess[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isAccess(value: unknown): boolean {
  return typeof value === "string" && ACCESS.includes(value);
}

function isLimit(value: unknown): boolean {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

export function isBoolean(value: unknown): value is boolean {
  return typeof value === "boolean";
}

/** A list of ids (jobs to notify about, runs already notified). */
export function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

/** Milliseconds since the epoch. */
export function isInstant(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

export function isGatePolicy(value: unknown): value is GatePolicy {
  return (
    isRecord(value) &&
    isRecord(value.readAccess) &&
    Object.values(value.readAccess).every(isAccess) &&
    isAccess(value.defaultReadAccess) &&
    Array.isArray(value.autoApprovedWrites) &&
    value.autoApprovedWrites.every((tool) => typeof tool === "string")
  );
}

export function isBudgetLimits(value: unknown): value is BudgetLimits {
  return (
    isRecord(value) &&
    isLimit(value.totalPerDay) &&
    isLimit(value.chatPerDay) &&
    isLimit(value.routinePerDay) &&
    isRecord(value.perRoutine) &&
    Object.values(value.perRoutine).every(isLimit)
  );
}

/** Nightly dreaming as Settings stores it. */
export interface DreamingSettings {
  enabled: boolean;
  /** `HH:MM`, 24-hour, in the user's zone. */
  time: string;
}

export function isDreamingSettings(value: unknown): value is DreamingSettings {
  return (
    isRecord(value) &&
    typeof value.enabled === "boolean" &&
    typeof value.time === "string" &&
    /^([01]\d|2[0-3]):[0-5]\d$/.test(value.time)
  );
}

const CATEGORIES: readonly string[] = MAIL_CATEGORIES;
const RULE_ORIGINS: readonly string[] = ["correction", "user"] satisfies MailRule["origin"][];

function isOptionalText(value: unknown): boolean {
  return value === undefined || (typeof value === "string" && value.length > 0);
}

/** The user's mail rules: each names a category and matches on at least one thing. */
export function isMailRules(value: unknown): value is MailRule[] {
  return (
    Array.isArray(value) &&
    value.every(
      (rule) =>
        isRecord(rule) &&
        typeof rule.id === "string" &&
        typeof rule.category === "string" &&
        CATEGORIES.includes(rule.category) &&
        typeof rule.origin === "string" &&
        RULE_ORIGINS.includes(rule.origin) &&
        typeof rule.createdAt === "number" &&
        isOptionalText(rule.from) &&
        isOptionalText(rule.listId) &&
        isOptionalText(rule.subjectContains) &&
        (rule.from !== undefined || rule.listId !== undefined || rule.subjectContains !== undefined),
    )
  );
}
