import type { Clock, TimerHandle } from "../../../src/routines/clock";

interface Timer {
  at: number;
  callback: () => void;
  cancelled: boolean;
}

/** A clock that moves only when told; timers fire in order as it passes them. */
export class FakeClock implements Clock {
  #now: number;
  readonly #timers: Timer[] = [];

  constructor(start: number) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(callback: () => void, delayMs: number): TimerHandle {
    const timer: Timer = { at: this.#now + delayMs, callback, cancelled: false };
    this.#timers.push(timer);
    return { cancel: () => (timer.cancelled = true) };
  }

  /** Pending timers that were neither fired nor cancelled. */
  get pending(): number {
    return this.#timers.filter((timer) => !timer.cancelled).length;
  }

  /** Moves time forward, firing due timers and letting their promise chains settle. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      const next = this.#timers
        .filter((timer) => !timer.cancelled && timer.at <= target)
        .sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.#now = next.at;
      next.cancelled = true;
      next.callback();
      await settle();
    }
    this.#now = target;
    await settle();
  }
}

/** Lets pending promise callbacks (including fake-indexeddb's) run. */
export async function settle(): Promise<void> {
  // setImmediate, not setTimeout(0) (at least 1 ms each): a simulated day is thousands of settles.
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}
