import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DeploymentRecord } from "../../../src/store/deployment-record";
import { DEPLOYMENTS_KEPT_PER_REPOSITORY, DeploymentStore } from "../../../src/store/deployment-store";
import { FreshDatabase } from "./fresh-database";

const SHOP = "octo-owner/shop";

function failedRun(runId: number, updatedAt: number, fields: Partial<DeploymentRecord> = {}): DeploymentRecord {
  return {
    id: `${SHOP}/run/${runId}`,
    repository: SHOP,
    kind: "run",
    title: "CI",
    status: "completed",
    conclusion: "failure",
    branch: "main",
    sha: "a1b2c3d4e5f6a7b8c9d0",
    updatedAt,
    attempt: 1,
    ...fields,
  };
}

const VERDICT = {
  likelyCause: "The database timed out",
  kind: "flaky",
  nextStep: "Re-run",
  severity: "high",
  at: 1,
} as const;

let fresh: FreshDatabase;
let store: DeploymentStore;

beforeEach(async () => {
  fresh = new FreshDatabase();
  store = new DeploymentStore(await fresh.open());
});

afterEach(() => fresh.dispose());

describe("DeploymentStore", () => {
  it("lists a repository's runs and deployments newest first, and only that repository's", async () => {
    await store.record(failedRun(1, 100));
    await store.record(failedRun(2, 300));
    await store.record({ ...failedRun(3, 200), id: "octo-owner/blog/run/3", repository: "octo-owner/blog" });
    await store.record({
      id: `${SHOP}/deployment/9`,
      repository: SHOP,
      kind: "deployment",
      title: "production",
      status: "failure",
      updatedAt: 200,
    });
    expect((await store.forRepository(SHOP)).map((record) => record.id)).toEqual([
      `${SHOP}/run/2`,
      `${SHOP}/deployment/9`,
      `${SHOP}/run/1`,
    ]);
    expect((await store.forRepository(SHOP, 1)).map((record) => record.id)).toEqual([`${SHOP}/run/2`]);
    expect((await store.all()).map((record) => record.updatedAt)).toEqual([300, 200, 200, 100]);
  });

  it("keeps the verdict of the same failed attempt seen again, and drops it when the run recovers or fails anew", async () => {
    await store.record(failedRun(1, 100, { verdict: VERDICT, rerunActionId: "card-1", note: "waits" }));
    const again = await store.record(failedRun(1, 150));
    expect(again).toMatchObject({ verdict: VERDICT, rerunActionId: "card-1", note: "waits", updatedAt: 150 });

    const secondAttempt = await store.record(failedRun(1, 200, { attempt: 2, verdictProblem: "budget spent" }));
    expect(secondAttempt.verdict).toBeUndefined();
    expect(secondAttempt).toMatchObject({ attempt: 2, verdictProblem: "budget spent", rerunActionId: "card-1" });

    const green = await store.record(failedRun(1, 300, { attempt: 2, conclusion: "success" }));
    expect(green.verdictProblem).toBeUndefined();
    expect(green.note).toBeUndefined();
    expect(green).toMatchObject({ conclusion: "success", rerunActionId: "card-1" });
    expect(await store.get(`${SHOP}/run/1`)).toEqual(green);
  });

  it("keeps at most its cap per repository, dropping the oldest, and forgets a repository on request", async () => {
    for (let index = 0; index < DEPLOYMENTS_KEPT_PER_REPOSITORY + 3; index += 1) {
      await store.record(failedRun(index + 1, 1_000 + index));
    }
    await store.record({ ...failedRun(999, 1), id: "octo-owner/blog/run/999", repository: "octo-owner/blog" });
    const kept = await store.forRepository(SHOP);
    expect(kept).toHaveLength(DEPLOYMENTS_KEPT_PER_REPOSITORY);
    expect(kept.at(-1)?.id).toBe(`${SHOP}/run/4`);
    expect(await store.forRepository("octo-owner/blog")).toHaveLength(1);

    expect(await store.deleteRepository(SHOP)).toBe(DEPLOYMENTS_KEPT_PER_REPOSITORY);
    expect(await store.forRepository(SHOP)).toEqual([]);
    expect(await store.forRepository("octo-owner/blog")).toHaveLength(1);
  });

  it("survives a reload", async () => {
    await store.record(failedRun(1, 100, { verdict: VERDICT }));
    store = new DeploymentStore(await fresh.reopen());
    expect(await store.get(`${SHOP}/run/1`)).toMatchObject({ verdict: VERDICT });
  });
});
