import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_BUDGET_LIMITS } from "../../../src/core/agent/token-budget";
import {
  DEPLOY_WATCH_ROUTINE,
  deployWatchJob,
  deployWatchRoutine,
  NO_PAGE_MESSAGE,
} from "../../../src/routines/deploy-watch-routine";
import { DeploymentStore } from "../../../src/store/deployment-store";
import { SettingsStore } from "../../../src/store/settings-store";
import { DeployWatchHarness, START, TOKEN, VerdictEngine } from "./deploy-watch-harness";

const SHOP = "octo-owner/shop";
const FLAKY =
  '{"cause":"The e2e database timed out","kind":"flaky","nextStep":"Re-run the failed jobs","severity":"high"}';
const REAL = '{"cause":"A type error in cart.ts","kind":"real","nextStep":"Fix cart.ts and push","severity":"high"}';

let watch: DeployWatchHarness;

beforeEach(async () => {
  watch = await new DeployWatchHarness().start();
  await watch.seed(SHOP);
  watch.grant();
});

afterEach(async () => {
  expect(watch.fake.violations).toEqual([]);
  await watch.stop();
});

/** v2.0.0 fails its health check in production, found at the watch's next run 5 minutes on. */
function failProductionDeployment(): { id: number } {
  const deployment = watch.fake.state.addDeployment(SHOP, {
    environment: "production",
    ref: "v2.0.0",
    state: "in_progress",
  });
  watch.fake.state.addDeploymentStatus(SHOP, deployment.id, "failure", "Health check failed");
  watch.now += 5 * 60_000;
  return deployment;
}

describe("the deployment watch", () => {
  it("costs no model call, no token and no rate-limit point while nothing changes", async () => {
    watch.engine = new VerdictEngine();
    await watch.tick();
    const points = watch.fake.points(TOKEN);
    for (let tick = 0; tick < 12; tick += 1) {
      watch.now += 5 * 60_000;
      const result = await watch.tick();
      expect(result.outcome).toBe("nothing-new");
      expect(result.message).toBe("1 repository checked, nothing changed; 3 of 3 answers were 304 (free).");
    }
    expect(watch.engine.requests).toEqual([]);
    expect(watch.fake.points(TOKEN)).toBe(points);
  });

  it("judges a new failure from its log, says so in the run's message and proposes a re-run card", async () => {
    await watch.tick();
    watch.engine = new VerdictEngine([FLAKY]);
    const run = watch.fake.state.failRun(SHOP, {
      job: "e2e",
      title: "Upgrade the payment SDK",
      log: "2026-11-24T09:04:00.0000000Z Error: connect ETIMEDOUT 10.0.0.7:5432\n",
    });
    watch.now += 5 * 60_000;
    const result = await watch.tick();
    expect(result.outcome).toBe("ran");
    expect(result.itemsFound).toBe(1);
    expect(result.tokens).toBe(watch.engine.tokens);
    expect(result.tokens).toBeGreaterThan(0);
    expect(result.message).toBe(
      `${SHOP}: CI failed on main (e2e) — likely flaky (high): The e2e database timed out. Next: Re-run the failed jobs. ` +
        "A re-run of the failed jobs waits for your approval.",
    );
    // The model saw the log as quarantined data, under the verdict schema.
    const request = watch.engine.requests[0];
    expect(request?.responseFormat?.type).toBe("json_object");
    expect(request?.messages[1]?.content).toContain(`<untrusted source="github:${SHOP}/job/`);
    expect(request?.messages[1]?.content).toContain("Error: connect ETIMEDOUT 10.0.0.7:5432");

    const pending = await watch.gate.pending();
    expect(pending).toHaveLength(1);
    const card = pending[0]?.action;
    expect(card?.tool).toBe("github_rerun_failed_jobs");
    expect(card?.arguments).toEqual({
      repository: SHOP,
      runId: run.id,
      workflow: "CI",
      branch: "main",
      commit: run.sha.slice(0, 12),
      jobs: ["e2e"],
    });
    expect(card?.preview.fields).toContainEqual({ label: "Jobs to re-run", value: "e2e" });
    expect(card?.taint.tainted).toBe(true);
    expect(card?.taint.sources).toEqual([
      "github:poll",
      expect.stringMatching(new RegExp(`^github:${SHOP}/job/\\d+/log$`)),
    ]);
    expect(card?.reason).toBe("Deploy watch: The e2e database timed out (looks flaky). Re-run the failed jobs");
    // Nothing was re-run: it waits for the user.
    expect(watch.fake.state.run(SHOP, run.id)?.attempts).toHaveLength(1);

    // The same failure on the next tick: nothing new, no second card, no second call.
    watch.now += 5 * 60_000;
    expect((await watch.tick()).outcome).toBe("nothing-new");
    expect(await watch.gate.pending()).toHaveLength(1);
    expect(watch.engine.requests).toHaveLength(1);
  });

  it("proposes no re-run for a real failure, and still reports failures without a model", async () => {
    await watch.tick();
    watch.engine = new VerdictEngine([REAL]);
    watch.fake.state.failRun(SHOP, { job: "typecheck" });
    watch.now += 5 * 60_000;
    const real = await watch.tick();
    expect(real.message).toContain("likely real (high): A type error in cart.ts. Next: Fix cart.ts and push.");
    expect(await watch.gate.pending()).toEqual([]);

    watch.engine = undefined;
    watch.fake.state.failRun(SHOP, { job: "lint-docs" });
    watch.now += 5 * 60_000;
    const blind = await watch.tick();
    expect(blind.tokens).toBe(0);
    expect(blind.message).toBe(
      `${SHOP}: CI failed on main (lint-docs). A re-run of the failed jobs waits for your approval.`,
    );
  });

  it("keeps a re-run waiting across a reload, and runs it once when approved", async () => {
    await watch.tick();
    watch.engine = new VerdictEngine([FLAKY]);
    const run = watch.fake.state.failRun(SHOP, { job: "e2e" });
    watch.now += 5 * 60_000;
    await watch.tick();
    const [card] = await watch.gate.pending();
    if (!card) throw new Error("no card");

    await watch.reload();
    expect((await watch.gate.pending()).map((record) => record.id)).toEqual([card.id]);
    const answer = await watch.gate.approve(card.id);
    expect(answer).toMatchObject({ ok: true, outcome: { status: "executed" } });
    expect(await watch.gate.approve(card.id)).toMatchObject({ ok: false, problem: "not_pending" });
    expect(watch.fake.state.run(SHOP, run.id)?.attempts).toHaveLength(2);
    expect(
      watch.fake.apiRequests().filter((request) => request.operationId === "actions/re-run-workflow-failed-jobs"),
    ).toHaveLength(1);

    // When the re-run passes, the next tick says so, without a model call.
    watch.fake.state.completeRun(SHOP, run.id, "success");
    watch.now += 5 * 60_000;
    const calls = watch.engine.requests.length;
    const recovered = await watch.tick();
    expect(recovered.message).toBe(`${SHOP}: CI passes again on main.`);
    expect(watch.engine.requests).toHaveLength(calls);
  });

  it("reports a failed deployment with a verdict and no re-run card", async () => {
    await watch.tick();
    watch.engine = new VerdictEngine([
      '{"cause":"Pods fail their health check","kind":"real","nextStep":"Roll back to the last release","severity":"critical"}',
    ]);
    failProductionDeployment();
    const result = await watch.tick();
    expect(result.message).toBe(
      `${SHOP}: the deployment to production (v2.0.0) is failure — likely real (critical): Pods fail their health check. Next: Roll back to the last release.`,
    );
    expect(watch.engine.requests[0]?.messages[1]?.content).toContain("Health check failed");
    expect(await watch.gate.pending()).toEqual([]);
  });

  it("reports a failure without a verdict, and says why, once the routine's daily budget is spent", async () => {
    await new SettingsStore(watch.fresh.db).set("budgetLimits", {
      ...DEFAULT_BUDGET_LIMITS,
      perRoutine: { [DEPLOY_WATCH_ROUTINE]: 200 },
    });
    await watch.tick();
    watch.engine = new VerdictEngine([FLAKY]);
    watch.fake.state.failRun(SHOP, { job: "e2e" });
    watch.now += 5 * 60_000;
    const result = await watch.tick();
    expect(watch.engine.requests).toEqual([]);
    expect(result.tokens).toBe(0);
    expect(result.message).toMatch(
      /^octo-owner\/shop: CI failed on main \(e2e\)\. A re-run of the failed jobs waits for your approval\. \(No verdict: .*budget/,
    );
  });

  it("asks nothing, not even the Gate, while no repository is watched", async () => {
    const idle = new DeployWatchHarness();
    await idle.start();
    try {
      const result = await idle.tick();
      expect(result).toMatchObject({ outcome: "nothing-new", message: "No GitHub repository is watched." });
      expect(await idle.gate.recent()).toEqual([]);
      expect(idle.fake.apiRequests()).toEqual([]);
    } finally {
      await idle.stop();
    }
  });

  it("fails the run with the reason when GitHub refuses the token", async () => {
    watch.fake.state.revokeToken(TOKEN);
    await expect(watch.tick()).rejects.toMatchObject({ name: "ReconnectNeededError" });
  });
});

describe("what the deployment watch keeps for the board", () => {
  it("stores a failed run with its verdict, the model's name and the re-run card's id", async () => {
    await watch.tick();
    expect(await new DeploymentStore(watch.fresh.db).all()).toEqual([]);
    watch.engine = new VerdictEngine([FLAKY]);
    const run = watch.fake.state.failRun(SHOP, { job: "e2e", title: "Upgrade the payment SDK" });
    watch.now += 5 * 60_000;
    await watch.tick();
    const [card] = await watch.gate.pending();
    const records = await new DeploymentStore(watch.fresh.db).forRepository(SHOP);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      id: `${SHOP}/run/${run.id}`,
      kind: "run",
      title: "CI",
      status: "completed",
      conclusion: "failure",
      branch: "main",
      sha: run.sha,
      attempt: 1,
      failedJobs: ["e2e"],
      detail: "Upgrade the payment SDK",
      rerunActionId: card?.id,
      note: "A re-run of the failed jobs waits for your approval.",
      verdict: {
        likelyCause: "The e2e database timed out",
        kind: "flaky",
        nextStep: "Re-run the failed jobs",
        severity: "high",
        modelId: "scripted-verdict-engine",
      },
    });
    expect(records[0]?.url).toMatch(new RegExp(`/${SHOP}/actions/runs/${run.id}$`));
    expect(records[0]?.verdictProblem).toBeUndefined();
  });

  it("keeps the record across a reload, and once the approved re-run passes shows it green with the card still linked", async () => {
    await watch.tick();
    watch.engine = new VerdictEngine([FLAKY]);
    const run = watch.fake.state.failRun(SHOP, { job: "e2e" });
    watch.now += 5 * 60_000;
    await watch.tick();
    await watch.reload();
    const id = `${SHOP}/run/${run.id}`;
    const kept = await new DeploymentStore(watch.fresh.db).get(id);
    expect(kept).toMatchObject({ conclusion: "failure", verdict: { kind: "flaky" } });
    const cardId = kept?.rerunActionId ?? "";
    expect((await watch.gate.pending()).map((record) => record.id)).toEqual([cardId]);

    expect(await watch.gate.approve(cardId)).toMatchObject({ ok: true });
    watch.fake.state.completeRun(SHOP, run.id, "success");
    watch.now += 5 * 60_000;
    await watch.tick();
    const green = await new DeploymentStore(watch.fresh.db).get(id);
    expect(green).toMatchObject({ conclusion: "success", rerunActionId: cardId, attempt: 2 });
    expect(green?.verdict).toBeUndefined();
    expect(green?.note).toBeUndefined();
  });

  it("says why a failure has no verdict: no model loaded, or the routine's budget spent", async () => {
    await watch.tick();
    watch.fake.state.failRun(SHOP, { job: "lint" });
    watch.now += 5 * 60_000;
    await watch.tick();
    const [blind] = await new DeploymentStore(watch.fresh.db).forRepository(SHOP);
    expect(blind?.verdict).toBeUndefined();
    expect(blind?.verdictProblem).toBe("No model was loaded when the watch found it (Models → Load).");

    await new SettingsStore(watch.fresh.db).set("budgetLimits", {
      ...DEFAULT_BUDGET_LIMITS,
      perRoutine: { [DEPLOY_WATCH_ROUTINE]: 200 },
    });
    watch.engine = new VerdictEngine([FLAKY]);
    const second = watch.fake.state.failRun(SHOP, { job: "e2e" });
    watch.now += 5 * 60_000;
    await watch.tick();
    const spent = await new DeploymentStore(watch.fresh.db).get(`${SHOP}/run/${second.id}`);
    expect(spent?.verdict).toBeUndefined();
    expect(spent?.verdictProblem).toMatch(/budget/);
    expect(watch.engine.requests).toEqual([]);
  });

  it("stores a failed deployment under its environment, without a re-run card", async () => {
    await watch.tick();
    watch.engine = new VerdictEngine([
      '{"cause":"Pods fail their health check","kind":"real","nextStep":"Roll back","severity":"critical"}',
    ]);
    const deployment = failProductionDeployment();
    await watch.tick();
    const record = await new DeploymentStore(watch.fresh.db).get(`${SHOP}/deployment/${deployment.id}`);
    expect(record).toMatchObject({
      kind: "deployment",
      title: "production",
      status: "failure",
      branch: "v2.0.0",
      detail: "Health check failed",
      verdict: { likelyCause: "Pods fail their health check", kind: "real", severity: "critical" },
    });
    expect(record?.rerunActionId).toBeUndefined();
  });

  it("writes nothing while nothing changes", async () => {
    await watch.tick();
    for (let tick = 0; tick < 3; tick += 1) {
      watch.now += 5 * 60_000;
      await watch.tick();
    }
    expect(await new DeploymentStore(watch.fresh.db).all()).toEqual([]);
  });
});

describe("the deployment watch as the scheduler runs it", () => {
  it("proposes through the page's Gate from its context, and waits quietly while no page is open", async () => {
    const routine = deployWatchRoutine({
      engine: () => undefined,
      db: () => Promise.resolve(watch.fresh.db),
      keepOpen: true,
    });
    const job = deployWatchJob("UTC", START);
    expect(await routine.check({ job, now: watch.now })).toEqual({ kind: "nothing-new", message: NO_PAGE_MESSAGE });
    expect(await watch.gate.recent()).toEqual([]);

    const context = {
      job,
      now: watch.now,
      proposeAction: (action: Parameters<typeof watch.gate.propose>[0]) => watch.gate.propose(action),
    };
    await routine.check(context);
    const failed = watch.fake.state.failRun(SHOP, { job: "e2e" });
    watch.now += 5 * 60_000;
    const check = await routine.check({ ...context, now: watch.now });
    expect(check).toEqual({ kind: "new", items: 1 });
    const result = await routine.run({ ...context, now: watch.now, signal: new AbortController().signal, found: 1 });
    expect(result.message).toBe(
      `${SHOP}: CI failed on main (e2e). A re-run of the failed jobs waits for your approval.`,
    );
    expect((await watch.gate.pending()).map((record) => record.action.arguments.runId)).toEqual([failed.id]);
  });

  it("is a job every 5 minutes, on by default", () => {
    expect(deployWatchJob("Europe/Berlin", START)).toMatchObject({
      id: "deploy-watch",
      routine: DEPLOY_WATCH_ROUTINE,
      schedule: { kind: "every", minutes: 5 },
      enabled: true,
      timeZone: "Europe/Berlin",
    });
  });
});
