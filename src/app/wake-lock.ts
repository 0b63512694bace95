/** A held lock that can be let go: the browser's `WakeLockSentinel`, a fake in tests. */
export interface HeldLock {
  readonly released: boolean;
  release(): Promise<void>;
}

/** What the holder needs from the page: the Screen Wake Lock API and the page's visibility. */
export interface WakeLockPort {
  /** Undefined when the browser has no Screen Wake Lock. */
  request: (() => Promise<HeldLock>) | undefined;
  visible(): boolean;
  onVisibilityChange(listener: () => void): void;
}

export function browserWakeLock(): WakeLockPort {
  const wakeLock = typeof navigator === "undefined" ? undefined : navigator.wakeLock;
  return {
    request: wakeLock ? () => wakeLock.request("screen") : undefined,
    visible: () => document.visibilityState === "visible",
    onVisibilityChange: (listener) => document.addEventListener("visibilitychange", listener),
  };
}

/**
 * Keeps the screen awake while a run of an opted-in job is going. The browser drops the lock when
 * the page is hidden, so it is asked for again when the page is visible again and a run still goes.
 * A refusal (battery saver, no support) leaves the screen to sleep as usual.
 */
export class WakeLockHolder {
  #wanted = false;
  #lock: HeldLock | undefined;
  #pending: Promise<void> | undefined;

  constructor(private readonly port: WakeLockPort) {
    port.onVisibilityChange(() => void this.#sync());
  }

  get held(): boolean {
    return this.#lock !== undefined && !this.#lock.released;
  }

  /** Whether a run that wants the screen awake is going. */
  async want(wanted: boolean): Promise<void> {
    this.#wanted = wanted;
    await this.#sync();
  }

  async #sync(): Promise<void> {
    // One request at a time; a change meanwhile is applied when it settles.
    while (this.#pending) await this.#pending;
    this.#pending = this.#apply().finally(() => (this.#pending = undefined));
    await this.#pending;
  }

  async #apply(): Promise<void> {
    if (!this.#wanted) {
      const lock = this.#lock;
      this.#lock = undefined;
      if (lock && !lock.released) await lock.release().catch(() => undefined);
      return;
    }
    if (this.held || !this.port.request || !this.port.visible()) return;
    try {
      this.#lock = await this.port.request();
    } catch {
      this.#lock = undefined;
    }
  }
}
