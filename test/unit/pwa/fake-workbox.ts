import type { UpdateSource, WaitingWorker } from "../../../src/pwa/update-state";

/** A service worker that moves through states when the test says so. */
export class FakeWorker implements WaitingWorker {
  state = "installed";
  readonly #listeners: (() => void)[] = [];

  addEventListener(_type: "statechange", listener: () => void): void {
    this.#listeners.push(listener);
  }

  setState(state: string): void {
    this.state = state;
    for (const listener of this.#listeners) listener();
  }
}

/** Stands in for workbox-window's `Workbox`: the test fires its lifecycle events and reads what was asked of it. */
export class FakeWorkbox implements UpdateSource {
  skipWaitingMessages = 0;
  updateChecks = 0;
  failUpdates = false;
  readonly #waiting: ((event: { sw?: WaitingWorker }) => void)[] = [];
  readonly #controlling: (() => void)[] = [];

  addEventListener(type: "waiting", listener: (event: { sw?: WaitingWorker }) => void): void;
  addEventListener(type: "controlling", listener: () => void): void;
  addEventListener(type: "waiting" | "controlling", listener: (event: { sw?: WaitingWorker }) => void): void {
    if (type === "waiting") this.#waiting.push(listener);
    else this.#controlling.push(() => listener({}));
  }

  messageSkipWaiting(): void {
    this.skipWaitingMessages++;
  }

  update(): Promise<void> {
    this.updateChecks++;
    return this.failUpdates ? Promise.reject(new TypeError("Failed to fetch")) : Promise.resolve();
  }

  fireWaiting(sw: WaitingWorker | undefined): void {
    for (const listener of this.#waiting) listener(sw ? { sw } : {});
  }

  fireControlling(): void {
    for (const listener of this.#controlling) listener();
  }
}
