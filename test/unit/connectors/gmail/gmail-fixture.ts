import "fake-indexeddb/auto";
import { TokenVault } from "../../../../src/auth/token-vault";
import { GmailConnector } from "../../../../src/connectors/gmail/gmail-connector";
import type { ToolResult } from "../../../../src/core/agent/action";
import { createAuditedFetch } from "../../../../src/gate/audited-fetch";
import type { AuditEvent } from "../../../../src/store/audit-entry";
import { ConnectorState } from "../../../../src/store/connector-state";
import { MailStore } from "../../../../src/store/mail-store";
import { SettingsStore } from "../../../../src/store/settings-store";
import {
  buildRawMail,
  fetchViaFake,
  startFakeGoogle,
  type FakeGoogle,
  type StartFakeGoogleOptions,
} from "../../../fakes/google/start-fake-google";
import type { RawMailInput } from "../../../fakes/google/raw-mail";
import { FreshDatabase } from "../../store/fresh-database";

/** One signed-in Gmail connector against the fake Google, on a database of its own. */
export class GmailFixture {
  readonly database = new FreshDatabase();
  fake!: FakeGoogle;
  vault!: TokenVault;
  mail!: MailStore;
  state!: ConnectorState;
  connector!: GmailConnector;
  /** The waits the client asked for, in ms (sleeps are instant in tests). */
  readonly sleeps: number[] = [];
  readonly audit: AuditEvent[] = [];
  mailChanges = 0;

  /** Called before each request reaches the fake (to expire a token part-way, say). */
  beforeRequest: ((url: string) => void) | undefined;

  async start(options: StartFakeGoogleOptions = {}): Promise<this> {
    this.fake = await startFakeGoogle(options);
    const db = await this.database.open();
    this.vault = await TokenVault.open(db, new SettingsStore(db), { channel: null });
    this.mail = new MailStore(db);
    this.state = new ConnectorState(db);
    this.connector = new GmailConnector({
      vault: this.vault,
      mail: this.mail,
      state: this.state,
      client: {
        sleep: (ms) => {
          this.sleeps.push(ms);
          return Promise.resolve();
        },
        random: () => 0.5,
      },
      onMailChanged: () => {
        this.mailChanges += 1;
      },
    });
    return this;
  }

  /** Signs in as if the user had consented to `scopes` in Google's window. */
  async signIn(scopes: string[]): Promise<string> {
    const issued = this.fake.oauth.issueToken(scopes);
    await this.vault.set("google", {
      accessToken: issued.accessToken,
      expiresAt: issued.expiresAt,
      scopes: issued.scopes,
    });
    return issued.accessToken;
  }

  /** Delivers `count` inbox mails, oldest first; returns their Gmail ids. */
  deliver(count: number, make: (index: number) => Partial<RawMailInput> = () => ({})): string[] {
    const ids: string[] = [];
    for (let index = 0; index < count; index += 1) {
      const raw = buildRawMail({
        from: { name: `Sender ${index}`, address: `sender${index}@example.org` },
        to: "user@example.com",
        subject: `Message ${index}`,
        text: `Body of message ${index}`,
        date: new Date(Date.UTC(2024, 4, 6, 9, 30) + index * 60_000),
        ...make(index),
      });
      ids.push(this.fake.gmail.addMessage({ raw, labelIds: ["INBOX", "UNREAD"] }).id);
    }
    return ids;
  }

  run(tool: string, args: Record<string, unknown> = {}): Promise<ToolResult> {
    const viaFake = fetchViaFake(this.fake);
    const audited = createAuditedFetch({
      auditor: { append: (event) => Promise.resolve(this.audit.push(event)) },
      fetch: (input, init) => {
        this.beforeRequest?.(input instanceof Request ? input.url : String(input));
        return viaFake(input, init);
      },
      tool,
    });
    return this.connector.execute(tool, args, audited);
  }

  async stop(): Promise<void> {
    this.vault.close();
    await this.fake.close();
    await this.database.dispose();
  }
}
