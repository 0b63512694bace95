/**
 * Issue 7's GitHub figures, measured in Node against the fake GitHub (which validates every
 * request against @octokit/openapi and charges rate-limit points as GitHub documents: a 304 to a
 * correct If-None-Match costs nothing), through the real Gate, connector and deployment-watch
 * routine on the real scheduler, with a fake clock:
 * - `github_idle_rate_points_per_hour`: 10 watched repositories (runs, a production deployment)
 *   where nothing happens, the watch every 5 minutes for a simulated hour after its first poll.
 *   Target 0: every answer a 304.
 * - `github_idle_tokens_per_hour`: model tokens over the same hour (a counting engine is loaded).
 *   Target 0: nothing changed, so no verdict is asked for.
 * - `deploy_verdict_prompt_tokens`: the verdict prompt with the longest log tail it keeps, counted
 *   by SmolLM2's real tokenizer (it must fit a 4k window with the answer).
 * - `deploy_failure_processing_ms`: wall time of the watch run that finds one new failure (poll,
 *   jobs, log, scripted verdict, card), excluding the wait for the next 5-minute slot.
 */
import "fake-indexeddb/auto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import { deployVerdictMessages } from "../../src/core/deploy/deploy-prompt";
import { VERDICT_MAX_TOKENS } from "../../src/core/deploy/deploy-verdict";
import { DEPLOY_WATCH_EVERY_MINUTES, DEPLOY_WATCH_JOB_ID } from "../../src/routines/deploy-watch-routine";
import { InProcessJobLocks } from "../../src/routines/job-lock";
import { RoutineRegistry } from "../../src/routines/routine";
import { Scheduler } from "../../src/routines/scheduler";
import { JobStore } from "../../src/store/job-store";
import { FIXTURE_DIR } from "../fakes/fake-hub";
import { DeployWatchHarness, START, TOKEN, VerdictEngine, watchJob } from "../unit/deploy/deploy-watch-harness";
import { FakeClock } from "../unit/routines/fake-clock";
import type { BenchTarget, Figure } from "./report";

export const WATCHED_REPOSITORIES = 10;
const HOUR_MS = 3_600_000;

export const GITHUB_TARGETS: BenchTarget[] = [
  { key: "github_idle_rate_points_per_hour", target: "0", met: (value) => value === 0 },
  { key: "github_idle_tokens_per_hour", target: "0", met: (value) => value === 0 },
  {
    key: "deploy_verdict_prompt_tokens",
    target: `< ${4_096 - VERDICT_MAX_TOKENS}`,
    met: (value) => Number(value) < 4_096 - VERDICT_MAX_TOKENS,
  },
];

/**
 * Moves the fake clock a minute at a time, letting each run's real HTTP round trips to the fake
 * finish before time moves on (the fake clock would otherwise outrun them and trip the watchdog).
 */
async function advance(clock: FakeClock, store: JobStore, ms: number): Promise<void> {
  for (let moved = 0; moved < ms; moved += 60_000) {
    await clock.advance(Math.min(60_000, ms - moved));
    while ((await store.runsBetween()).some((run) => run.outcome === "running")) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }
}

async function idleHour(): Promise<Record<string, Figure>> {
  const clock = new FakeClock(START);
  const watch = new DeployWatchHarness();
  watch.clock = clock;
  await watch.start();
  try {
    for (let index = 0; index < WATCHED_REPOSITORIES; index += 1) await watch.seed(`octo-org/service-${index}`);
    watch.grant();
    const engine = new VerdictEngine();
    watch.engine = engine;
    const store = new JobStore(watch.fresh.db);
    await store.put(watchJob(clock.now()), clock.now());
    const scheduler = new Scheduler({
      clock,
      locks: new InProcessJobLocks(),
      ledger: store,
      routines: new RoutineRegistry([watch.routine]),
      isPaused: () => Promise.resolve(false),
      modelLoaded: () => true,
    });
    await scheduler.start();
    // The first slot is the watch's first poll of every repository (its baseline): not idle yet.
    await advance(clock, store, DEPLOY_WATCH_EVERY_MINUTES * 60_000);
    const pointsBefore = watch.fake.points(TOKEN);
    const requestsBefore = watch.fake.apiRequests().length;
    const runsBefore = (await store.runsBetween()).length;
    await advance(clock, store, HOUR_MS);
    scheduler.stop();
    const requests = watch.fake.apiRequests().slice(requestsBefore);
    const runs = (await store.runsBetween()).slice(runsBefore);
    const unfinished = runs.filter((run) => run.outcome !== "nothing-new");
    if (unfinished.length > 0)
      throw new Error(`Idle runs that did not end as nothing-new: ${unfinished.map((run) => run.message).join("; ")}`);
    if (watch.fake.violations.length > 0)
      throw new Error(`The fake GitHub saw violations: ${watch.fake.violations.join("; ")}`);
    return {
      github_idle_rate_points_per_hour: watch.fake.points(TOKEN) - pointsBefore,
      github_idle_tokens_per_hour: engine.tokens + runs.reduce((sum, run) => sum + run.tokens, 0),
      github_idle_requests_per_hour: requests.length,
      github_idle_not_modified_share:
        requests.length === 0 ? 0 : requests.filter((request) => request.status === 304).length / requests.length,
      github_idle_watch_runs: runs.filter((run) => run.jobId === DEPLOY_WATCH_JOB_ID).length,
      github_watched_repositories: WATCHED_REPOSITORIES,
    };
  } finally {
    await watch.stop();
  }
}

async function failureRun(): Promise<Record<string, Figure>> {
  const watch = await new DeployWatchHarness().start();
  try {
    await watch.seed("octo-org/shop");
    watch.grant();
    await watch.tick();
    watch.engine = new VerdictEngine([
      '{"cause":"The database timed out","kind":"flaky","nextStep":"Re-run the failed jobs","severity":"high"}',
    ]);
    watch.fake.state.failRun("octo-org/shop", { job: "e2e" });
    watch.now += DEPLOY_WATCH_EVERY_MINUTES * 60_000;
    const started = performance.now();
    const result = await watch.tick();
    const elapsed = performance.now() - started;
    if (result.outcome !== "ran") throw new Error(`The failure was not found: ${result.message ?? ""}`);
    return { deploy_failure_processing_ms: elapsed, deploy_watch_interval_s: DEPLOY_WATCH_EVERY_MINUTES * 60 };
  } finally {
    await watch.stop();
  }
}

function promptTokens(): Record<string, Figure> {
  const read = (file: string): object => JSON.parse(readFileSync(join(FIXTURE_DIR, file), "utf8")) as object;
  const tokenizer = new Tokenizer(read("tokenizer.json"), read("tokenizer_config.json"));
  const log = Array.from({ length: 400 }, (_, index) =>
    index % 7 === 0
      ? `    at Object.<anonymous> (/home/runner/work/shop/shop/src/checkout/cart-${index}.test.ts:${index}:17)`
      : `  ✓ src/checkout/cart-${index}.test.ts > applies discount code SAVE${index} to the basket (${index % 90} ms)`,
  ).join("\n");
  const messages = deployVerdictMessages({
    change: {
      kind: "run-failed",
      repository: "octo-org/shop",
      runId: 1,
      attempt: 1,
      workflow: "CI",
      workflowPath: ".github/workflows/ci.yml",
      title: "Upgrade the payment SDK",
      branch: "main",
      sha: "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
      commit: "Upgrade the payment SDK",
      conclusion: "failure",
      url: "",
      failedJobs: [{ id: 7, name: "e2e", failedSteps: ["Run npm run e2e"] }],
    },
    log: { source: "github:octo-org/shop/job/7/log", text: log },
  });
  // Four tokens a message for the chat template's markers, as the agent's estimate counts them.
  return {
    deploy_verdict_prompt_tokens: messages.reduce(
      (sum, message) => sum + tokenizer.encode(message.content).ids.length + 4,
      0,
    ),
  };
}

export async function measureGitHubFigures(): Promise<Record<string, Figure>> {
  return { ...(await idleHour()), ...(await failureRun()), ...promptTokens() };
}
