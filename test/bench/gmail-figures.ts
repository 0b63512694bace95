/**
 * Issue 6's Gmail figure: quota units Gmail charges for Tabclaw's first sync of 100 new inbox mails
 * and for labelling each of them, measured by the fake Google, which charges every call (batch parts
 * included) by Google's published per-method table. The connector is the app's own, over
 * fake-indexeddb in Node; requests go through `fetchViaFake` exactly as a page's would.
 */
import "fake-indexeddb/auto";
import { TokenVault } from "../../src/auth/token-vault";
import { GmailConnector } from "../../src/connectors/gmail/gmail-connector";
import { openDatabase } from "../../src/store/database";
import { ConnectorState } from "../../src/store/connector-state";
import { MAIL_CATEGORIES } from "../../src/store/mail-record";
import { MailStore } from "../../src/store/mail-store";
import { SettingsStore } from "../../src/store/settings-store";
import { GMAIL_MODIFY_SCOPE, GMAIL_READONLY_SCOPE } from "../../src/tools/gmail-scopes";
import { buildRawMail, fetchViaFake, startFakeGoogle } from "../fakes/google/start-fake-google";
import type { BenchTarget, Figure } from "./report";

const MAILS = 100;
const NEW_AFTER_FIRST_SYNC = 10;

/**
 * ≤ 1,100: reading costs 5 units per message (a metadata get; messages.list returns ids only) plus 6
 * for the profile and the list, and labelling 5 per message (one modify per approved action, as
 * labels are approved mail by mail) plus the one labels.list and a create per new label: about
 * 1,040. The 60 units of slack cover more new labels; anything above means a wasted call (a body
 * fetched, a label list per mail, a retried success).
 */
export const GMAIL_TARGETS: BenchTarget[] = [
  { key: "gmail_quota_units_per_100_mails", target: "≤ 1100", met: (value) => Number(value) <= 1100 },
  { key: "gmail_idle_sync_quota_units", target: "≤ 3", met: (value) => Number(value) <= 3 },
];

const TITLES: Record<string, string> = {
  urgent: "Urgent",
  needs_reply: "Needs reply",
  fyi: "FYI",
  newsletter: "Newsletter",
  automated: "Automated",
  suspicious: "Suspicious",
};

export async function measureGmailFigures(): Promise<Record<string, Figure>> {
  const fake = await startFakeGoogle();
  const db = await openDatabase(`tabclaw-bench-gmail-${crypto.randomUUID()}`);
  const vault = await TokenVault.open(db, new SettingsStore(db), { channel: null });
  try {
    const issued = fake.oauth.issueToken([GMAIL_READONLY_SCOPE, GMAIL_MODIFY_SCOPE]);
    await vault.set("google", { accessToken: issued.accessToken, expiresAt: issued.expiresAt, scopes: issued.scopes });
    const connector = new GmailConnector({ vault, mail: new MailStore(db), state: new ConnectorState(db) });
    const audit = fetchViaFake(fake);
    const run = (tool: string, args: Record<string, unknown> = {}) => connector.execute(tool, args, audit);

    const ids: string[] = [];
    for (let index = 0; index < MAILS; index += 1) {
      const raw = buildRawMail({
        from: { name: `Sender ${index}`, address: `sender${index}@example.org` },
        to: "user@example.com",
        subject: `Message ${index}`,
        text: `Body ${index}`,
        date: new Date(Date.UTC(2026, 0, 5, 8) + index * 60_000),
      });
      ids.push(fake.gmail.addMessage({ raw, labelIds: ["INBOX", "UNREAD"] }).id);
    }

    const start = fake.quotaUnits();
    await run("gmail_sync");
    const read = fake.quotaUnits() - start;
    for (const [index, id] of ids.entries()) {
      const category = MAIL_CATEGORIES[index % MAIL_CATEGORIES.length] ?? "fyi";
      await run("gmail_apply_label", {
        mailId: `gmail:${id}`,
        label: `Tabclaw/${TITLES[category] ?? category}`,
        mailSubject: `Message ${index}`,
        mailFrom: `sender${index}@example.org`,
      });
    }
    const labels = fake.quotaUnits() - start - read;

    const idleStart = fake.quotaUnits();
    await run("gmail_sync");
    const idle = fake.quotaUnits() - idleStart;

    for (let index = 0; index < NEW_AFTER_FIRST_SYNC; index += 1) {
      const raw = buildRawMail({
        from: "later@example.org",
        to: "user@example.com",
        subject: `Later ${index}`,
        text: "x",
      });
      fake.gmail.addMessage({ raw, labelIds: ["INBOX"] });
    }
    const incrementalStart = fake.quotaUnits();
    await run("gmail_sync");
    const incremental = fake.quotaUnits() - incrementalStart;

    if (fake.violations.length > 0)
      throw new Error(`The fake Google saw invalid requests: ${fake.violations.join("; ")}`);
    return {
      gmail_quota_units_per_100_mails: read + labels,
      gmail_quota_units_read_100_mails: read,
      gmail_quota_units_label_100_mails: labels,
      gmail_idle_sync_quota_units: idle,
      gmail_quota_units_sync_10_new_mails: incremental,
      gmail_bench_method: "fake Google, Google's per-method quota table",
    };
  } finally {
    vault.close();
    db.close();
    await fake.close();
  }
}
