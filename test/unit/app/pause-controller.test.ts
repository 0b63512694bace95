import { describe, expect, it } from "vitest";
import { PauseController, type KillSwitchPort } from "../../../src/app/pause-controller";

/** The Gate's kill switch in memory; `flipElsewhere` is another tab turning it. */
class FakeSwitch implements KillSwitchPort {
  on = false;
  failNext = false;
  readonly calls: boolean[] = [];
  #listeners = new Set<() => void>();

  setKillSwitch(on: boolean): Promise<unknown> {
    this.calls.push(on);
    if (this.failNext) {
      this.failNext = false;
      return Promise.reject(new Error("quota exceeded"));
    }
    this.on = on;
    this.#announce();
    return Promise.resolve({ changed: true, affected: 0 });
  }

  killSwitchOn(): Promise<boolean> {
    return Promise.resolve(this.on);
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  flipElsewhere(on: boolean): void {
    this.on = on;
    this.#announce();
  }

  #announce(): void {
    for (const listener of this.#listeners) listener();
  }
}

function setUp(initiallyOn = false) {
  const gate = new FakeSwitch();
  gate.on = initiallyOn;
  const pause = new PauseController(gate);
  const log: string[] = [];
  let pausedWhenStopped: boolean | undefined;
  pause.attach({
    stop: () => {
      pausedWhenStopped = pause.paused;
      log.push(`stop (gate ${gate.on ? "on" : "off"})`);
      return Promise.resolve();
    },
  });
  return { gate, pause, log, pausedWhenStopped: () => pausedWhenStopped };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("PauseController", () => {
  it("reads the stored switch at start: a reload stays paused", async () => {
    const { pause } = setUp(true);
    expect(pause.paused).toBe(false);
    await pause.init();
    expect(pause.paused).toBe(true);
  });

  it("blocks at once, stops the answer, then turns the Gate's switch on", async () => {
    const { gate, pause, log, pausedWhenStopped } = setUp();
    await pause.init();
    const pausing = pause.pause();
    // Before anything is awaited: a send in the same tick is already refused.
    expect(pause.paused).toBe(true);
    await pausing;
    expect(pausedWhenStopped()).toBe(true);
    expect(log).toEqual(["stop (gate off)"]);
    expect(gate.calls).toEqual([true]);
    expect(pause.paused).toBe(true);
  });

  it("resumes only once the Gate has thawed", async () => {
    const { gate, pause, log } = setUp(true);
    await pause.init();
    const resuming = pause.resume();
    expect(pause.paused).toBe(true);
    await resuming;
    expect(gate.calls).toEqual([false]);
    expect(pause.paused).toBe(false);
    expect(log).toEqual([]);
  });

  it("stays paused and says why when the Gate cannot store the switch", async () => {
    const { gate, pause } = setUp(true);
    await pause.init();
    gate.failNext = true;
    await pause.resume();
    expect(pause.paused).toBe(true);
    expect(pause.error).toBe("quota exceeded");
    await pause.resume();
    expect(pause.paused).toBe(false);
    expect(pause.error).toBeUndefined();
  });

  it("follows another tab: paused there stops the answer here", async () => {
    const { gate, pause, log } = setUp();
    await pause.init();
    let notified = 0;
    pause.subscribe(() => notified++);
    gate.flipElsewhere(true);
    await settle();
    expect(pause.paused).toBe(true);
    expect(log).toEqual(["stop (gate on)"]);
    gate.flipElsewhere(false);
    await settle();
    expect(pause.paused).toBe(false);
    expect(notified).toBe(2);
  });
});
