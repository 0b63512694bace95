import type { ActionOutcome, ProposedAction } from "../core/agent/action";
import type { ContextItem } from "../core/agent/context-item";
import { assessTaint } from "../core/agent/taint";
import type { AnyToolDefinition } from "../core/agent/tool";
import { toolProposal } from "../core/agent/tool-proposal";
import { changeLine, quietMessage, rerunArguments, shouldProposeRerun } from "../core/deploy/deploy-notice";
import { deployVerdictMessages, type FailureEvidence } from "../core/deploy/deploy-prompt";
import {
  DEPLOY_VERDICT_SCHEMA_TEXT,
  parseVerdict,
  VERDICT_MAX_TOKENS,
  type DeployVerdict,
} from "../core/deploy/deploy-verdict";
import {
  failureKey,
  isFailure,
  parsePollSummary,
  type PolledChange,
  type PollSummary,
} from "../core/deploy/poll-summary";
import { serializeError } from "../core/errors";
import type { ChatEngine } from "../engine/chat-engine";
import { meteredEngineCall } from "../engine/metered-engine-call";
import type { Database } from "../store/database";
import { DeploymentStore } from "../store/deployment-store";
import { RunBudget } from "../store/run-budget";
import { readSetting } from "../store/settings-store";
import { githubJobLogTailTool, githubPollTool, githubRerunFailedJobsTool } from "../tools/github-tools";
import { deploymentRecordOf, type WatchFindings } from "./deploy-watch-records";
import type { RoutineResult } from "./job-runner";
import type { JobRecord } from "../store/job-record";
import { gateOf, gateOrDenial, type GatedRoutineOptions } from "./gated-routine";
import type { CheckResult, ProposeAction, ScheduledRoutine } from "./routine";
import { withRoutineDb } from "./routine-database";

/**
 * The deployment watch. Check: propose `github_poll` to the page's Gate (a read: GitHub answers
 * 304 to everything that did not change, which costs no rate-limit point); nothing changed means
 * nothing new, no model call, 0 tokens. Run: for each new failure, read the failed job's log tail
 * (another read through the Gate), ask the model for a verdict under the constrained schema when
 * a model is loaded, and propose re-running the failed jobs as an approval card when a re-run may
 * help. The run's message (one line per change) is what the notification shows. No model is
 * needed: without one, failures are still reported and cards still proposed, without a verdict.
 * Every change it reports is also written to the `deployments` store, with the verdict and the
 * re-run card's id, for the deployments board.
 */

export const DEPLOY_WATCH_JOB_ID = "deploy-watch";
/** Whose budget verdicts spend. */
export const DEPLOY_WATCH_ROUTINE = DEPLOY_WATCH_JOB_ID;
export const DEPLOY_WATCH_EVERY_MINUTES = 5;
export const DEPLOY_WATCH_TIMEOUT_MS = 5 * 60_000;
/** Failures judged per run; more are listed without a verdict (they are rare, and tokens are not). */
export const MAX_VERDICTS_PER_RUN = 5;

/** The watch's Gate, engine and database (a connection per use, for the board, the token budget and usage records). */
export type DeployWatchOptions = GatedRoutineOptions;

/** The watch's job: every 5 minutes, on by default (with no repository watched a check asks nothing at all). */
export function deployWatchJob(timeZone: string, now: number): JobRecord {
  return {
    id: DEPLOY_WATCH_JOB_ID,
    routine: DEPLOY_WATCH_ROUTINE,
    title: "Deployment watch",
    schedule: { kind: "every", minutes: DEPLOY_WATCH_EVERY_MINUTES },
    enabled: true,
    timeZone,
    timeoutMs: DEPLOY_WATCH_TIMEOUT_MS,
    createdAt: now,
    since: now,
  };
}

/** Said when no page is there to reach GitHub: the routine's check finds nothing and tries again next time. */
export const NO_PAGE_MESSAGE = "No Tabclaw page is open to reach GitHub; the watch checks again at its next run.";

const NO_TAINT = assessTaint({}, []);

/** A proposal from the watch; with no context (the routine chose every argument itself) there is no taint to judge. */
function action(
  tool: AnyToolDefinition,
  id: string,
  args: Record<string, unknown>,
  reason: string,
  context: readonly ContextItem[],
  now: number,
): ProposedAction {
  const taint = context.length === 0 ? NO_TAINT : assessTaint(args, context);
  return toolProposal(tool, { id, arguments: args, reason, taint, proposedAt: now });
}

function untrustedResult(tool: string, source: string, content: string): ContextItem {
  return { content, provenance: { kind: "tool", tool, trusted: false, source } };
}

/** An outcome that is not a result, as an error the run records (its name says what to do). */
function outcomeError(outcome: ActionOutcome): Error {
  if (outcome.status === "failed") return Object.assign(new Error(outcome.error.message), { name: outcome.error.name });
  if (outcome.status === "executed") return new Error("unexpected result");
  return Object.assign(new Error(outcome.message), { name: "GitHubPollNotRunError" });
}

/** A change as the board stores it: what GitHub reported, what the watch made of it, when. */
type Sighting = [change: PolledChange, findings: WatchFindings, seenAt: number];

/** Why a failure got no verdict when none was asked for, in the board's words. */
function noVerdictReason(modelId: string | undefined, judged: number, signal: AbortSignal): string | undefined {
  if (modelId === undefined) return "No model was loaded when the watch found it (Models → Load).";
  if (signal.aborted) return "The run was stopped before a verdict.";
  if (judged >= MAX_VERDICTS_PER_RUN) return `Only ${MAX_VERDICTS_PER_RUN} failures are judged per run.`;
  return undefined;
}

interface Verdict {
  verdict?: DeployVerdict;
  tokens: number;
  problem?: string;
}

/** One constrained call, checked against and charged to the routine's budget. */
async function judge(
  engine: ChatEngine,
  db: Database,
  evidence: FailureEvidence,
  signal: AbortSignal,
): Promise<Verdict> {
  const modelId = engine.loadedModelId ?? "unknown";
  const budget = await RunBudget.open(db, DEPLOY_WATCH_ROUTINE, modelId);
  const call = await meteredEngineCall(engine, budget, {
    messages: deployVerdictMessages(evidence),
    temperature: 0,
    maxTokens: VERDICT_MAX_TOKENS,
    responseFormat: { type: "json_object", schema: DEPLOY_VERDICT_SCHEMA_TEXT },
    signal,
  });
  await budget.settled().catch(() => undefined);
  if (call.kind === "refused") return { tokens: 0, problem: call.refusal.message };
  const { tokens } = call;
  if (call.failure !== undefined) return { tokens, problem: call.failure };
  const parsed = parseVerdict(call.text);
  return parsed.ok ? { tokens, verdict: parsed.verdict } : { tokens, problem: parsed.problem };
}

export function deployWatchRoutine(options: DeployWatchOptions): ScheduledRoutine {
  /** What the check found, for the run that follows it. */
  let found: { summary: PollSummary; content: string } | undefined;

  async function evidenceFor(
    propose: ProposeAction,
    change: PolledChange,
    context: ContextItem[],
    now: number,
  ): Promise<FailureEvidence> {
    if (change.kind !== "run-failed") return { change };
    const job = change.failedJobs[0];
    if (!job) return { change };
    const args = { repository: change.repository, jobId: job.id };
    // The routine, not the model, picks the job to read (from GitHub's structured answer): no taint to judge.
    const outcome = await propose(
      action(
        githubJobLogTailTool,
        `${DEPLOY_WATCH_JOB_ID}:log:${failureKey(change)}:${job.id}`,
        args,
        "Read the failed job's log.",
        [],
        now,
      ),
    );
    if (outcome.status !== "executed") return { change };
    const source = outcome.result.source ?? `github:${change.repository}/job/${job.id}/log`;
    context.push(untrustedResult(githubJobLogTailTool.name, source, outcome.result.content));
    return { change, log: { source, text: outcome.result.content } };
  }

  /** Proposes the re-run card; says what became of it, and its id when the Gate kept it. */
  async function proposeRerun(
    propose: ProposeAction,
    change: Parameters<typeof rerunArguments>[0],
    verdict: DeployVerdict | undefined,
    context: readonly ContextItem[],
    now: number,
  ): Promise<{ note: string; actionId?: string }> {
    const args = rerunArguments(change);
    const reason = verdict
      ? `Deploy watch: ${verdict.cause} (looks ${verdict.kind}). ${verdict.nextStep}`
      : "Deploy watch: the run failed; a re-run tells a flaky failure from a real one.";
    const actionId = `${DEPLOY_WATCH_JOB_ID}:rerun:${failureKey(change)}`;
    const outcome = await propose(action(githubRerunFailedJobsTool, actionId, args, reason, context, now));
    switch (outcome.status) {
      case "pending":
        return { note: "A re-run of the failed jobs waits for your approval.", actionId };
      case "executed":
        return { note: "The failed jobs were re-run.", actionId };
      case "failed":
        return { note: `A re-run could not be proposed: ${outcome.error.message}` };
      default:
        return { note: `No re-run: ${outcome.message}` };
    }
  }

  /** Writes what the watch saw for the board; a failed write is said in the message, never thrown. */
  async function keepForBoard(db: Database, sightings: readonly Sighting[]): Promise<string | undefined> {
    try {
      const store = new DeploymentStore(db);
      for (const [change, findings, seenAt] of sightings)
        await store.record(deploymentRecordOf(change, findings, seenAt));
      return undefined;
    } catch (error) {
      return `(The deployments board could not be updated: ${serializeError(error).message})`;
    }
  }

  return {
    id: DEPLOY_WATCH_JOB_ID,
    needsModel: false,
    async check(checkContext): Promise<CheckResult> {
      const { job, now } = checkContext;
      found = undefined;
      // No repository chosen (GitHub never set up): nothing to ask, not even the Gate.
      const repositories = await withRoutineDb(options, (db) =>
        readSetting({ get: (key) => db.get("settings", key) }, "githubRepositories"),
      );
      if (repositories.length === 0) return { kind: "nothing-new", message: "No GitHub repository is watched." };
      const propose = gateOf(options, checkContext);
      if (!propose) return { kind: "nothing-new", message: NO_PAGE_MESSAGE };
      const outcome = await propose(
        action(
          githubPollTool,
          `${DEPLOY_WATCH_JOB_ID}:poll:${job.id}:${now}`,
          {},
          "Scheduled deployment watch.",
          [],
          now,
        ),
      );
      if (outcome.status === "denied") return { kind: "nothing-new", message: outcome.message };
      if (outcome.status !== "executed") throw outcomeError(outcome);
      const summary = parsePollSummary(outcome.result.content);
      if (!summary) throw new Error("github_poll answered something the deployment watch cannot read.");
      if (summary.changes.length === 0) return { kind: "nothing-new", message: quietMessage(summary) };
      found = { summary, content: outcome.result.content };
      return { kind: "new", items: summary.changes.length };
    },
    async run(runContext): Promise<RoutineResult> {
      const { now, signal } = runContext;
      const propose = gateOrDenial(options, runContext, NO_PAGE_MESSAGE);
      const pending = found;
      found = undefined;
      if (!pending) return { outcome: "nothing-new", tokens: 0, itemsFound: 0, message: "Nothing new." };
      const engine = options.engine();
      const modelId = engine?.loadedModelId;
      // The board is written whether or not a model judges anything.
      return withRoutineDb(options, async (db) => {
        const seenAt = pending.summary.polledAt || now;
        let tokens = 0;
        let judged = 0;
        const lines: string[] = [];
        const sightings: Sighting[] = [];
        for (const change of pending.summary.changes) {
          if (!isFailure(change)) {
            lines.push(changeLine(change, undefined));
            sightings.push([change, {}, seenAt]);
            continue;
          }
          // The poll's answer (titles, commit messages) is outside text: whatever follows from it is tainted by it.
          const context: ContextItem[] = [untrustedResult(githubPollTool.name, "github:poll", pending.content)];
          const evidence = await evidenceFor(propose, change, context, now);
          let verdict: Verdict = { tokens: 0 };
          if (engine && modelId !== undefined && judged < MAX_VERDICTS_PER_RUN && !signal.aborted) {
            judged += 1;
            verdict = await judge(engine, db, evidence, signal);
            tokens += verdict.tokens;
          }
          const notes: string[] = [];
          const findings: WatchFindings = {};
          if (shouldProposeRerun(change, verdict.verdict)) {
            const rerun = await proposeRerun(propose, change, verdict.verdict, context, now);
            notes.push(rerun.note);
            if (rerun.actionId !== undefined) findings.rerunActionId = rerun.actionId;
          }
          if (verdict.problem !== undefined) notes.push(`(No verdict: ${verdict.problem})`);
          const note = notes.join(" ");
          lines.push(changeLine(change, verdict.verdict, note));
          if (verdict.verdict) {
            findings.verdict = verdict.verdict;
            if (modelId !== undefined) findings.modelId = modelId;
          }
          const problem = verdict.problem ?? noVerdictReason(modelId, judged, signal);
          if (!verdict.verdict && problem !== undefined) findings.verdictProblem = problem;
          if (note !== "") findings.note = note;
          sightings.push([change, findings, seenAt]);
        }
        const problem = await keepForBoard(db, sightings);
        if (problem !== undefined) lines.push(problem);
        return { outcome: "ran", tokens, itemsFound: pending.summary.changes.length, message: lines.join("\n") };
      });
    },
  };
}
