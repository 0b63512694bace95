import { describe, expect, it } from "vitest";
import { MIN_CHECK_INTERVAL_MS, UpdateState } from "../../../src/pwa/update-state";
import { FakeWorkbox, FakeWorker } from "./fake-workbox";

function setup() {
  const workbox = new FakeWorkbox();
  let reloads = 0;
  let clock = 0;
  const state = new UpdateState({ reload: () => reloads++, now: () => clock });
  state.connect(workbox);
  let renders = 0;
  state.subscribe(() => renders++);
  return {
    workbox,
    state,
    reloads: () => reloads,
    renders: () => renders,
    advance: (ms: number) => (clock += ms),
  };
}

describe("update state", () => {
  it("starts with nothing to offer", () => {
    const { state } = setup();
    expect(state.updateAvailable).toBe(false);
    expect(state.applying).toBe(false);
  });

  it("offers a waiting version without activating it or reloading", () => {
    const { workbox, state, reloads, renders } = setup();
    workbox.fireWaiting(new FakeWorker());
    expect(state.updateAvailable).toBe(true);
    expect(renders()).toBe(1);
    expect(workbox.skipWaitingMessages).toBe(0);
    expect(reloads()).toBe(0);
  });

  it("on accept, sends skip-waiting and reloads exactly once when the new version controls the page", () => {
    const { workbox, state, reloads } = setup();
    const worker = new FakeWorker();
    workbox.fireWaiting(worker);
    state.applyUpdate();
    expect(workbox.skipWaitingMessages).toBe(1);
    expect(state.applying).toBe(true);
    expect(reloads()).toBe(0);

    workbox.fireControlling();
    expect(reloads()).toBe(1);
    // The worker's own activation, a second controllerchange and a second click change nothing.
    worker.setState("activated");
    workbox.fireControlling();
    state.applyUpdate();
    expect(reloads()).toBe(1);
    expect(workbox.skipWaitingMessages).toBe(1);
  });

  it("reloads on activation when the page is not controlled, so no controllerchange comes", () => {
    const { workbox, state, reloads } = setup();
    const worker = new FakeWorker();
    workbox.fireWaiting(worker);
    state.applyUpdate();
    worker.setState("activating");
    expect(reloads()).toBe(0);
    worker.setState("activated");
    expect(reloads()).toBe(1);
  });

  it("does nothing on accept when no version waits", () => {
    const { workbox, state, reloads } = setup();
    state.applyUpdate();
    expect(workbox.skipWaitingMessages).toBe(0);
    expect(state.applying).toBe(false);
    expect(reloads()).toBe(0);
  });

  it("'Later' hides the offer until the next new version", () => {
    const { workbox, state, reloads } = setup();
    const first = new FakeWorker();
    workbox.fireWaiting(first);
    state.dismiss();
    expect(state.updateAvailable).toBe(false);

    // The same version reported again (workbox-window and the registration watcher both see it) stays hidden.
    workbox.fireWaiting(first);
    state.offer(first);
    expect(state.updateAvailable).toBe(false);

    state.offer(new FakeWorker());
    expect(state.updateAvailable).toBe(true);
    expect(reloads()).toBe(0);
    expect(workbox.skipWaitingMessages).toBe(0);
  });

  it("treats a waiting event without a worker as a new version", () => {
    const { workbox, state } = setup();
    workbox.fireWaiting(undefined);
    state.dismiss();
    workbox.fireWaiting(undefined);
    expect(state.updateAvailable).toBe(true);
  });

  it("never reloads when another tab activated the update; offers the reload instead", () => {
    const { workbox, state, reloads } = setup();
    workbox.fireWaiting(new FakeWorker());
    state.dismiss();
    workbox.fireControlling();
    expect(reloads()).toBe(0);
    expect(state.updateAvailable).toBe(true);

    state.applyUpdate();
    expect(reloads()).toBe(1);
    // Nothing is waiting any more: the new version already runs.
    expect(workbox.skipWaitingMessages).toBe(0);
  });

  it("ignores newer versions while an accepted update is loading", () => {
    const { workbox, state, reloads } = setup();
    workbox.fireWaiting(new FakeWorker());
    state.applyUpdate();
    state.offer(new FakeWorker());
    state.dismiss();
    expect(state.applying).toBe(true);
    expect(state.updateAvailable).toBe(true);
    workbox.fireControlling();
    expect(reloads()).toBe(1);
  });

  it("checks for updates at most once a minute and survives being offline", async () => {
    const { workbox, state, advance } = setup();
    workbox.failUpdates = true;
    await state.checkForUpdate();
    await state.checkForUpdate();
    expect(workbox.updateChecks).toBe(1);

    advance(MIN_CHECK_INTERVAL_MS);
    workbox.failUpdates = false;
    await state.checkForUpdate();
    expect(workbox.updateChecks).toBe(2);
  });

  it("does not check before it is connected", async () => {
    const state = new UpdateState({ reload: () => undefined });
    await expect(state.checkForUpdate()).resolves.toBeUndefined();
    expect(state.updateAvailable).toBe(false);
  });
});
