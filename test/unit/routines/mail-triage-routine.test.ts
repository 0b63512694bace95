/**
 * Mail triage as the scheduler runs it, on real stores (fake-indexeddb), a real Gate with the real
 * Gmail connector against the fake Google, and a scripted model (a TEST DOUBLE that answers from a
 * script, not a model): rules first at 0 tokens, the model for the rest under the schema, unusable
 * answers and budgets leaving mail untriaged with a reason, the user's rules, Gmail read through
 * the Gate, and label and draft cards proposed, never a send.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TRIAGE_SCHEMA_TEXT } from "../../../src/core/mail/triage-schema";
import { MAIL_TRIAGE_ROUTINE } from "../../../src/routines/mail-triage-routine";
import { MAX_MODEL_ATTEMPTS, readTriageState } from "../../../src/routines/mail-triage-state";
import type { MailRule } from "../../../src/store/mail-record";
import { GMAIL_COMPOSE_SCOPE, GMAIL_MODIFY_SCOPE, GMAIL_READONLY_SCOPE } from "../../../src/tools/gmail-scopes";
import type { RawMailInput } from "../../fakes/google/raw-mail";
import { storedMail } from "../../fakes/stored-mail";
import { START, TriageHarness, triageAnswer } from "./mail-triage-harness";

let triage: TriageHarness;

beforeEach(async () => {
  triage = await new TriageHarness().start();
});

afterEach(async () => {
  expect(triage.gmail.fake.violations).toEqual([]);
  await triage.stop();
});

const newsletter = storedMail({
  id: "local:news",
  from: { address: "digest@news.example" },
  subject: "This week in gardening",
  ruleHeaders: { listUnsubscribe: "<https://news.example/u>" },
});
const receipt = storedMail({
  id: "local:receipt",
  from: { address: "no-reply@shop.example" },
  subject: "Your order has shipped",
});
const bounce = storedMail({
  id: "local:bounce",
  from: { address: "MAILER-DAEMON@mx.example.net" },
  subject: "Undelivered Mail Returned to Sender",
  ruleHeaders: { autoSubmitted: "auto-replied" },
});
const question = storedMail({
  id: "local:question",
  from: { name: "Ann", address: "ann@example.com" },
  subject: "Budget for Q3",
  text: "Could you send me the Q3 numbers before Thursday?",
});
const notice = storedMail({
  id: "local:notice",
  from: { name: "Office", address: "office@example.com" },
  subject: "Kitchen closed on Friday",
  text: "The kitchen is closed on Friday for cleaning.",
});

async function usage() {
  return triage.db.getAll("usage");
}

describe("the check", () => {
  it("with no mail waiting finds nothing new: no model call, no token", async () => {
    triage.useModel(() => triageAnswer("fyi", "x"));
    const result = await triage.tick({ page: false });
    expect(result).toMatchObject({ outcome: "nothing-new", tokens: 0, message: "No mail waits for triage." });
    expect(triage.requests).toHaveLength(0);
  });

  it("treats Gmail not connected as no Gmail: local mail only, nothing said about it", async () => {
    const result = await triage.tick();
    expect(result.outcome).toBe("nothing-new");
    expect(result.message).toBe("No mail waits for triage.");
    expect(await triage.gate.recent()).toEqual([]);
  });
});

describe("rules before the model", () => {
  it("file newsletters and automated mail with no engine call and 0 tokens", async () => {
    await triage.seed([newsletter, receipt, bounce]);
    triage.useModel(() => {
      throw new Error("the model must not be asked");
    });
    const result = await triage.tick();
    expect(result).toMatchObject({ outcome: "ran", tokens: 0, itemsFound: 3 });
    expect(result.message).toContain("Filed 3 mails: 3 by rules (Newsletter 1, Automated 2).");
    expect(triage.requests).toHaveLength(0);
    expect(await usage()).toEqual([]);
    expect((await triage.mail.get("local:news"))?.triage).toMatchObject({
      category: "newsletter",
      decidedBy: "rule",
      ruleId: "list-unsubscribe",
    });
    expect((await triage.mail.get("local:receipt"))?.triage?.ruleId).toBe("no-reply-sender");
    expect((await triage.mail.get("local:bounce"))?.triage?.ruleId).toBe("auto-submitted");
    expect(await triage.mail.countUntriaged()).toBe(0);
    expect(triage.announced).toBeGreaterThan(0);
    // Local mail is only filed: nothing is proposed (Gmail is not connected, so not even a sync).
    expect(await triage.gate.recent()).toEqual([]);
  });

  it("apply the user's rule before the built-in ones, and a correction rule changes the next triage", async () => {
    const listRule: MailRule = {
      id: "rule-news",
      listId: "gardening.news.example",
      category: "fyi",
      origin: "user",
      createdAt: 1,
    };
    await triage.settings.set("mailRules", [listRule]);
    await triage.seed([
      { ...newsletter, ruleHeaders: { ...newsletter.ruleHeaders, listId: "Gardening <gardening.news.example>" } },
      question,
    ]);
    triage.useModel(() => triageAnswer("needs_reply", "Ann wants the Q3 numbers.", "Hi Ann, on Wednesday."));
    await triage.tick({ page: false });
    expect((await triage.mail.get("local:news"))?.triage).toMatchObject({
      category: "fyi",
      decidedBy: "rule",
      ruleId: "rule-news",
    });
    expect((await triage.mail.get("local:question"))?.triage?.category).toBe("needs_reply");
    expect(triage.requests).toHaveLength(1);

    // The user re-files Ann's mail as FYI and makes it a rule for her address (as the Inbox does).
    await triage.settings.set("mailRules", [
      listRule,
      { id: "rule-ann", from: "ann@example.com", category: "fyi", origin: "correction", createdAt: 2 },
    ]);
    await triage.seed([
      storedMail({ id: "local:question-2", from: { address: "ann@example.com" }, subject: "Re: Budget" }),
    ]);
    const next = await triage.tick({ page: false });
    expect((await triage.mail.get("local:question-2"))?.triage).toMatchObject({
      category: "fyi",
      decidedBy: "rule",
      ruleId: "rule-ann",
    });
    expect(next.tokens).toBe(0);
    expect(triage.requests).toHaveLength(1);
  });
});

describe("the model", () => {
  it("classifies what the rules leave, one mail per call under the schema, with usage recorded", async () => {
    await triage.seed([newsletter, question, notice]);
    triage.useModel((prompt) =>
      prompt.includes("Budget for Q3")
        ? triageAnswer("needs_reply", "Ann needs the Q3 numbers by Thursday.", "Hi Ann,\nI will send them Wednesday.")
        : triageAnswer("fyi", "The kitchen is closed on Friday."),
    );
    const result = await triage.tick({ page: false });
    expect(result.outcome).toBe("ran");
    expect(result.itemsFound).toBe(3);
    expect(result.message).toContain("Filed 3 mails: 1 by rules, 2 by the model (Needs reply 1, FYI 1, Newsletter 1).");
    expect(triage.requests).toHaveLength(2);
    for (const request of triage.requests) {
      expect(request.responseFormat).toEqual({ type: "json_object", schema: TRIAGE_SCHEMA_TEXT });
      expect(request.temperature).toBe(0);
      expect(request.messages.at(-1)?.content.match(/<untrusted source=/g)).toHaveLength(1);
    }
    expect((await triage.mail.get("local:question"))?.triage).toEqual({
      category: "needs_reply",
      summary: "Ann needs the Q3 numbers by Thursday.",
      draftReply: "Hi Ann,\nI will send them Wednesday.",
      decidedBy: "model",
      modelId: "scripted-triage-model",
      at: START,
    });
    expect((await triage.mail.get("local:notice"))?.triage).toMatchObject({ category: "fyi", decidedBy: "model" });
    const records = await usage();
    expect(records.map((record) => record.routine)).toEqual([MAIL_TRIAGE_ROUTINE, MAIL_TRIAGE_ROUTINE]);
    expect(result.tokens).toBe(records.reduce((sum, record) => sum + record.promptTokens + record.completionTokens, 0));
    expect(result.tokens).toBeGreaterThan(0);
    // Afterwards the inbox is quiet: the next check asks nothing.
    expect(await triage.tick({ page: false })).toMatchObject({ outcome: "nothing-new", tokens: 0 });
    expect(triage.requests).toHaveLength(2);
  });

  it("leaves a mail untriaged with the reason when the answer is unusable, and gives up after two tries", async () => {
    await triage.seed([question, notice]);
    triage.useModel((prompt) =>
      prompt.includes("Budget for Q3")
        ? { text: "Sure! I think this one is urgent." }
        : triageAnswer("fyi", "Kitchen closed."),
    );
    const first = await triage.tick({ page: false });
    expect(first.outcome).toBe("ran");
    expect(first.message).toContain(
      "Left untriaged (the model's answer was unusable): “Budget for Q3”: the answer is not JSON.",
    );
    expect((await triage.mail.get("local:question"))?.status).toBe("new");
    expect((await triage.mail.get("local:question"))?.triage).toBeUndefined();
    expect((await readTriageState(triage.db)).failures["local:question"]).toMatchObject({
      attempts: 1,
      reason: "the answer is not JSON",
    });

    const second = await triage.tick({ page: false });
    expect(second.outcome).toBe("failed");
    expect(second.tokens).toBeGreaterThan(0);
    expect(second.message).toContain("1 mail the model could not triage twice waits for you to file in the Inbox.");
    expect(MAX_MODEL_ATTEMPTS).toBe(2);

    // Given up: later checks find nothing new and spend nothing on it.
    const calls = triage.requests.length;
    expect(await triage.tick({ page: false })).toMatchObject({
      outcome: "nothing-new",
      tokens: 0,
      message: "No mail waits for triage; 1 mail the model could not triage waits for you to file in the Inbox.",
    });
    expect(triage.requests).toHaveLength(calls);
    // Filed by the user, it is forgotten.
    await triage.mail.setTriage("local:question", { category: "urgent", decidedBy: "user", at: START });
    await triage.seed([storedMail({ id: "local:later", subject: "Later", from: { address: "bob@example.com" } })]);
    await triage.tick({ page: false });
    expect((await readTriageState(triage.db)).failures).toEqual({});
  });

  it("stops at the budget: the rest stays untriaged, and an unchanged inbox is not asked again until it resets", async () => {
    await triage.settings.set("budgetLimits", {
      totalPerDay: 200_000,
      chatPerDay: 150_000,
      routinePerDay: 20_000,
      perRoutine: { [MAIL_TRIAGE_ROUTINE]: 1_000 },
    });
    const mails = Array.from({ length: 6 }, (_, index) =>
      storedMail({
        id: `local:p${index}`,
        from: { address: `person${index}@example.com` },
        subject: `Question ${index}`,
      }),
    );
    await triage.seed([newsletter, ...mails]);
    triage.useModel(() => triageAnswer("fyi", "A question."));
    const result = await triage.tick({ page: false });
    const asked = triage.requests.length;
    expect(asked).toBeGreaterThan(0);
    expect(asked).toBeLessThan(6);
    expect(result.outcome).toBe("ran");
    expect(result.itemsFound).toBe(1 + asked);
    expect(result.message).toMatch(new RegExp(`${6 - asked} mails? left untriaged: .*budget`, "i"));
    expect(await triage.mail.countUntriaged()).toBe(6 - asked);
    const audit = await triage.db.getAll("audit");
    expect(audit.some((entry) => entry.kind === "budget")).toBe(true);

    const again = await triage.tick({ page: false });
    expect(again).toMatchObject({ outcome: "nothing-new", tokens: 0 });
    expect(triage.requests).toHaveLength(asked);
    // The next day the budget is fresh and triage goes on.
    triage.now += 24 * 3_600_000;
    const nextDay = await triage.tick({ page: false });
    expect(nextDay.outcome).toBe("ran");
    expect(triage.requests.length).toBeGreaterThan(asked);
  });

  it("without a model files what the rules decide and asks to run again when one loads", async () => {
    await triage.seed([newsletter, question]);
    const result = await triage.tick({ page: false });
    expect(result).toMatchObject({ outcome: "ran", itemsFound: 1, tokens: 0, modelWanted: true });
    expect(result.message).toContain("1 mail waits for the model: load one and triage goes on.");
    // Nothing changed and still no model: nothing new, no work.
    expect(await triage.tick({ page: false })).toMatchObject({
      outcome: "nothing-new",
      message: "1 mail waits for the model: load one and triage goes on.",
    });
    // A new newsletter changes the inbox: the rules file it, still without a model.
    await triage.seed([{ ...newsletter, id: "local:news-2", subject: "Next week in gardening" }]);
    expect(await triage.tick({ page: false })).toMatchObject({ outcome: "ran", itemsFound: 1, modelWanted: true });
    triage.useModel(() => triageAnswer("needs_reply", "Ann wants numbers.", "Hi Ann"));
    expect(await triage.tick({ page: false })).toMatchObject({ outcome: "ran", itemsFound: 1 });
    expect(await triage.mail.countUntriaged()).toBe(0);
  });

  it("stops on the signal (watchdog, kill switch) and loses at most the mail in flight", async () => {
    const mails = Array.from({ length: 4 }, (_, index) =>
      storedMail({ id: `local:s${index}`, from: { address: `p${index}@example.com` }, subject: `Topic ${index}` }),
    );
    await triage.seed(mails);
    const controller = new AbortController();
    triage.useModel(() => {
      if (triage.requests.length === 2) controller.abort(new Error("The run took longer than its time limit."));
      return { ...triageAnswer("fyi", "Something."), chunkSize: 3 };
    });
    const result = await triage.tick({ page: false, signal: controller.signal });
    expect(triage.requests).toHaveLength(2);
    expect(result.itemsFound).toBe(1);
    expect(await triage.mail.countUntriaged()).toBe(3);
    // The stopped call is not held against its mail.
    expect((await readTriageState(triage.db)).failures).toEqual({});
  });
});

describe("Gmail", () => {
  const GMAIL_SCOPES = [GMAIL_READONLY_SCOPE, GMAIL_MODIFY_SCOPE, GMAIL_COMPOSE_SCOPE];

  it("reads new mail through the Gate, then proposes a label per mail and a draft for a reply, never a send", async () => {
    await triage.gmail.signIn(GMAIL_SCOPES);
    const deliveries: Partial<RawMailInput>[] = [
      {
        from: { name: "Ann", address: "ann@example.com" },
        subject: "Budget for Q3",
        text: "Numbers by Thursday?",
        headers: { "Reply-To": "finance@example.com" },
      },
      {
        from: { address: "digest@news.example" },
        subject: "Gardening weekly",
        headers: { "List-Unsubscribe": "<https://news.example/u>" },
      },
      { from: { address: "office@example.com" }, subject: "Kitchen closed", text: "Closed Friday." },
    ];
    triage.gmail.deliver(deliveries.length, (index) => deliveries[index] ?? {});
    await triage.seed([question]);
    triage.useModel((prompt) =>
      prompt.includes("Budget for Q3")
        ? triageAnswer("needs_reply", "Ann needs the Q3 numbers.", "Hi Ann,\nThursday works.")
        : triageAnswer("fyi", "Something to know."),
    );
    const result = await triage.tick();
    expect(result.outcome).toBe("ran");
    expect(result.itemsFound).toBe(4);
    expect(result.message).toContain("Gmail: 3 labels and 1 reply draft wait for your approval in Approvals.");

    const recent = await triage.gate.recent();
    const sync = recent.find((record) => record.action.tool === "gmail_sync");
    expect(sync?.status).toBe("executed");
    const pending = await triage.gate.pending();
    expect(pending.map((record) => record.action.tool).sort()).toEqual([
      "gmail_apply_label",
      "gmail_apply_label",
      "gmail_apply_label",
      "gmail_create_draft",
    ]);
    expect(recent.some((record) => record.action.effect === "send")).toBe(false);
    const gmailMail = (await triage.mail.recent()).filter((mail) => mail.source === "gmail");
    expect(gmailMail).toHaveLength(3);
    for (const record of pending) {
      expect(record.action.taint.tainted).toBe(true);
      expect(record.action.taint.sources).toEqual([String(record.action.arguments.mailId)]);
      expect(String(record.action.arguments.mailId)).toMatch(/^gmail:/);
    }
    const labels = pending
      .filter((record) => record.action.tool === "gmail_apply_label")
      .map((record) => record.action.arguments.label);
    expect(labels.sort()).toEqual(["Tabclaw/FYI", "Tabclaw/Needs reply", "Tabclaw/Newsletter"]);
    const draft = pending.find((record) => record.action.tool === "gmail_create_draft")?.action;
    expect(draft?.arguments).toMatchObject({
      to: "finance@example.com",
      subject: "Re: Budget for Q3",
      body: "Hi Ann,\nThursday works.",
    });
    // The draft's recipient came from the mail's Reply-To: the card says so.
    expect(draft?.taint.argumentSources.find((source) => source.path === "to")?.origin).toBe("untrusted");
    // Nothing ran in Gmail: no label added, no draft, nothing sent.
    expect(triage.gmail.fake.gmail.mailbox.sent).toEqual([]);
    expect(triage.gmail.fake.gmail.quotaUnitsByMethod()["gmail.users.messages.modify"] ?? 0).toBe(0);
    expect(triage.gmail.fake.gmail.quotaUnitsByMethod()["gmail.users.drafts.create"] ?? 0).toBe(0);

    // A second run proposes nothing again and asks the model nothing.
    const calls = triage.requests.length;
    expect(await triage.tick()).toMatchObject({ outcome: "nothing-new", tokens: 0 });
    expect(triage.requests).toHaveLength(calls);
    expect(await triage.gate.pending()).toHaveLength(4);
  });

  it("an expired sign-in mid-sync: the run says to reconnect, local mail is still triaged, nothing is lost", async () => {
    const token = await triage.gmail.signIn(GMAIL_SCOPES);
    triage.gmail.deliver(60);
    let batches = 0;
    triage.gmail.beforeRequest = (url) => {
      if (url.includes("/batch/") && ++batches === 2) triage.gmail.fake.oauth.expireToken(token);
    };
    await triage.seed([newsletter]);
    const result = await triage.tick();
    expect(result.outcome).toBe("ran");
    expect(result.message).toContain("Gmail needs you to sign in again");
    expect(result.message).toContain("Reconnect Gmail in Settings → Accounts");
    expect((await triage.mail.get("local:news"))?.status).toBe("triaged");
    // The 50 read before the expiry are kept and triaged by rule or left for a model; no label was proposed.
    expect((await triage.mail.recent()).filter((mail) => mail.source === "gmail")).toHaveLength(50);
    expect((await triage.gate.pending()).filter((record) => record.action.tool !== "gmail_sync")).toEqual([]);

    // With nothing else waiting, a run that cannot read Gmail fails with the reconnect message.
    await triage.stop();
    triage = await new TriageHarness().start();
    const expired = await triage.gmail.signIn(GMAIL_SCOPES);
    triage.gmail.deliver(1);
    triage.gmail.beforeRequest = () => triage.gmail.fake.oauth.expireToken(expired);
    await expect(triage.tick()).rejects.toMatchObject({ name: "ReconnectNeededError", message: /sign in again/ });

    // Signed in again, the next run goes on where Gmail stopped.
    triage.gmail.beforeRequest = undefined;
    await triage.gmail.signIn(GMAIL_SCOPES);
    triage.useModel(() => triageAnswer("fyi", "Mail."));
    const after = await triage.tick();
    expect(after.outcome).toBe("ran");
    expect((await triage.mail.recent()).filter((mail) => mail.source === "gmail")).toHaveLength(1);
  });
});
