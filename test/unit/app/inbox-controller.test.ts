/**
 * The Inbox's controller on a real (fake-indexeddb) database and a real Gate with the Gmail tools:
 * listing by category, re-filing a mail and the rule it becomes, remote-image senders, replies
 * proposed to the Gate tainted by the mail, and a Gmail body read through the Gate on open.
 */
import { describe, expect, it } from "vitest";
import { ApprovalsController } from "../../../src/app/approvals-controller";
import { InboxController, triageRunNotice } from "../../../src/app/inbox-controller";
import { ToolRegistry } from "../../../src/core/agent/tool-registry";
import { connectorRegistry, type Connector } from "../../../src/gate/connector";
import type { MailRecord } from "../../../src/store/mail-record";
import { MailStore } from "../../../src/store/mail-store";
import { SettingsStore } from "../../../src/store/settings-store";
import { GMAIL_TOOLS } from "../../../src/tools/gmail-tools";
import { useGateHarness } from "../gate/gate-harness";

const currentHarness = useGateHarness();
const tools = new ToolRegistry(GMAIL_TOOLS);

let clock = 1_700_000_000_000;

function mail(overrides: Partial<MailRecord> & { id: string }): MailRecord {
  clock += 60_000;
  return {
    source: "gmail",
    sourceId: overrides.id.replace(/^gmail:/, ""),
    from: { name: "Ann", address: "ann@example.com" },
    to: [{ address: "you@example.com" }],
    cc: [],
    subject: "Budget for Q3",
    receivedAt: clock,
    ruleHeaders: {},
    text: "Can you send me the Q3 budget numbers before the board meeting?",
    snippet: "Can you send me the Q3 budget numbers",
    attachments: [],
    labels: ["INBOX"],
    bodyLoaded: true,
    status: "new",
    storedAt: clock,
    ...overrides,
  };
}

const needsReply = mail({
  id: "gmail:18f0c",
  status: "triaged",
  triage: {
    category: "needs_reply",
    summary: "Ann wants the Q3 budget numbers.",
    draftReply: "Hi Ann, the numbers follow tomorrow.",
    decidedBy: "model",
    modelId: "Qwen2.5-1.5B",
    at: 1,
  },
});
const newsletter = mail({
  id: "local:news",
  source: "local",
  from: { address: "news@lists.example.org" },
  subject: "This week",
  ruleHeaders: { listId: "Weekly <weekly.lists.example.org>" },
  status: "triaged",
  triage: { category: "fyi", decidedBy: "model", at: 1 },
});
const waiting = mail({ id: "local:new", source: "local", subject: "Unsorted" });

/** Gmail as far as reading one message goes: it stores the body, as the real connector does. */
function gmailConnector(store: MailStore, calls: string[]): Connector {
  return {
    name: "gmail",
    connected: () => true,
    async execute(tool, args) {
      calls.push(tool);
      const id = String(args.mailId);
      await store.update(id, (record) => ({ ...record, bodyLoaded: true, text: "The whole mail." }));
      return { content: "loaded", trusted: false, source: id };
    },
  };
}

async function setUp(mails: MailRecord[] = [needsReply, newsletter, waiting]) {
  const harness = currentHarness();
  const store = new MailStore(harness.database.db);
  const settings = new SettingsStore(harness.database.db);
  await store.addNew(mails);
  const calls: string[] = [];
  const gate = await harness.gate({ tools, connectors: connectorRegistry([gmailConnector(store, calls)]) });
  const approvals = new ApprovalsController(gate, tools);
  let announced = 0;
  const inbox = new InboxController({
    mail: store,
    settings,
    gate,
    tools,
    approvals,
    announce: () => (announced += 1),
    now: () => 1_800_000_000_000,
    newId: (() => {
      let n = 0;
      return () => `id-${++n}`;
    })(),
  });
  await inbox.refresh();
  return { store, settings, gate, approvals, inbox, calls, announced: () => announced };
}

describe("InboxController", () => {
  it("counts every category, lists the first one with mail, and lists what waits for triage", async () => {
    const { inbox } = await setUp();
    expect(inbox.total).toBe(3);
    expect(inbox.counts).toMatchObject({ needs_reply: 1, fyi: 1, new: 1, urgent: 0 });
    expect(inbox.category).toBe("needs_reply");
    expect(inbox.list.map((record) => record.id)).toEqual(["gmail:18f0c"]);
    await inbox.select("new");
    expect(inbox.list.map((record) => record.id)).toEqual(["local:new"]);
  });

  it("re-files a mail as the user's decision, offers sender, domain and list rules, and saves and deletes one", async () => {
    const { inbox, store, settings, announced } = await setUp();
    await inbox.openMail("local:news");
    await inbox.recategorise("newsletter");
    expect((await store.get("local:news"))?.triage).toEqual({
      category: "newsletter",
      decidedBy: "user",
      at: 1_800_000_000_000,
    });
    expect(announced()).toBe(1);
    expect(inbox.counts).toMatchObject({ fyi: 0, newsletter: 1 });
    expect(inbox.offer?.offers.map((offer) => offer.label)).toEqual([
      "Mail from news@lists.example.org",
      "Mail from anyone at lists.example.org",
      "Mail from the list weekly.lists.example.org",
    ]);

    const list = inbox.offer?.offers[2];
    if (!list) throw new Error("a list offer");
    await inbox.makeRule(list);
    expect(await settings.get("mailRules")).toEqual([
      {
        id: "id-1",
        listId: "weekly.lists.example.org",
        category: "newsletter",
        origin: "correction",
        createdAt: 1_800_000_000_000,
        fromMailId: "local:news",
      },
    ]);
    expect(inbox.rules).toHaveLength(1);
    expect(inbox.offer).toBeUndefined();
    expect(inbox.notice?.text).toMatch(/^Rule saved: mail from the list weekly\.lists\.example\.org is filed/);

    await inbox.deleteRule("id-1");
    expect(await settings.get("mailRules")).toEqual([]);
    expect(inbox.rules).toEqual([]);
  });

  it("lets a sender load remote images and stops it again, by lower-case address", async () => {
    const { inbox, settings } = await setUp();
    await inbox.setRemoteImages("Ann@Example.com", true);
    expect(await settings.get("mailRemoteImageSenders")).toEqual(["ann@example.com"]);
    expect(inbox.remoteImagesAllowed(needsReply)).toBe(true);
    expect(inbox.remoteImagesAllowed(newsletter)).toBe(false);
    await inbox.setRemoteImages("ann@example.com", false);
    expect(inbox.remoteImagesAllowed(needsReply)).toBe(false);
  });

  it("proposes the model's draft as a Gmail draft: pending, tainted by the mail, the recipient copied from it", async () => {
    const { inbox, approvals, calls } = await setUp();
    await inbox.openMail("gmail:18f0c");
    expect(inbox.canReply(needsReply)).toBe(true);
    await inbox.proposeReply("draft", "Hi Ann, the numbers follow tomorrow.");
    await approvals.refresh();
    const [record] = approvals.pending;
    expect(record?.action).toMatchObject({
      tool: "gmail_create_draft",
      effect: "write",
      arguments: {
        mailId: "gmail:18f0c",
        to: "ann@example.com",
        subject: "Re: Budget for Q3",
        body: "Hi Ann, the numbers follow tomorrow.",
      },
    });
    expect(record?.action.taint.tainted).toBe(true);
    expect(record?.action.taint.sources).toEqual(["gmail:18f0c"]);
    expect(record?.action.taint.argumentSources.map((source) => [source.path, source.origin])).toEqual([
      ["mailId", "user"],
      ["to", "untrusted"],
      ["subject", "untrusted"],
      ["body", "model"],
    ]);
    expect(inbox.notice?.text).toBe(
      "The Gmail draft waits for your approval in Approvals. Nothing leaves until you approve it there.",
    );
    expect(inbox.pendingReply(needsReply, "gmail_create_draft")?.id).toBe(record?.id);
    expect(calls).toEqual([]);
  });

  it("proposes a send that always waits, with a reply the user rewrote marked as theirs", async () => {
    const { inbox, approvals, calls } = await setUp();
    await inbox.openMail("gmail:18f0c");
    await inbox.proposeReply("send", "Hi Ann, I will call you instead.");
    await approvals.refresh();
    const [record] = approvals.pending;
    expect(record?.action.tool).toBe("gmail_send_reply");
    expect(record?.action.effect).toBe("send");
    expect(record?.action.taint.argumentSources.find((source) => source.path === "body")?.origin).toBe("user");
    expect(approvals.labelBatch).toEqual([]);
    expect(calls).toEqual([]);

    await inbox.proposeReply("send", "   ");
    expect(inbox.notice).toEqual({ mailId: "gmail:18f0c", text: "Write the reply first: it is empty.", tone: "error" });
  });

  it("proposes archiving a Gmail mail as a change that waits in Approvals and runs nothing yet", async () => {
    const { inbox, approvals, calls } = await setUp();
    await inbox.openMail("gmail:18f0c");
    await inbox.proposeArchive();
    await approvals.refresh();
    const [record] = approvals.pending;
    expect(record?.action).toMatchObject({
      tool: "gmail_archive",
      effect: "write",
      arguments: { mailId: "gmail:18f0c", mailSubject: "Budget for Q3", mailFrom: "ann@example.com" },
    });
    expect(record?.action.preview.title).toBe("Archive a mail in Gmail");
    expect(inbox.notice?.text).toMatch(/^Archiving the mail in Gmail waits for your approval in Approvals/);
    expect(calls).toEqual([]);
  });

  it("reads a Gmail mail's body through the Gate when it is opened, untainted, then shows it", async () => {
    const metadataOnly = mail({ id: "gmail:abc", bodyLoaded: false, text: "" });
    const { inbox, calls, gate } = await setUp([metadataOnly]);
    await inbox.openMail("gmail:abc");
    expect(calls).toEqual(["gmail_get_message"]);
    // The user's own click: a read the policy allows without asking.
    const [record] = await gate.recent(1);
    expect(record?.status).toBe("executed");
    expect(record?.action.taint.tainted).toBe(false);
    expect(inbox.body).toEqual({ kind: "ready" });
    expect(inbox.open?.bodyLoaded).toBe(true);
    expect(inbox.open?.text).toBe("The whole mail.");
  });

  it("says how to connect Gmail when the read is refused for want of a connection", async () => {
    const metadataOnly = mail({ id: "gmail:abc", bodyLoaded: false, text: "" });
    const harness = currentHarness();
    const store = new MailStore(harness.database.db);
    await store.addNew([metadataOnly]);
    const gate = await harness.gate({ tools, connectors: connectorRegistry([]) });
    const inbox = new InboxController({
      mail: store,
      settings: new SettingsStore(harness.database.db),
      gate,
      tools,
      approvals: new ApprovalsController(gate, tools),
      announce: () => undefined,
    });
    await inbox.openMail("gmail:abc");
    expect(inbox.body).toEqual({
      kind: "problem",
      message: "Gmail is not connected: connect it in Settings → Accounts to read the whole mail.",
    });
  });

  it("says what Triage now did, or why it did not finish", () => {
    expect(triageRunNotice({ outcome: "ran", itemsFound: 2, message: "Filed 2 mails: 2 by rules." })).toEqual({
      text: "Filed 2 mails: 2 by rules.",
      tone: "info",
    });
    expect(triageRunNotice({ outcome: "nothing-new", itemsFound: 0 })).toEqual({
      text: "Nothing new to triage.",
      tone: "info",
    });
    expect(
      triageRunNotice({
        outcome: "failed",
        itemsFound: 0,
        error: { name: "ReconnectNeededError", message: "Reconnect Gmail in Settings → Accounts." },
      }),
    ).toEqual({ text: "Triage did not finish: Reconnect Gmail in Settings → Accounts.", tone: "error" });
    expect(triageRunNotice({ outcome: "timed-out", itemsFound: 0 }).text).toBe("Triage did not finish: it timed out");
  });
});
