import type { StoredToken, TokenVault } from "../auth/token-vault";
import { parseUser } from "../connectors/github/github-api-types";
import {
  GitHubClient,
  isRepositoryName,
  repositoryPath,
  type GitHubRequest,
  type KeyValueState,
} from "../connectors/github/github-client";
import { describePermission, type GitHubPermission } from "../connectors/github/github-permissions";
import type { GitHubRateState } from "../connectors/github/github-rate-state";
import type { AuditedFetch } from "../gate/audited-fetch";
import type { SettingsStore } from "../store/settings-store";
import { Observable } from "./observable";

/**
 * GitHub's connection as Settings → GitHub shows it: the fine-grained token (pasted once, kept in
 * the token vault, never shown again), who it belongs to, the repositories to watch, and for each
 * of them what the token can do there. GitHub says nothing about a token's permissions, so they
 * are found by asking: one cheap read per permission and repository when the token or the list
 * changes. Writing (Actions: Read and write) cannot be tested without writing; it shows when the
 * first approved re-run is refused.
 */

export type GitHubStatus = "disconnected" | "connected" | "needs_reconnect";

/** What the token may do in one repository; `undefined` when it could not be found out. */
export interface RepositoryAccess {
  repository: string;
  visible: boolean;
  actionsRead: boolean | undefined;
  deploymentsRead: boolean | undefined;
  /** Why the repository cannot be watched, or what is missing, in words. */
  problems: string[];
}

export interface GitHubNotice {
  kind: "info" | "error";
  text: string;
}

export interface GitHubControllerOptions {
  vault: TokenVault;
  settings: SettingsStore;
  /** An `AuditedFetch` over the page's fetch: checking a token is a request like any other. */
  fetch: AuditedFetch;
  state: KeyValueState;
  /** The connector's limits, so a check never asks GitHub while it said to wait. */
  rate: () => Promise<GitHubRateState>;
  now?: () => number;
  baseUrl?: string;
}

/** The most repositories one token check probes (three requests each). */
export const MAX_WATCHED_REPOSITORIES = 20;

const CLASSIC_TOKEN = /^gh[pousr]_/;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : "Error";
}

/** Splits what the user typed (commas, spaces or lines) into repository names, refusing malformed ones. */
export function parseRepositoryList(text: string): { repositories: string[]; invalid: string[] } {
  const names = text
    .split(/[\s,]+/)
    .map((name) =>
      name
        .trim()
        .replace(/^https:\/\/github\.com\//, "")
        .replace(/\.git$/, "")
        .replace(/\/$/, ""),
    )
    .filter((name) => name !== "");
  const repositories: string[] = [];
  const invalid: string[] = [];
  for (const name of names) {
    if (!isRepositoryName(name)) invalid.push(name);
    else if (!repositories.some((known) => known.toLowerCase() === name.toLowerCase())) repositories.push(name);
  }
  return { repositories, invalid };
}

export class GitHubController extends Observable {
  readonly #options: GitHubControllerOptions;
  #repositories: string[] = [];
  #needsReconnect = false;
  /** What the last check found, per watched repository. */
  access: RepositoryAccess[] = [];
  checkedAt: number | undefined;
  busy: "token" | "check" | "repositories" | "remove" | undefined;
  notice: GitHubNotice | undefined;

  constructor(options: GitHubControllerOptions) {
    super();
    this.#options = options;
    options.vault.onChange((service) => {
      if (service !== "github") return;
      this.#needsReconnect = false;
      this.changed();
    });
  }

  async init(): Promise<void> {
    this.#repositories = await this.#options.settings.get("githubRepositories");
    this.changed();
  }

  get token(): StoredToken | undefined {
    return this.#options.vault.get("github");
  }

  get status(): GitHubStatus {
    if (this.token === undefined) return "disconnected";
    return this.#needsReconnect ? "needs_reconnect" : "connected";
  }

  get account(): string | undefined {
    return this.token?.account;
  }

  get repositories(): readonly string[] {
    return this.#repositories;
  }

  /** Each permission missing somewhere, with where, in the words of GitHub's token page. */
  get missing(): string[] {
    const lines: string[] = [];
    const where = (pick: (access: RepositoryAccess) => boolean | undefined) =>
      this.access.filter((access) => access.visible && pick(access) === false).map((access) => access.repository);
    const add = (permission: GitHubPermission, repositories: string[]) => {
      if (repositories.length > 0) lines.push(`${describePermission(permission)} for ${repositories.join(", ")}`);
    };
    const hidden = this.access.filter((access) => !access.visible).map((access) => access.repository);
    if (hidden.length > 0) lines.push(`access to ${hidden.join(", ")} (Repository access)`);
    add(
      "actions:read",
      where((access) => access.actionsRead),
    );
    add(
      "deployments:read",
      where((access) => access.deploymentsRead),
    );
    return lines;
  }

  #client(token: string, rate: GitHubRateState): GitHubClient {
    return new GitHubClient({
      token,
      fetch: this.#options.fetch,
      state: this.#options.state,
      rate,
      ...(this.#options.now ? { now: this.#options.now } : {}),
      ...(this.#options.baseUrl !== undefined ? { baseUrl: this.#options.baseUrl } : {}),
    });
  }

  /**
   * Checks a pasted token with one request (who it belongs to), keeps it in the vault, then finds
   * what it may do in the watched repositories. A token GitHub refuses is not kept.
   */
  async setToken(value: string): Promise<boolean> {
    const token = value.trim();
    if (token === "" || /\s/.test(token)) {
      this.#notice("error", "Paste the whole token: one word, without spaces.");
      return false;
    }
    if (CLASSIC_TOKEN.test(token)) {
      this.#notice(
        "error",
        "This is a classic token, which reaches every repository you can. Create a fine-grained token limited to the repositories to watch (see Help), and paste that one.",
      );
      return false;
    }
    this.busy = "token";
    this.notice = undefined;
    this.changed();
    try {
      const client = this.#client(token, await this.#options.rate());
      const user = parseUser(
        await client.getJson({
          path: "/user",
          repository: "your account",
          what: "read who owns the token",
          permission: "metadata:read",
          purpose: "user",
        }),
      );
      await this.#options.vault.set("github", { accessToken: token, scopes: [], account: user.login });
      this.#needsReconnect = false;
      this.#notice("info", `Token saved for @${user.login}. It is not shown again.`);
      await this.#check(token).catch((error: unknown) =>
        this.#notice("error", `The token is saved, but its access could not be checked: ${errorText(error)}`),
      );
      return true;
    } catch (error) {
      this.#notice(
        "error",
        errorName(error) === "ReconnectNeededError"
          ? "GitHub refused this token (401 Bad credentials): it may be mistyped, expired or deleted. Nothing was saved."
          : `The token could not be checked, so it was not saved: ${errorText(error)}`,
      );
      return false;
    } finally {
      this.busy = undefined;
      this.changed();
    }
  }

  /** Forgets the token here. A personal access token can only be revoked on GitHub itself. */
  async removeToken(): Promise<void> {
    this.busy = "remove";
    this.changed();
    try {
      await this.#options.vault.remove("github");
      this.access = [];
      this.checkedAt = undefined;
      this.#notice(
        "info",
        "The token is removed from Tabclaw. To revoke it everywhere, delete it on GitHub (Settings → Developer settings → Fine-grained tokens).",
      );
    } finally {
      this.busy = undefined;
      this.changed();
    }
  }

  /** Saves the repositories to watch (what the user typed), then checks the token's access to them. */
  async setRepositories(text: string): Promise<boolean> {
    const { repositories, invalid } = parseRepositoryList(text);
    if (invalid.length > 0) {
      this.#notice(
        "error",
        `Write each repository as owner/name: ${invalid.join(", ")} is not one. Nothing was saved.`,
      );
      return false;
    }
    if (repositories.length > MAX_WATCHED_REPOSITORIES) {
      this.#notice("error", `Watch at most ${MAX_WATCHED_REPOSITORIES} repositories. Nothing was saved.`);
      return false;
    }
    this.busy = "repositories";
    this.changed();
    try {
      await this.#options.settings.set("githubRepositories", repositories);
      this.#repositories = repositories;
      this.#notice(
        "info",
        repositories.length === 0 ? "No repository is watched." : `Watching ${repositories.join(", ")}.`,
      );
      const token = this.token?.accessToken;
      if (token !== undefined) await this.#check(token);
      return true;
    } finally {
      this.busy = undefined;
      this.changed();
    }
  }

  /** Asks GitHub again what the token may do in the watched repositories. */
  async recheck(): Promise<void> {
    const token = this.token?.accessToken;
    if (token === undefined) return;
    this.busy = "check";
    this.changed();
    try {
      await this.#check(token);
    } catch (error) {
      this.#notice("error", errorText(error));
    } finally {
      this.busy = undefined;
      this.changed();
    }
  }

  async #check(token: string): Promise<void> {
    const client = this.#client(token, await this.#options.rate());
    const access: RepositoryAccess[] = [];
    for (const repository of this.#repositories) access.push(await this.#probe(client, repository));
    this.access = access;
    this.checkedAt = (this.#options.now ?? Date.now)();
    const granted = new Set<GitHubPermission>(["metadata:read"]);
    if (access.some((entry) => entry.actionsRead === true)) granted.add("actions:read");
    if (access.some((entry) => entry.deploymentsRead === true)) granted.add("deployments:read");
    const stored = this.token;
    if (stored && stored.accessToken === token)
      await this.#options.vault.set("github", { ...stored, scopes: [...granted] });
  }

  /** One read per permission: the repository itself, its runs, its deployments (one item each). */
  async #probe(client: GitHubClient, repository: string): Promise<RepositoryAccess> {
    const base = repositoryPath(repository);
    const request = (path: string, what: string, permission: GitHubPermission): GitHubRequest => ({
      path,
      query: path === base ? {} : { per_page: 1 },
      repository,
      what,
      permission,
      purpose: "user",
    });
    const result: RepositoryAccess = {
      repository,
      visible: false,
      actionsRead: undefined,
      deploymentsRead: undefined,
      problems: [],
    };
    const attempt = async (path: string, what: string, permission: GitHubPermission): Promise<boolean | undefined> => {
      try {
        await client.getJson(request(path, what, permission));
        return true;
      } catch (error) {
        if (errorName(error) === "ReconnectNeededError") {
          this.#needsReconnect = true;
          throw error;
        }
        result.problems.push(errorText(error));
        return errorName(error) === "ScopeNeededError" ? false : undefined;
      }
    };
    const visible = await attempt(base, "see the repository", "metadata:read");
    if (visible !== true) return result;
    result.visible = true;
    result.actionsRead = await attempt(`${base}/actions/runs`, "list workflow runs", "actions:read");
    result.deploymentsRead = await attempt(`${base}/deployments`, "list deployments", "deployments:read");
    return result;
  }

  #notice(kind: GitHubNotice["kind"], text: string): void {
    this.notice = { kind, text };
    this.changed();
  }
}
