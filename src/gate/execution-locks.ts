/**
 * A lock per action id, held while the action runs. Web Locks are released when a tab dies, so a
 * tab starting up can tell an action another live tab is running (lock held) from one whose tab
 * died mid-call (lock free): only the latter is marked interrupted.
 */
export interface ExecutionLocks {
  /** Runs `work` holding the action's lock, waiting for another holder to finish first. */
  hold<T>(actionId: string, work: () => Promise<T>): Promise<T>;
  /** Runs `work` holding the lock if nobody holds it; undefined (without running it) otherwise. */
  ifFree<T>(actionId: string, work: () => Promise<T>): Promise<T | undefined>;
}

const lockName = (actionId: string): string => `tabclaw-action:${actionId}`;

/** Across every tab of the origin, through the browser's Web Locks API. */
export function webLocks(locks: LockManager): ExecutionLocks {
  return {
    hold: (actionId, work) => locks.request(lockName(actionId), () => work()),
    ifFree: (actionId, work) =>
      locks.request(lockName(actionId), { ifAvailable: true }, (lock) => (lock ? work() : undefined)),
  };
}

/** Within one JavaScript realm: for tests and for browsers without Web Locks. */
export class InMemoryLocks implements ExecutionLocks {
  readonly #tails = new Map<string, Promise<unknown>>();

  async hold<T>(actionId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(actionId) ?? Promise.resolve();
    const run = previous.then(work, work);
    const tail = run.catch(() => undefined);
    this.#tails.set(actionId, tail);
    try {
      return await run;
    } finally {
      if (this.#tails.get(actionId) === tail) this.#tails.delete(actionId);
    }
  }

  async ifFree<T>(actionId: string, work: () => Promise<T>): Promise<T | undefined> {
    return this.#tails.has(actionId) ? undefined : this.hold(actionId, work);
  }
}

const realmLocks = new InMemoryLocks();

/** Web Locks where the browser has them; otherwise one lock table for this realm. */
export function defaultExecutionLocks(): ExecutionLocks {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  return locks ? webLocks(locks) : realmLocks;
}
