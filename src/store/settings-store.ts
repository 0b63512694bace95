import { DEFAULT_GATE_POLICY, type GatePolicy } from "../core/agent/gate-policy";
import { DEFAULT_BUDGET_LIMITS, type BudgetLimits } from "../core/agent/token-budget";
import type { Database } from "./database";
import type { MailRule } from "./mail-record";
import {
  isBoolean,
  isBudgetLimits,
  isDreamingSettings,
  isGatePolicy,
  isInstant,
  isMailRules,
  isStringList,
  type DreamingSettings,
} from "./setting-guards";

/** Typed settings with defaults; unknown or malformed values fall back to the default. */
export interface Settings {
  selectedModelId: string | undefined;
  /** The embedding model loaded with the chat model for memory search; none by default. */
  embeddingModelId: string | undefined;
  modelMirror: string | undefined;
  activeConversationId: string | undefined;
  /** Download sizes (bytes of weights) read from each model's tensor-cache.json. */
  modelSizes: Record<string, number>;
  /** On: nothing runs and pending approvals are frozen. Written only through `KillSwitch`. */
  killSwitch: boolean;
  /** Read access per source and opt-in auto-approved writes, as `decide()` takes them. */
  gatePolicy: GatePolicy;
  /** Daily token limits, as `TokenBudget` takes them. */
  budgetLimits: BudgetLimits;
  /** Nightly dreaming: on or off, and the local time (`HH:MM`) it runs at. */
  dreaming: DreamingSettings;
  /** Jobs whose finished runs (something found, or a failure) raise a notification. */
  notifyJobs: string[];
  /** Runs already notified (newest last, capped), so no run is announced twice. */
  notifiedRuns: string[];
  /** Jobs during whose runs the page holds a screen wake lock. */
  keepAwakeJobs: string[];
  /** When the user last dismissed the "While you were away" briefing; unset before the first visit. */
  lastSeenAt: number | undefined;
  /** The user's mail rules (made by hand or by re-categorising a mail), matched before the built-in ones. */
  mailRules: MailRule[];
  /** Senders (lower-case addresses) whose mail may load remote images. */
  mailRemoteImageSenders: string[];
  /** The OAuth client ID of the user's Google Cloud web client; a build-time one is used when unset. */
  googleClientId: string | undefined;
  /** The Slack app's client ID (public client, PKCE); a build-time one is used when unset. */
  slackClientId: string | undefined;
  /** Slack channel ids whose messages the digest reads, besides mentions and direct messages. */
  slackChannels: string[];
  /** Repositories (`owner/name`) the deployment watch follows. */
  githubRepositories: string[];
  /** Opt-in: keep connector tokens across reloads, encrypted with a non-extractable key. */
  persistTokens: boolean;
}

export const DEFAULT_SETTINGS: Settings = {
  selectedModelId: undefined,
  embeddingModelId: undefined,
  modelMirror: undefined,
  activeConversationId: undefined,
  modelSizes: {},
  killSwitch: false,
  gatePolicy: DEFAULT_GATE_POLICY,
  budgetLimits: DEFAULT_BUDGET_LIMITS,
  dreaming: { enabled: true, time: "03:00" },
  notifyJobs: [],
  notifiedRuns: [],
  keepAwakeJobs: [],
  lastSeenAt: undefined,
  mailRules: [],
  mailRemoteImageSenders: [],
  googleClientId: undefined,
  slackClientId: undefined,
  slackChannels: [],
  githubRepositories: [],
  persistTokens: false,
};

/**
 * Settings that change only together with other records: turning the kill switch on freezes
 * pending approvals in the same transaction, so `SettingsStore.set` cannot write it alone.
 */
export type GuardedSetting = "killSwitch";
const GUARDED_SETTINGS: ReadonlySet<string> = new Set<GuardedSetting>(["killSwitch"]);

const SHAPE_CHECKS: { readonly [K in keyof Settings]?: (value: unknown) => boolean } = {
  killSwitch: isBoolean,
  gatePolicy: isGatePolicy,
  budgetLimits: isBudgetLimits,
  dreaming: isDreamingSettings,
  notifyJobs: isStringList,
  notifiedRuns: isStringList,
  keepAwakeJobs: isStringList,
  lastSeenAt: isInstant,
  mailRules: isMailRules,
  mailRemoteImageSenders: isStringList,
  slackChannels: isStringList,
  githubRepositories: isStringList,
  persistTokens: isBoolean,
};

/** A stored value as its typed setting: the default when it is missing or has the wrong shape. */
export function settingFromStored<K extends keyof Settings>(key: K, stored: unknown): Settings[K] {
  if (stored === undefined) return DEFAULT_SETTINGS[key];
  const check = SHAPE_CHECKS[key];
  if (check && !check(stored)) return DEFAULT_SETTINGS[key];
  return stored as Settings[K];
}

/** The part of an object store a transaction's reads need, so other stores can read settings in their own transaction. */
export interface SettingsReader {
  get(key: string): Promise<unknown>;
}

/** Reads one setting inside a caller's transaction (a transaction may await only IndexedDB). */
export async function readSetting<K extends keyof Settings>(store: SettingsReader, key: K): Promise<Settings[K]> {
  return settingFromStored(key, await store.get(key));
}

export class SettingsStore {
  constructor(private readonly db: Database) {}

  async get<K extends keyof Settings>(key: K): Promise<Settings[K]> {
    return settingFromStored(key, await this.db.get("settings", key));
  }

  async set<K extends Exclude<keyof Settings, GuardedSetting>>(key: K, value: Settings[K]): Promise<void> {
    // The type already forbids it; this stops a cast or a plain-JavaScript caller too.
    if (GUARDED_SETTINGS.has(key)) throw new Error(`The setting "${key}" changes only through its own module.`);
    if (value === undefined) await this.db.delete("settings", key);
    else await this.db.put("settings", value, key);
  }
}
