/**
 * Time as the scheduler sees it, injected so tests drive it with a fake clock: the current
 * instant and one-shot timers (the watchdog, the wait until the next slot).
 */
export interface Clock {
  now(): number;
  setTimer(callback: () => void, delayMs: number): TimerHandle;
}

export interface TimerHandle {
  cancel(): void;
}

/** The real clock, in a page or a worker. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(callback, delayMs) {
    const id = setTimeout(callback, delayMs);
    return { cancel: () => clearTimeout(id) };
  },
};
