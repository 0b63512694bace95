import type { ActionOutcome, ProposedAction } from "../core/agent/action";
import type { BudgetRefusal } from "../core/agent/token-budget";
import { serializeError } from "../core/errors";
import { MAIL_CATEGORY_TITLES } from "../core/mail/triage-labels";
import { decideByRules } from "../core/mail/triage-rules";
import type { ChatEngine } from "../engine/chat-engine";
import { newestUntriagedId, untriagedMailIds } from "../mail/untriaged-mail-ids";
import type { Database } from "../store/database";
import { MAIL_CATEGORIES, type MailCategory, type MailRecord, type MailRule } from "../store/mail-record";
import { MailStore } from "../store/mail-store";
import { RunBudget } from "../store/run-budget";
import { readSetting } from "../store/settings-store";
import type { RoutineResult } from "./job-runner";
import { triageWithModel } from "./mail-triage-call";
import { draftProposal, labelProposal, syncProposal } from "./mail-triage-proposals";
import {
  forgetFiled,
  givenUp,
  inboxFingerprint,
  readTriageState,
  withFailure,
  writeTriageState,
  type MailTriageState,
  type TriageWaiting,
} from "./mail-triage-state";
import type { CheckContext, CheckResult, ProposeAction, RunContext, ScheduledRoutine } from "./routine";
import { withRoutineDb, type RoutineDatabase } from "./routine-database";

/**
 * Mail triage on the scheduler (every 15 minutes). Check: fetch new Gmail mail through the page's
 * Gate (`gmail_sync`, a read; no Gmail connected means local mail only), then count the mail
 * waiting for triage: none means nothing new, no model call, 0 tokens. Run: the rules first for
 * every waiting mail (0 tokens), then the model for the rest, one mail per call under the triage
 * schema, within the routine's token budget; each triage is stored as soon as it is decided, so a
 * closed tab or a killed worker loses at most the mail in flight. For Gmail mail it proposes a
 * `Tabclaw/<Category>` label and, for mail that needs a reply, a draft: approval cards, tainted by
 * the mail. Never a send. It needs no model to run: without one it files what the rules decide
 * and asks the scheduler to run it again when a model loads.
 */

export const MAIL_TRIAGE_JOB_ID = "mail-triage";
/** Whose budget triage spends and whose usage records it writes. */
export const MAIL_TRIAGE_ROUTINE = MAIL_TRIAGE_JOB_ID;
export const MAIL_TRIAGE_EVERY_MINUTES = 15;
/** A run's time limit; a backlog (a fresh import) is worked through over several runs. */
export const MAIL_TRIAGE_TIMEOUT_MS = 10 * 60_000;
/** No new model call starts after this share of the time limit, so the run ends on its own and keeps its record. */
const DEADLINE_SHARE = 0.8;

export interface MailTriageOptions extends RoutineDatabase {
  engine: () => ChatEngine | undefined;
  /** Tells every tab (and this worker) that stored mail changed. */
  announce?: () => void;
  /** The scheduler's clock (tests pass a fake one). */
  now?: () => number;
  /** The user's zone, for the budget's day (the device's by default). */
  timeZone?: string;
}

/** What the check learned of Gmail, for the run that follows it. */
type GmailStatus =
  /** Gmail was read (or the read waits for approval): label and draft proposals make sense. */
  | { kind: "connected"; note: string }
  /** No page, Gmail not connected, or reading it turned off: local triage only. */
  | { kind: "absent"; note?: string }
  /** The read failed (an expired sign-in, a rate limit): what is stored is still triaged. */
  | { kind: "problem"; name: string; note: string };

interface Tally {
  byRule: number;
  byModel: number;
  categories: Record<MailCategory, number>;
  tokens: number;
  /** Mails the model could not triage this run, with why. */
  unusable: string[];
  proposals: { labels: ProposalCount; drafts: ProposalCount };
  /** Why proposing stopped (the kill switch, a closed page), if it did. */
  proposalsStopped?: string;
}

interface ProposalCount {
  pending: number;
  done: number;
  refused: string[];
}

function emptyTally(): Tally {
  return {
    byRule: 0,
    byModel: 0,
    categories: Object.fromEntries(MAIL_CATEGORIES.map((category) => [category, 0])) as Record<MailCategory, number>,
    tokens: 0,
    unusable: [],
    proposals: { labels: { pending: 0, done: 0, refused: [] }, drafts: { pending: 0, done: 0, refused: [] } },
  };
}

const plural = (count: number, one: string, many = `${one}s`): string => `${count} ${count === 1 ? one : many}`;

function quoted(mail: MailRecord): string {
  const subject = mail.subject.trim();
  return subject === "" ? "(no subject)" : `“${subject.length > 60 ? `${subject.slice(0, 59)}…` : subject}”`;
}

async function syncGmail(propose: ProposeAction, now: number): Promise<GmailStatus | { kind: "frozen"; note: string }> {
  let outcome: ActionOutcome;
  try {
    outcome = await propose(syncProposal(now));
  } catch (error) {
    const { name, message } = serializeError(error);
    return { kind: "problem", name, note: `Gmail could not be read: ${message}` };
  }
  switch (outcome.status) {
    case "executed":
      return { kind: "connected", note: `Gmail: ${outcome.result.content}` };
    case "pending":
      return { kind: "connected", note: "Reading Gmail waits for your approval in Approvals." };
    case "frozen":
      return { kind: "frozen", note: outcome.message };
    case "denied":
    case "rejected":
      // Not connected is the ordinary case of a user without Gmail: nothing to say.
      return /not connected/i.test(outcome.message)
        ? { kind: "absent" }
        : { kind: "absent", note: `Gmail was not read: ${outcome.message}` };
    case "failed":
      return {
        kind: "problem",
        name: outcome.error.name,
        note:
          outcome.error.name === "ReconnectNeededError"
            ? `Gmail needs you to sign in again: ${outcome.error.message}`
            : `Gmail could not be read: ${outcome.error.message}`,
      };
  }
}

/** The run's one-paragraph report, as the Routines view and notifications show it. */
function report(tally: Tally, gmail: GmailStatus, waiting: TriageWaiting | undefined, leftToUser: number): string {
  const lines: string[] = [];
  const filed = tally.byRule + tally.byModel;
  if (filed > 0) {
    const by = [
      tally.byRule > 0 ? `${tally.byRule} by rules` : undefined,
      tally.byModel > 0 ? `${tally.byModel} by the model` : undefined,
    ].filter((part) => part !== undefined);
    const categories = MAIL_CATEGORIES.filter((category) => tally.categories[category] > 0)
      .map((category) => `${MAIL_CATEGORY_TITLES[category]} ${tally.categories[category]}`)
      .join(", ");
    lines.push(`Filed ${plural(filed, "mail")}: ${by.join(", ")} (${categories}).`);
  }
  const { labels, drafts } = tally.proposals;
  const waitingCards = [
    labels.pending > 0 ? plural(labels.pending, "label") : undefined,
    drafts.pending > 0 ? plural(drafts.pending, "reply draft") : undefined,
  ].filter((part) => part !== undefined);
  if (waitingCards.length > 0)
    lines.push(
      `Gmail: ${waitingCards.join(" and ")} ${labels.pending + drafts.pending === 1 ? "waits" : "wait"} for your approval in Approvals.`,
    );
  const done = labels.done + drafts.done;
  if (done > 0) lines.push(`Gmail: ${plural(done, "change")} made by your auto-approve rules.`);
  const refused = [...labels.refused, ...drafts.refused];
  if (refused.length > 0) lines.push(`Gmail changes not proposed: ${[...new Set(refused)].join("; ")}`);
  if (tally.proposalsStopped !== undefined) lines.push(`Proposing stopped: ${tally.proposalsStopped}`);
  if (tally.unusable.length > 0)
    lines.push(`Left untriaged (the model's answer was unusable): ${tally.unusable.join("; ")}.`);
  if (waiting) lines.push(waiting.message);
  if (leftToUser > 0)
    lines.push(
      `${plural(leftToUser, "mail")} the model could not triage twice ${leftToUser === 1 ? "waits" : "wait"} for you to file in the Inbox.`,
    );
  if (gmail.kind !== "connected" && gmail.note !== undefined) lines.push(gmail.note);
  else if (gmail.kind === "connected" && filed === 0) lines.push(gmail.note);
  return lines.length > 0 ? lines.join("\n") : "Nothing was waiting for triage.";
}

export function mailTriageRoutine(options: MailTriageOptions): ScheduledRoutine {
  const clock = options.now ?? (() => Date.now());
  const announce = options.announce ?? (() => undefined);
  /** What the check learned of Gmail, for the run that follows it. */
  let checked: GmailStatus | undefined;

  async function fingerprint(db: Database, rules: readonly MailRule[]): Promise<string> {
    return inboxFingerprint(await new MailStore(db).countUntriaged(), await newestUntriagedId(db), rules);
  }

  /** Whether the reason the last run left mail waiting still holds, and nothing changed since. */
  function stillWaiting(waiting: TriageWaiting | undefined, current: string, now: number): boolean {
    if (!waiting || waiting.fingerprint !== current) return false;
    if (waiting.reason === "no-model") return options.engine()?.loadedModelId === undefined;
    return waiting.until !== undefined && now < waiting.until;
  }

  async function check(context: CheckContext): Promise<CheckResult> {
    checked = undefined;
    let gmail: GmailStatus = { kind: "absent" };
    if (context.proposeAction) {
      const synced = await syncGmail(context.proposeAction, context.now);
      // The kill switch is on: the scheduler records the run as paused; nothing is read.
      if (synced.kind === "frozen") return { kind: "nothing-new", message: synced.note };
      gmail = synced;
    }
    const found = await withRoutineDb(options, async (db) => {
      const mail = new MailStore(db);
      const state = await readTriageState(db);
      let leftToUser = 0;
      for (const id of givenUp(state)) if ((await mail.get(id))?.status === "new") leftToUser += 1;
      const waitingCount = (await mail.countUntriaged()) - leftToUser;
      const rules = await readSetting({ get: (key) => db.get("settings", key) }, "mailRules");
      const unchanged = stillWaiting(state.waiting, await fingerprint(db, rules), context.now);
      return { waitingCount, leftToUser, unchanged, waitingMessage: state.waiting?.message };
    });
    if (found.waitingCount > 0 && !found.unchanged) {
      checked = gmail;
      return { kind: "new", items: found.waitingCount };
    }
    // Nothing to triage, but Gmail could not be read: a failed run says so (and what to do).
    if (gmail.kind === "problem") throw Object.assign(new Error(gmail.note), { name: gmail.name });
    const quiet =
      found.waitingCount > 0
        ? (found.waitingMessage ?? "Mail waits for triage.")
        : found.leftToUser > 0
          ? `No mail waits for triage; ${plural(found.leftToUser, "mail")} the model could not triage ${found.leftToUser === 1 ? "waits" : "wait"} for you to file in the Inbox.`
          : "No mail waits for triage.";
    return { kind: "nothing-new", message: gmail.kind === "absent" && gmail.note ? `${quiet} ${gmail.note}` : quiet };
  }

  async function run(context: RunContext): Promise<RoutineResult> {
    const gmail: GmailStatus = checked ?? { kind: "absent" };
    checked = undefined;
    const startedAt = clock();
    const deadline = startedAt + context.job.timeoutMs * DEADLINE_SHARE;
    const tally = emptyTally();
    const { signal } = context;
    const propose = gmail.kind === "connected" ? context.proposeAction : undefined;

    async function proposeFor(
      mail: MailRecord,
      category: MailCategory,
      decidedBy: string,
      draft?: string,
    ): Promise<void> {
      if (!propose || mail.source !== "gmail" || tally.proposalsStopped !== undefined) return;
      const now = clock();
      const wanted: [ProposedAction, ProposalCount][] = [
        [labelProposal(mail, category, decidedBy, now), tally.proposals.labels],
      ];
      const reply = category === "needs_reply" && draft !== undefined ? draftProposal(mail, draft, now) : undefined;
      if (reply) wanted.push([reply, tally.proposals.drafts]);
      for (const [action, count] of wanted) {
        let outcome: ActionOutcome;
        try {
          outcome = await propose(action);
        } catch (error) {
          tally.proposalsStopped = `the page did not answer (${serializeError(error).message}).`;
          return;
        }
        if (outcome.status === "pending") count.pending += 1;
        else if (outcome.status === "executed") count.done += 1;
        else if (outcome.status === "frozen") {
          tally.proposalsStopped = outcome.message;
          return;
        } else count.refused.push(outcome.status === "failed" ? outcome.error.message : outcome.message);
      }
    }

    return withRoutineDb(options, async (db) => {
      const mail = new MailStore(db);
      const rules = await readSetting({ get: (key) => db.get("settings", key) }, "mailRules");
      let state: MailTriageState = await readTriageState(db);
      const skip = givenUp(state);
      const forModel: string[] = [];

      // The rules, for every waiting mail: no model, no tokens.
      for (const id of await untriagedMailIds(db)) {
        if (signal.aborted) break;
        const record = await mail.get(id);
        if (record?.status !== "new") continue;
        const decision = decideByRules(record, rules);
        if (!decision) {
          if (!skip.has(id)) forModel.push(id);
          continue;
        }
        const filed = await mail.setTriage(id, {
          category: decision.category,
          decidedBy: "rule",
          ruleId: decision.ruleId,
          at: clock(),
        });
        if (!filed) continue;
        tally.byRule += 1;
        tally.categories[decision.category] += 1;
        await proposeFor(filed, decision.category, `rule: ${decision.description}`);
      }
      if (tally.byRule > 0) announce();

      // The model, one mail per call, for what the rules left.
      let waiting: TriageWaiting | undefined;
      let refusal: BudgetRefusal | undefined;
      const engine = options.engine();
      const modelId = engine?.loadedModelId;
      if (engine && modelId !== undefined && forModel.length > 0) {
        const budget = await RunBudget.open(db, MAIL_TRIAGE_ROUTINE, modelId, {
          now: clock,
          ...(options.timeZone !== undefined ? { timeZone: options.timeZone } : {}),
        });
        for (const id of forModel) {
          if (signal.aborted || clock() > deadline) break;
          const record = await mail.get(id);
          if (record?.status !== "new") continue;
          const answer = await triageWithModel(engine, budget, record, signal);
          if (answer.kind === "refused") {
            refusal = answer.refusal;
            break;
          }
          tally.tokens += answer.tokens;
          if (answer.kind === "unusable") {
            // A stopped call says nothing about the mail: it is tried again next time, not counted against it.
            if (answer.stopped) break;
            state = withFailure(state, id, answer.problem, clock());
            tally.unusable.push(`${quoted(record)}: ${answer.problem}`);
            continue;
          }
          const { decision } = answer;
          const filed = await mail.setTriage(id, {
            category: decision.category,
            summary: decision.summary,
            ...(decision.draftReply !== undefined ? { draftReply: decision.draftReply } : {}),
            decidedBy: "model",
            modelId,
            at: clock(),
          });
          if (!filed) continue;
          tally.byModel += 1;
          tally.categories[decision.category] += 1;
          announce();
          await proposeFor(filed, decision.category, `the model ${modelId}`, decision.draftReply);
        }
        await budget.settled().catch((error: unknown) => {
          tally.unusable.push(`this run's token use could not be recorded (${serializeError(error).message})`);
        });
      }

      // What stays waiting, and why; remembered so an unchanged inbox is not read again for nothing.
      const stillWaiting = new Set(await untriagedMailIds(db));
      state = forgetFiled(state, stillWaiting);
      const leftForModel = forModel.filter((id) => stillWaiting.has(id) && !givenUp(state).has(id)).length;
      const current = await fingerprint(db, rules);
      if (!engine || modelId === undefined) {
        if (leftForModel > 0)
          waiting = {
            reason: "no-model",
            fingerprint: current,
            left: leftForModel,
            message: `${plural(leftForModel, "mail")} ${leftForModel === 1 ? "waits" : "wait"} for the model: load one and triage goes on.`,
          };
      } else if (refusal) {
        waiting = {
          reason: "budget",
          fingerprint: current,
          left: leftForModel,
          until: refusal.resetsAt,
          message: `${plural(leftForModel, "mail")} left untriaged: ${refusal.message}`,
        };
      }
      if (waiting) state = { ...state, waiting };
      else delete state.waiting;
      await writeTriageState(db, state);

      const leftToUser = [...givenUp(state)].filter((id) => stillWaiting.has(id)).length;
      const filed = tally.byRule + tally.byModel;
      // Stopped by the time limit or the kill switch: the next run goes on from here.
      const next = leftForModel > 0 && !waiting ? `\n${plural(leftForModel, "mail")} left for the next run.` : "";
      const message = report(tally, gmail, waiting, leftToUser) + next;
      const outcome: RoutineResult["outcome"] =
        filed > 0
          ? "ran"
          : tally.unusable.length > 0 || gmail.kind === "problem"
            ? "failed"
            : waiting
              ? "skipped"
              : "nothing-new";
      return {
        outcome,
        tokens: tally.tokens,
        itemsFound: filed,
        message,
        ...(waiting?.reason === "no-model" ? { modelWanted: true } : {}),
      };
    });
  }

  return { id: MAIL_TRIAGE_JOB_ID, needsModel: false, check, run };
}
