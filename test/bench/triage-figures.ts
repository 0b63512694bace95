/**
 * Issue 6's triage figures, on a generated mixed inbox (`mixed-inbox-generator.ts`, 200 mails read
 * by the importer's own parser) run through the real mail-triage routine over fake-indexeddb with a
 * scripted model (a TEST DOUBLE: it answers, it does not judge, so nothing here measures quality):
 * - `triage_prompt_tokens_per_mail`: the average prompt of the mails the model was asked about,
 *   exactly as sent (system and user message in SmolLM2's ChatML template), counted with
 *   SmolLM2-135M's published tokenizer. Target ≤ 400. The worst mail and Gmail's metadata-only
 *   case (snippet instead of the body) are reported beside it.
 * - `triage_rule_decided_share`: the share the rules filed with no model call, and the engine calls
 *   spent on those (target 0), and how many rule-filed mails were generated as another kind.
 * - `triage_mails_per_default_routine_budget`: about how many mails the model can triage a day
 *   within the default per-routine budget (prompt plus a typical answer per mail).
 */
import "fake-indexeddb/auto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import { DEFAULT_BUDGET_LIMITS } from "../../src/core/agent/token-budget";
import { triageMailData, triageMessages } from "../../src/core/mail/triage-prompt";
import type { ChatTurn } from "../../src/engine/chat-engine";
import { mailFromMime } from "../../src/mail/mail-from-mime";
import { mailTriageJob } from "../../src/routines/default-jobs";
import { MAIL_TRIAGE_ROUTINE, mailTriageRoutine } from "../../src/routines/mail-triage-routine";
import type { MailRecord } from "../../src/store/mail-record";
import { MailStore } from "../../src/store/mail-store";
import { SettingsStore } from "../../src/store/settings-store";
import { FIXTURE_DIR } from "../fakes/fake-hub";
import { triageAnswer, triageEngine } from "../unit/routines/mail-triage-harness";
import { FreshDatabase } from "../unit/store/fresh-database";
import { generateMixedInbox, type GeneratedKind } from "./mixed-inbox-generator";
import type { BenchTarget, Figure } from "./report";

export const TRIAGE_INBOX_SIZE = 200;

export const TRIAGE_TARGETS: BenchTarget[] = [
  { key: "triage_prompt_tokens_per_mail", target: "≤ 400", met: (value) => Number(value) <= 400 },
  { key: "triage_engine_calls_for_rule_decided_mail", target: "0", met: (value) => value === 0 },
];

/** What a model typically answers for a mail that needs a reply (a summary and a short draft). */
const TYPICAL_ANSWER = JSON.stringify({
  summary: "Ann asks for the Q3 numbers before Thursday's board meeting.",
  category: "needs_reply",
  draftReply:
    "Hi Ann,\n\nThanks for the reminder. I will send the Q3 numbers by Wednesday evening so you have them before the board meeting.\n\nBest,\nSam",
});

let tokenizer: Tokenizer | undefined;

function tokens(text: string): number {
  if (!tokenizer) {
    const read = (file: string): object => JSON.parse(readFileSync(join(FIXTURE_DIR, file), "utf8")) as object;
    tokenizer = new Tokenizer(read("tokenizer.json"), read("tokenizer_config.json"));
  }
  return tokenizer.encode(text).ids.length;
}

/** The prompt as SmolLM2's chat template lays it out (ChatML), up to where the answer starts. */
function promptTokens(messages: readonly ChatTurn[]): number {
  const rendered = messages.map((message) => `<|im_start|>${message.role}\n${message.content}<|im_end|>\n`).join("");
  return tokens(`${rendered}<|im_start|>assistant\n`);
}

const average = (values: readonly number[]): number =>
  values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;

/** The mail as a Gmail metadata read stores it: headers and Gmail's 200-character snippet, no body. */
function asGmailMetadata(mail: MailRecord): MailRecord {
  const snippet = mail.text.replace(/\s+/g, " ").trim().slice(0, 200);
  return { ...mail, id: `gmail:${mail.id.slice(6, 22)}`, source: "gmail", bodyLoaded: false, text: "", snippet };
}

export async function measureTriageFigures(): Promise<Record<string, Figure>> {
  const generated = generateMixedInbox(TRIAGE_INBOX_SIZE);
  const kinds = new Map<string, GeneratedKind>();
  const mails: MailRecord[] = [];
  for (const item of generated) {
    const { mail } = await mailFromMime(
      new Uint8Array(item.raw),
      { source: "local", sourceId: "bench-inbox" },
      Date.now(),
    );
    kinds.set(mail.id, item.kind);
    mails.push(mail);
  }

  const fresh = new FreshDatabase();
  const db = await fresh.open();
  try {
    await new MailStore(db).addNew(mails);
    // The default routine budget would stop a 200-mail backlog part-way (reported below); this run triages all of it.
    await new SettingsStore(db).set("budgetLimits", {
      ...DEFAULT_BUDGET_LIMITS,
      totalPerDay: 10_000_000,
      perRoutine: { [MAIL_TRIAGE_ROUTINE]: 10_000_000 },
    });
    const model = triageEngine(() => triageAnswer("fyi", "A mail."));
    const routine = mailTriageRoutine({ db: () => Promise.resolve(db), keepOpen: true, engine: () => model.engine });
    const job = mailTriageJob("UTC", Date.now());
    const check = await routine.check({ job, now: Date.now() });
    if (check.kind !== "new") throw new Error("The generated inbox should have mail waiting.");
    await routine.run({ job, now: Date.now(), signal: new AbortController().signal, found: check.items });

    const stored = await new MailStore(db).recent();
    const byRule = stored.filter((mail) => mail.triage?.decidedBy === "rule");
    const byModel = stored.filter((mail) => mail.triage?.decidedBy === "model");
    const ruleData = byRule.map((mail) => triageMailData(mail));
    const callsForRuleMail = model.requests.filter((request) =>
      ruleData.some((data) => (request.messages.at(-1)?.content ?? "").includes(data)),
    ).length;
    const misfiled = byRule.filter((mail) => {
      const kind = kinds.get(mail.id);
      return kind !== mail.triage?.category;
    }).length;

    const sent = model.requests.map((request) => promptTokens(request.messages));
    const metadata = byModel.map((mail) => promptTokens(triageMessages(asGmailMetadata(mail))));
    const perMail = average(sent) + tokens(TYPICAL_ANSWER);
    return {
      triage_inbox_mails: stored.length,
      triage_rule_decided_share: byRule.length / stored.length,
      triage_model_triaged_mails: byModel.length,
      triage_engine_calls_for_rule_decided_mail: callsForRuleMail,
      triage_rule_misfiled_on_generated_inbox: misfiled,
      triage_prompt_tokens_per_mail: Math.round(average(sent) * 10) / 10,
      triage_prompt_tokens_max: Math.max(0, ...sent),
      triage_prompt_tokens_per_mail_gmail_metadata: Math.round(average(metadata) * 10) / 10,
      triage_typical_answer_tokens: tokens(TYPICAL_ANSWER),
      triage_mails_per_default_routine_budget: Math.floor(DEFAULT_BUDGET_LIMITS.routinePerDay / perMail),
    };
  } finally {
    await fresh.dispose();
  }
}
