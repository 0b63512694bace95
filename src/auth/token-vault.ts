import type { Database } from "../store/database";
import type { SettingsStore } from "../store/settings-store";
import {
  isSealedToken,
  loadOrCreateVaultKey,
  loadVaultKey,
  openSealedValue,
  sealValue,
  VAULT_KEY_RECORD,
  VAULT_TOKEN_PREFIX,
} from "./token-encryption";

export const TOKEN_SERVICES = ["google", "slack", "github"] as const;
export type TokenService = (typeof TOKEN_SERVICES)[number];

/** One service's sign-in. Never logged, never sent to the agent worker. */
export interface StoredToken {
  accessToken: string;
  refreshToken?: string;
  /** Milliseconds since the epoch; absent for tokens that do not expire (a GitHub PAT without expiry). */
  expiresAt?: number;
  /** What the service actually granted (not what was asked for). */
  scopes: string[];
  /** Who signed in, when the service says (an e-mail address, a Slack user id, a GitHub login). */
  account?: string;
}

export type TokenVaultListener = (service: TokenService) => void;

/** The BroadcastChannel on which vaults in other tabs hear that a token changed (never the token itself). */
export const VAULT_CHANNEL = "tabclaw-vault";

type VaultMessage = { type: "token"; service: TokenService; present: boolean } | { type: "persistence"; on: boolean };

function isTokenService(value: unknown): value is TokenService {
  return typeof value === "string" && (TOKEN_SERVICES as readonly string[]).includes(value);
}

function isVaultMessage(value: unknown): value is VaultMessage {
  if (typeof value !== "object" || value === null) return false;
  const message = value as { type?: unknown; service?: unknown; present?: unknown; on?: unknown };
  return (
    (message.type === "token" && isTokenService(message.service) && typeof message.present === "boolean") ||
    (message.type === "persistence" && typeof message.on === "boolean")
  );
}

export function isStoredToken(value: unknown): value is StoredToken {
  if (typeof value !== "object" || value === null) return false;
  const token = value as Partial<Record<keyof StoredToken, unknown>>;
  return (
    typeof token.accessToken === "string" &&
    token.accessToken.length > 0 &&
    (token.refreshToken === undefined || typeof token.refreshToken === "string") &&
    (token.expiresAt === undefined || (typeof token.expiresAt === "number" && Number.isFinite(token.expiresAt))) &&
    Array.isArray(token.scopes) &&
    token.scopes.every((scope) => typeof scope === "string") &&
    (token.account === undefined || typeof token.account === "string")
  );
}

function copyOf(token: StoredToken): StoredToken {
  return { ...token, scopes: [...token.scopes] };
}

function recordKey(service: TokenService): string {
  return `${VAULT_TOKEN_PREFIX}${service}`;
}

/**
 * Connector sign-ins. Tokens live in this page's memory; only while the `persistTokens` setting is
 * on are they also kept in IndexedDB, sealed with AES-GCM under a non-extractable key stored beside
 * them, so a reload keeps the user signed in without any token being readable at rest. Turning
 * persistence off deletes every stored copy and the key.
 */
export class TokenVault {
  readonly #db: Database;
  readonly #settings: SettingsStore;
  readonly #tokens = new Map<TokenService, StoredToken>();
  readonly #listeners = new Set<TokenVaultListener>();
  readonly #channel: BroadcastChannel | undefined;
  #persistent: boolean;
  /** Stored writes in order, so a set followed quickly by a remove never leaves the set behind. */
  #writes: Promise<unknown> = Promise.resolve();

  private constructor(db: Database, settings: SettingsStore, persistent: boolean, channel: string | null) {
    this.#db = db;
    this.#settings = settings;
    this.#persistent = persistent;
    if (channel !== null && typeof BroadcastChannel !== "undefined") {
      this.#channel = new BroadcastChannel(channel);
      this.#channel.onmessage = (event: MessageEvent<unknown>) => {
        if (isVaultMessage(event.data)) void this.#heard(event.data);
      };
    }
  }

  /**
   * Opens the vault: with persistence on, the stored tokens are opened into memory; with it off,
   * any stored copy (left by a crash mid-switch) is deleted. `channel: null` keeps it to this realm.
   */
  static async open(
    db: Database,
    settings: SettingsStore,
    options: { channel?: string | null } = {},
  ): Promise<TokenVault> {
    const persistent = await settings.get("persistTokens");
    const vault = new TokenVault(
      db,
      settings,
      persistent,
      options.channel === undefined ? VAULT_CHANNEL : options.channel,
    );
    if (persistent) {
      for (const service of TOKEN_SERVICES) {
        const token = await vault.#readStored(service);
        if (token) vault.#tokens.set(service, token);
      }
    } else {
      await vault.#deleteStored();
    }
    return vault;
  }

  get(service: TokenService): StoredToken | undefined {
    const token = this.#tokens.get(service);
    return token ? copyOf(token) : undefined;
  }

  async set(service: TokenService, token: StoredToken): Promise<void> {
    if (!isStoredToken(token)) throw new TypeError(`A ${service} token needs an access token and its scopes.`);
    const copy = copyOf(token);
    this.#tokens.set(service, copy);
    this.#notify(service);
    if (this.#persistent) await this.#queue(() => this.#writeStored(service, copy));
    this.#post({ type: "token", service, present: true });
  }

  async remove(service: TokenService): Promise<void> {
    const had = this.#tokens.delete(service);
    if (had) this.#notify(service);
    await this.#queue(() => this.#db.delete("connectorState", recordKey(service)));
    this.#post({ type: "token", service, present: false });
  }

  /** Called with the service whose token changed (set, removed, or changed in another tab). */
  onChange(listener: TokenVaultListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Whether tokens survive a reload (the `persistTokens` setting as this vault applies it). */
  get persistent(): boolean {
    return this.#persistent;
  }

  /**
   * Turns keeping sign-ins across reloads on (every token in memory is sealed and stored) or off
   * (every stored copy and the key are deleted; the tokens stay in this page's memory).
   */
  async setPersistent(on: boolean): Promise<void> {
    this.#persistent = on;
    await this.#settings.set("persistTokens", on);
    await this.#queue(async () => {
      if (on) {
        for (const [service, token] of this.#tokens) await this.#writeStored(service, token);
      } else {
        await this.#deleteStored();
      }
    });
    for (const service of TOKEN_SERVICES) this.#notify(service);
    this.#post({ type: "persistence", on });
  }

  /** Stops listening to other tabs. */
  close(): void {
    this.#channel?.close();
  }

  async #heard(message: VaultMessage): Promise<void> {
    if (message.type === "persistence") {
      this.#persistent = message.on;
      return;
    }
    const { service } = message;
    if (!message.present) {
      // A sign-out (a revoked token) anywhere is a sign-out everywhere.
      if (this.#tokens.delete(service)) this.#notify(service);
      return;
    }
    // Tokens never cross the channel: only a stored copy can be picked up from another tab.
    const stored = this.#persistent ? await this.#readStored(service) : undefined;
    if (stored) {
      this.#tokens.set(service, stored);
      this.#notify(service);
    }
  }

  async #readStored(service: TokenService): Promise<StoredToken | undefined> {
    const sealed: unknown = await this.#db.get("connectorState", recordKey(service));
    if (!isSealedToken(sealed)) return undefined;
    const key = await loadVaultKey(this.#db);
    if (!key) return undefined;
    const opened = await openSealedValue(key, service, sealed);
    return isStoredToken(opened) ? opened : undefined;
  }

  async #writeStored(service: TokenService, token: StoredToken): Promise<void> {
    const key = await loadOrCreateVaultKey(this.#db);
    const sealed = await sealValue(key, service, token);
    // Persistence may have been turned off while sealing: never write after the copies were deleted.
    if (this.#persistent && this.#tokens.get(service) === token) {
      await this.#db.put("connectorState", sealed, recordKey(service));
    }
  }

  async #deleteStored(): Promise<void> {
    const tx = this.#db.transaction("connectorState", "readwrite");
    await Promise.all([
      ...TOKEN_SERVICES.map((service) => tx.store.delete(recordKey(service))),
      tx.store.delete(VAULT_KEY_RECORD),
      tx.done,
    ]);
  }

  #queue(write: () => Promise<unknown>): Promise<void> {
    const next = this.#writes.then(write);
    this.#writes = next.catch(() => undefined);
    return next.then(() => undefined);
  }

  #notify(service: TokenService): void {
    for (const listener of this.#listeners) listener(service);
  }

  #post(message: VaultMessage): void {
    this.#channel?.postMessage(message);
  }
}
