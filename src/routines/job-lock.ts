/**
 * One run of a job at a time, across tabs and installed windows. In the browser this is the Web
 * Locks API (a lock dies with its tab, so a closed tab never leaves a job stuck); in Node tests,
 * and where `navigator.locks` is missing, an in-process table.
 */
export interface JobLocks {
  /** The lock called `name` if nobody holds it, else undefined at once (never waits). */
  tryAcquire(name: string): Promise<HeldLock | undefined>;
}

export interface HeldLock {
  /** Idempotent. */
  release(): void;
}

export function jobLockName(jobId: string): string {
  return `tabclaw-job:${jobId}`;
}

/** The subset of `LockManager` used here, so a page or a worker can pass `navigator.locks`. */
export interface LockRequester {
  request(
    name: string,
    options: { ifAvailable: boolean },
    callback: (lock: Lock | null) => Promise<void>,
  ): Promise<void>;
}

/** Web Locks: the lock is held while the callback's promise is pending, i.e. until `release()`. */
export class WebJobLocks implements JobLocks {
  constructor(private readonly locks: LockRequester) {}

  tryAcquire(name: string): Promise<HeldLock | undefined> {
    return new Promise((resolve, reject) => {
      this.locks
        .request(name, { ifAvailable: true }, (lock) => {
          if (!lock) {
            resolve(undefined);
            return Promise.resolve();
          }
          return new Promise<void>((released) => {
            let done = false;
            resolve({
              release: () => {
                if (done) return;
                done = true;
                released();
              },
            });
          });
        })
        .catch(reject);
    });
  }
}

/** Locks within one JavaScript realm: for tests, and as the fallback without Web Locks. */
export class InProcessJobLocks implements JobLocks {
  readonly #held = new Set<string>();

  tryAcquire(name: string): Promise<HeldLock | undefined> {
    if (this.#held.has(name)) return Promise.resolve(undefined);
    this.#held.add(name);
    let done = false;
    return Promise.resolve({
      release: () => {
        if (done) return;
        done = true;
        this.#held.delete(name);
      },
    });
  }

  isHeld(name: string): boolean {
    return this.#held.has(name);
  }
}
