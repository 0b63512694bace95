import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { watchWaitingWorkers, type WatchedRegistration } from "../../../src/pwa/watch-waiting-workers";
import { FakeWorker } from "./fake-workbox";

/** A registration whose lifecycle the test drives, following the service worker spec's order of events. */
class FakeRegistration implements WatchedRegistration<FakeWorker> {
  installing: FakeWorker | null = null;
  waiting: FakeWorker | null = null;
  active: FakeWorker | null = null;
  readonly #listeners: (() => void)[] = [];

  addEventListener(_type: "updatefound", listener: () => void): void {
    this.#listeners.push(listener);
  }

  /** A new version is found and installs; it waits when an older one is active, else activates at once. */
  install(): FakeWorker {
    const worker = new FakeWorker();
    worker.state = "installing";
    this.installing = worker;
    for (const listener of this.#listeners) listener();
    this.installing = null;
    this.waiting = worker;
    worker.setState("installed");
    if (!this.active) {
      this.waiting = null;
      this.active = worker;
      worker.setState("activating");
    }
    return worker;
  }
}

describe("watchWaitingWorkers", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("ignores a first install, which activates without waiting", () => {
    const registration = new FakeRegistration();
    const seen: FakeWorker[] = [];
    watchWaitingWorkers(registration, (worker) => seen.push(worker));
    registration.install();
    vi.runAllTimers();
    expect(seen).toEqual([]);
  });

  it("reports every later version that waits, not only the first (GoogleChrome/workbox#3285)", () => {
    const registration = new FakeRegistration();
    registration.active = new FakeWorker();
    const seen: FakeWorker[] = [];
    watchWaitingWorkers(registration, (worker) => seen.push(worker));
    const second = registration.install();
    vi.runAllTimers();
    const third = registration.install();
    vi.runAllTimers();
    expect(seen).toEqual([second, third]);
  });
});
