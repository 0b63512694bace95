import { describe, expect, it } from "vitest";
import { InProcessJobLocks, WebJobLocks, type LockRequester } from "../../../src/routines/job-lock";

/** Web Locks' `ifAvailable` semantics, enough to check the adapter holds and frees the lock. */
class FakeLockManager implements LockRequester {
  readonly held = new Set<string>();

  async request(name: string, _options: { ifAvailable: boolean }, callback: (lock: Lock | null) => Promise<void>) {
    if (this.held.has(name)) return callback(null);
    this.held.add(name);
    try {
      await callback({ name, mode: "exclusive" });
    } finally {
      this.held.delete(name);
    }
  }
}

describe("job locks", () => {
  it("Web Locks: held until released, refused meanwhile, free again after", async () => {
    const manager = new FakeLockManager();
    const locks = new WebJobLocks(manager);
    const held = await locks.tryAcquire("tabclaw-job:mail");
    expect(held).toBeDefined();
    expect(await locks.tryAcquire("tabclaw-job:mail")).toBeUndefined();
    expect(await locks.tryAcquire("tabclaw-job:slack")).toBeDefined();
    held?.release();
    held?.release();
    await Promise.resolve();
    await Promise.resolve();
    expect(manager.held.has("tabclaw-job:mail")).toBe(false);
    expect(await locks.tryAcquire("tabclaw-job:mail")).toBeDefined();
  });

  it("in process: the same contract", async () => {
    const locks = new InProcessJobLocks();
    const held = await locks.tryAcquire("a");
    expect(await locks.tryAcquire("a")).toBeUndefined();
    held?.release();
    expect(await locks.tryAcquire("a")).toBeDefined();
  });
});
