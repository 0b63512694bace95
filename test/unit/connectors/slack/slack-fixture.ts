import "fake-indexeddb/auto";
import { exchangeSlackCode, prepareSlackAuthorization, type SlackGrant } from "../../../../src/auth/slack-oauth";
import { TokenVault, type StoredToken } from "../../../../src/auth/token-vault";
import { SlackClient } from "../../../../src/connectors/slack/slack-client";
import { SlackConnector } from "../../../../src/connectors/slack/slack-connector";
import type { PacerClock } from "../../../../src/connectors/slack/slack-pacer";
import { SlackPacer } from "../../../../src/connectors/slack/slack-pacer";
import { SlackSession, type SlackTokenStore } from "../../../../src/connectors/slack/slack-session";
import type { ToolResult } from "../../../../src/core/agent/action";
import { createAuditedFetch, type AuditedFetch } from "../../../../src/gate/audited-fetch";
import type { AuditEvent } from "../../../../src/store/audit-entry";
import { ConnectorState } from "../../../../src/store/connector-state";
import { SettingsStore } from "../../../../src/store/settings-store";
import { fetchViaFake, startFakeSlack, type FakeSlack, type FakeSlackOptions } from "../../../fakes/slack/fake-slack";
import { FreshDatabase } from "../../store/fresh-database";

export const START = Date.parse("2026-11-24T09:00:00Z");
/** Where Tabclaw at this origin asks Slack to send the user back. */
export const REDIRECT_URI = "http://127.0.0.1:4173/?oauth=callback";

/** Opens an authorize URL as the sign-in window would, and returns what Slack sent back to Tabclaw. */
export async function followAuthorize(fake: FakeSlack, url: URL): Promise<URLSearchParams> {
  const response = await fetchViaFake(fake)(url, { redirect: "manual" });
  const location = response.headers.get("location");
  if (response.status !== 302 || location === null) {
    throw new Error(`Slack's authorize page answered ${response.status}: ${await response.text()}`);
  }
  // What main.ts hands over: the provider's parameters without Tabclaw's own marker.
  const parameters = new URL(location).searchParams;
  parameters.delete("oauth");
  return parameters;
}

/** Every read scope Tabclaw asks for, as Slack grants them. */
export const READ_SCOPES = [
  "search:read",
  "im:read",
  "im:history",
  "mpim:read",
  "mpim:history",
  "channels:history",
  "groups:history",
  "channels:read",
  "groups:read",
  "users:read",
];

/** What one fetch call looked like from the client's side. */
export interface SentRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  bodyType: string;
}

/**
 * One signed-in Slack connector against the fake Slack, on a database of its own, with one clock
 * for both: the client's waits move it (they are instant), so rate windows and token lifetimes
 * pass as they would.
 */
export class SlackFixture {
  now = START;
  readonly database = new FreshDatabase();
  readonly audit: AuditEvent[] = [];
  readonly sleeps: number[] = [];
  readonly sent: SentRequest[] = [];
  fake!: FakeSlack;
  vault!: TokenVault;
  settings!: SettingsStore;
  state!: ConnectorState;
  session!: SlackSession;
  connector!: SlackConnector;
  fetch!: AuditedFetch;

  readonly clock: PacerClock = {
    now: () => this.now,
    sleep: (ms) => {
      this.sleeps.push(ms);
      this.now += ms;
      return Promise.resolve();
    },
  };

  async start(options: FakeSlackOptions = {}): Promise<this> {
    this.fake = await startFakeSlack({ now: () => this.now, ...options });
    const db = await this.database.open();
    this.settings = new SettingsStore(db);
    await this.settings.set("slackClientId", this.fake.clientId);
    this.vault = await TokenVault.open(db, this.settings, { channel: null });
    this.state = new ConnectorState(db);
    this.session = new SlackSession({
      store: this.tokenStore(),
      clientId: () => this.settings.get("slackClientId"),
      now: () => this.now,
    });
    this.connector = new SlackConnector({
      session: this.session,
      state: this.state,
      chosenChannels: () => this.settings.get("slackChannels"),
      clock: this.clock,
    });
    const toFake = fetchViaFake(this.fake);
    this.fetch = createAuditedFetch({
      auditor: {
        append: (event) => {
          this.audit.push(event);
          return Promise.resolve();
        },
      },
      fetch: (input, init) => {
        const request = input instanceof Request ? input : undefined;
        this.sent.push({
          url: typeof input === "string" ? input : input instanceof URL ? input.href : input.url,
          method: init?.method ?? request?.method ?? "GET",
          headers: Object.fromEntries(new Headers(init?.headers ?? request?.headers).entries()),
          bodyType: init?.body === undefined || init.body === null ? "none" : init.body.constructor.name,
        });
        return toFake(input, init);
      },
    });
    return this;
  }

  tokenStore(): SlackTokenStore {
    return {
      get: () => this.vault.get("slack"),
      set: (token) => this.vault.set("slack", token),
      remove: () => this.vault.remove("slack"),
    };
  }

  /** A token straight from the fake (no refresh token), for tests about the API rather than sign-in. */
  async signIn(scopes: readonly string[], options: { lifetimeSeconds?: number } = {}): Promise<StoredToken> {
    const issued = this.fake.oauth.issueToken(
      scopes,
      options.lifetimeSeconds !== undefined ? { lifetimeSeconds: options.lifetimeSeconds } : {},
    );
    const token: StoredToken = {
      accessToken: issued.accessToken,
      ...(issued.expiresAt !== undefined ? { expiresAt: issued.expiresAt } : {}),
      scopes: [...issued.scopes],
      account: "U0ALICE01@Acme",
    };
    await this.vault.set("slack", token);
    return token;
  }

  /**
   * The real Connect flow without a window: the authorize URL is opened like a browser would (the
   * fake consents and redirects), and the code is exchanged with the verifier. Stores the token.
   */
  async connect(scopes: readonly string[]): Promise<SlackGrant> {
    const request = await prepareSlackAuthorization({
      clientId: this.fake.clientId,
      redirectUri: REDIRECT_URI,
      scopes,
    });
    const callback = await followAuthorize(this.fake, request.url);
    const grant = await exchangeSlackCode({ request, callback, fetch: this.fetch, now: this.now });
    await this.vault.set("slack", grant.token);
    return grant;
  }

  /** A client as the connector makes one for an action. */
  client(): SlackClient {
    return new SlackClient({
      fetch: this.fetch,
      session: this.session,
      pacer: new SlackPacer(this.clock),
      sleep: this.clock.sleep,
    });
  }

  execute(tool: string, args: Record<string, unknown> = {}): Promise<ToolResult> {
    return this.connector.execute(tool, args, this.fetch);
  }

  async stop(): Promise<void> {
    this.vault.close();
    await this.fake.close();
    await this.database.dispose();
  }
}
