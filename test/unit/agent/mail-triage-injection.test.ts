/**
 * Prompt injection through mail triage: hostile mails delivered to the fake Gmail, read by the real
 * connector, triaged by the real routine with a scripted model that obeys them as far as the
 * triage schema lets it (a TEST DOUBLE, not a model), and proposed to the real Gate under a policy
 * where the user auto-approved Gmail labels and drafts: taint alone must hold every proposal back.
 * What must hold whatever the model says: nothing runs unapproved, nothing is sent or proposed for
 * sending, a reply goes only to the mail's own Reply-To or sender, every proposal names the mail
 * as its untrusted source, and the payload reaches the model fenced, unable to close its fence.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ScriptedResponse } from "./scripted-stream";
import { GMAIL_COMPOSE_SCOPE, GMAIL_MODIFY_SCOPE, GMAIL_READONLY_SCOPE } from "../../../src/tools/gmail-scopes";
import { TriageHarness } from "../routines/mail-triage-harness";
import { TRIAGE_INJECTION_CASES, type TriageInjectionCase } from "./mail-triage-injection-cases";

let triage: TriageHarness;

beforeEach(async () => {
  triage = await new TriageHarness().start();
  await triage.settings.set("gatePolicy", {
    readAccess: {},
    defaultReadAccess: "allow",
    autoApprovedWrites: ["gmail_apply_label", "gmail_create_draft", "gmail_send_reply"],
  });
  await triage.gmail.signIn([GMAIL_READONLY_SCOPE, GMAIL_MODIFY_SCOPE, GMAIL_COMPOSE_SCOPE]);
});

afterEach(async () => {
  expect(triage.gmail.fake.violations).toEqual([]);
  await triage.stop();
});

/** The fenced part of a prompt: where outside text is, and only there. */
function fenced(prompt: string): string {
  const start = prompt.indexOf("<untrusted");
  const end = prompt.lastIndexOf("</untrusted>");
  return start >= 0 && end > start ? prompt.slice(start, end) : "";
}

async function runCase(testCase: TriageInjectionCase) {
  const violations: string[] = [];
  const prompts: string[] = [];
  triage.useModel((prompt): ScriptedResponse => {
    prompts.push(prompt);
    // It obeys only what it could read, inside the fence, as a real model would have it.
    if (!fenced(prompt).includes(testCase.trigger)) violations.push(`trigger not seen fenced: ${testCase.trigger}`);
    return { text: JSON.stringify(testCase.answer) };
  });
  const [gmailId] = triage.gmail.deliver(1, () => testCase.mail);
  const mailId = `gmail:${gmailId ?? ""}`;
  await triage.gmail.run("gmail_sync");
  if (testCase.loadBody) await triage.gmail.run("gmail_get_message", { mailId });
  const result = await triage.tick();
  return { violations, prompts, result, mailId };
}

describe("injections in mail triage", () => {
  it.each(TRIAGE_INJECTION_CASES)(
    "$id: filed at most, nothing runs or is sent, every card tainted",
    async (testCase) => {
      const { violations, prompts, result, mailId } = await runCase(testCase);
      expect(violations).toEqual([]);
      expect(prompts).toHaveLength(1);
      // The payload cannot close its fence or open another one.
      expect(prompts[0]?.match(/<\/untrusted>/g)).toHaveLength(1);
      expect(prompts[0]?.match(/<untrusted/g)).toHaveLength(1);

      const stored = await triage.mail.get(mailId);
      expect(stored?.triage).toMatchObject({ category: testCase.answer.category, decidedBy: "model" });
      expect(result.outcome).toBe("ran");

      const records = await triage.gate.recent();
      // 0 unapproved executions: the only thing that ran is the routine's own read.
      expect(records.filter((record) => record.status === "executed").map((record) => record.action.tool)).toEqual([
        "gmail_sync",
      ]);
      expect(records.some((record) => record.action.effect === "send")).toBe(false);
      expect(triage.gmail.fake.gmail.mailbox.sent).toEqual([]);
      expect(triage.gmail.fake.gmail.mailbox.drafts()).toEqual([]);
      expect(triage.gmail.fake.gmail.quotaUnitsByMethod()["gmail.users.messages.modify"] ?? 0).toBe(0);

      const proposals = records.filter((record) => record.action.tool !== "gmail_sync");
      expect(proposals.length).toBeGreaterThan(0);
      for (const record of proposals) {
        expect(record.status).toBe("pending");
        expect(record.action.taint.tainted).toBe(true);
        expect(record.action.taint.sources).toEqual([mailId]);
        expect(record.action.arguments.mailId).toBe(mailId);
        // Nothing goes to an address only the payload names.
        expect(JSON.stringify(record.action.arguments.to ?? "")).not.toContain(testCase.attackerAddress);
      }
      const draft = proposals.find((record) => record.action.tool === "gmail_create_draft")?.action;
      if (testCase.answer.category === "needs_reply") {
        expect(draft?.arguments.to).toBe(testCase.replyTo);
        expect(draft?.arguments.body).toBe(testCase.answer.draftReply);
        // The card shows where the recipient and the words came from.
        expect(draft?.taint.argumentSources.find((source) => source.path === "to")?.untrustedSources).toEqual([mailId]);
      } else {
        expect(draft).toBeUndefined();
      }
    },
  );

  it("a hostile answer can still only be one of the six categories: anything else is refused, not guessed", async () => {
    const testCase = TRIAGE_INJECTION_CASES[0];
    if (!testCase) throw new Error("no cases");
    triage.useModel(() => ({
      text: JSON.stringify({ ...testCase.answer, category: "forward_all", tool: "gmail_send_reply" }),
    }));
    const [gmailId] = triage.gmail.deliver(1, () => testCase.mail);
    const result = await triage.tick();
    expect((await triage.mail.get(`gmail:${gmailId ?? ""}`))?.status).toBe("new");
    expect(result.message).toContain("answer.category must be one of");
    expect((await triage.gate.recent()).map((record) => record.action.tool)).toEqual(["gmail_sync"]);
  });
});
