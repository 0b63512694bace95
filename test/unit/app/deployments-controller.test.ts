import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildRepositoryBoard } from "../../../src/app/deployment-board";
import { DeploymentsController } from "../../../src/app/deployments-controller";
import type { RepositorySnapshot, WatchedRun } from "../../../src/connectors/github/github-poll";
import { DEPLOY_WATCH_JOB_ID } from "../../../src/routines/deploy-watch-routine";
import type { DeploymentRecord } from "../../../src/store/deployment-record";
import { JobStore } from "../../../src/store/job-store";
import { SettingsStore } from "../../../src/store/settings-store";
import { DeployWatchHarness, START, VerdictEngine, watchJob } from "../deploy/deploy-watch-harness";
import { eventually, FakeRunsChannel } from "./board-channel";

const SHOP = "octo-owner/shop";
const FLAKY =
  '{"cause":"The e2e database timed out","kind":"flaky","nextStep":"Re-run the failed jobs","severity":"high"}';

let watch: DeployWatchHarness;
let channel: FakeRunsChannel;
let board: DeploymentsController;
let connection: "disconnected" | "connected" | "needs_reconnect";

beforeEach(async () => {
  watch = await new DeployWatchHarness().start();
  channel = new FakeRunsChannel();
  connection = "connected";
  board = new DeploymentsController({
    db: watch.fresh.db,
    settings: new SettingsStore(watch.fresh.db),
    gate: watch.gate,
    github: {
      get status() {
        return connection;
      },
      subscribe: () => () => undefined,
    },
    channel,
  });
});

afterEach(async () => {
  board.dispose();
  await watch.stop();
});

describe("the deployments board", () => {
  it("watches nothing before Settings → GitHub has repositories, and says the watch has not run", async () => {
    await board.init();
    expect(board.loaded).toBe(true);
    expect(board.watched).toEqual([]);
    expect(board.boards).toEqual([]);
    expect(board.watch).toEqual({ scheduled: false, enabled: false });
  });

  it("shows the latest run per workflow and branch, then a failure with its verdict and waiting card, refreshed by the watch's run", async () => {
    await watch.seed(SHOP);
    watch.grant();
    await watch.tick();
    await board.init();
    const [shop] = board.boards;
    expect(shop?.repository).toBe(SHOP);
    expect(shop?.polledAt).toBe(START);
    expect(shop?.rows.map((row) => [row.kind, row.title, row.status, row.conclusion])).toEqual([
      ["run", "CI", "completed", "success"],
      ["deployment", "production", "success", undefined],
    ]);

    watch.engine = new VerdictEngine([FLAKY]);
    const run = watch.fake.state.failRun(SHOP, { job: "e2e", title: "Upgrade the payment SDK" });
    watch.now += 5 * 60_000;
    await watch.tick();
    // Nothing changes on the board until the run is announced.
    expect(board.boards[0]?.rows[0]?.conclusion).toBe("success");
    channel.announce({ type: "ran", jobId: "mail-triage", runId: "x", outcome: "ran" });
    channel.announce({ type: "ran", jobId: DEPLOY_WATCH_JOB_ID, runId: "r2", outcome: "ran" });
    await eventually(() => board.boards[0]?.rows[0]?.conclusion === "failure", "the failure on the board");
    const [failed] = board.boards[0]?.rows ?? [];
    expect(failed).toMatchObject({
      id: `${SHOP}/run/${run.id}`,
      title: "CI",
      branch: "main",
      sha: run.sha,
      detail: "Upgrade the payment SDK",
      failedJobs: ["e2e"],
      verdict: { likelyCause: "The e2e database timed out", kind: "flaky", severity: "high" },
    });
    expect(failed?.url).toMatch(/^https:\/\/github\.com\//);
    expect(board.rerunStatus(failed ?? {})).toEqual({
      text: "The re-run of the failed jobs waits for your approval.",
      waiting: true,
    });

    // Approving it on its card: the Gate's change refreshes the board.
    expect(await watch.gate.approve(failed?.rerunActionId ?? "")).toMatchObject({ ok: true });
    await eventually(
      () => board.rerunStatus(failed ?? {})?.text === "You approved the re-run; it was started.",
      "the card approved and run",
    );
  });

  it("says when the watch last ran, what it said, and when it runs next", async () => {
    await watch.seed(SHOP);
    const jobs = new JobStore(watch.fresh.db);
    const job = await jobs.put(watchJob(START), START);
    await jobs.startRun(
      {
        id: "run-1",
        jobId: DEPLOY_WATCH_JOB_ID,
        routine: DEPLOY_WATCH_JOB_ID,
        trigger: "schedule",
        missedSlots: 0,
        startedAt: START + 60_000,
        outcome: "running",
        tokens: 0,
        itemsFound: 0,
      },
      { ...job, lastRunAt: START + 60_000 },
    );
    await jobs.finishRun({
      id: "run-1",
      jobId: DEPLOY_WATCH_JOB_ID,
      routine: DEPLOY_WATCH_JOB_ID,
      trigger: "schedule",
      missedSlots: 0,
      startedAt: START + 60_000,
      finishedAt: START + 61_000,
      outcome: "nothing-new",
      tokens: 0,
      itemsFound: 0,
      message: "1 repository checked, nothing changed; 3 of 3 answers were 304 (free).",
    });
    await board.init();
    expect(board.watch).toMatchObject({
      scheduled: true,
      enabled: true,
      lastRunAt: START + 60_000,
      lastOutcome: "nothing-new",
      lastMessage: "1 repository checked, nothing changed; 3 of 3 answers were 304 (free).",
    });
    expect(board.watch.nextRunAt).toBe(job.nextRunAt);
    expect(board.boards.map((repository) => [repository.repository, repository.rows, repository.polledAt])).toEqual([
      [SHOP, [], undefined],
    ]);
    connection = "disconnected";
    expect(board.connection).toBe("disconnected");
  });
});

describe("a repository's rows", () => {
  const run = (fields: Partial<WatchedRun>): WatchedRun => ({
    id: 1,
    workflow: "CI",
    workflowPath: ".github/workflows/ci.yml",
    title: "A change",
    branch: "main",
    sha: "a1b2c3d4e5f6",
    commit: "A change",
    event: "push",
    status: "completed",
    conclusion: "failure",
    attempt: 1,
    url: "https://github.com/octo-owner/shop/actions/runs/1",
    updatedAt: 100,
    ...fields,
  });
  const snapshot = (runs: WatchedRun[]): RepositorySnapshot => ({
    repository: SHOP,
    polledAt: 500,
    nextPollAt: 560,
    runs,
    deployments: [],
    failedJobs: { "1": [{ id: 7, name: "e2e", failedSteps: [] }] },
  });
  const record: DeploymentRecord = {
    id: `${SHOP}/run/1`,
    repository: SHOP,
    kind: "run",
    title: "CI",
    status: "completed",
    conclusion: "failure",
    branch: "main",
    updatedAt: 100,
    attempt: 1,
    verdict: { likelyCause: "Timeout", kind: "flaky", nextStep: "Re-run", severity: "high", at: 100 },
    note: "A re-run of the failed jobs waits for your approval.",
    rerunActionId: "deploy-watch:rerun:1",
  };

  it("keeps the verdict with its attempt once an approved re-run is running", () => {
    const [row] = buildRepositoryBoard(SHOP, snapshot([run({ attempt: 2, status: "in_progress", conclusion: null })]), [
      record,
    ]).rows;
    expect(row).toMatchObject({
      status: "in_progress",
      attempt: 2,
      verdictAttempt: 1,
      rerunActionId: "deploy-watch:rerun:1",
    });
    expect(row?.conclusion).toBeUndefined();
    expect(row?.note).toBeUndefined();
  });

  it("shows only the newest run of a lane, and a reported failure the last poll no longer lists when its lane is empty", () => {
    const newer = run({ id: 2, conclusion: "success", updatedAt: 300 });
    const other = { ...record, id: `${SHOP}/run/9`, branch: "release", updatedAt: 50 };
    const rows = buildRepositoryBoard(SHOP, snapshot([newer]), [record, other]).rows;
    expect(rows.map((row) => [row.id, row.branch])).toEqual([
      [`${SHOP}/run/2`, "main"],
      [`${SHOP}/run/9`, "release"],
    ]);
    // With no poll kept at all, the reported records stand alone.
    expect(buildRepositoryBoard(SHOP, undefined, [record]).rows.map((row) => row.verdict?.likelyCause)).toEqual([
      "Timeout",
    ]);
  });
});
