/**
 * A lock per import, held by the realm that runs it (the import worker). Web Locks are released
 * when a tab and its workers die, so the next app start can tell an import another live tab is
 * running (lock held) from one a closed tab left `running` (lock free).
 */
export interface MailImportLocks {
  /** Runs `work` holding the import's lock. */
  hold<T>(importId: string, work: () => Promise<T>): Promise<T>;
  /** Whether some realm holds the import's lock right now. */
  isHeld(importId: string): Promise<boolean>;
}

const lockName = (importId: string): string => `tabclaw-mail-import:${importId}`;

/** Across every tab and worker of the origin, through the browser's Web Locks API. */
export function webImportLocks(locks: LockManager): MailImportLocks {
  return {
    hold: (importId, work) => locks.request(lockName(importId), () => work()),
    isHeld: (importId) =>
      locks.request(lockName(importId), { ifAvailable: true }, (lock) => Promise.resolve(lock === null)),
  };
}

/** Within one JavaScript realm: for tests and for browsers without Web Locks. */
export class InMemoryImportLocks implements MailImportLocks {
  readonly #held = new Set<string>();

  async hold<T>(importId: string, work: () => Promise<T>): Promise<T> {
    this.#held.add(importId);
    try {
      return await work();
    } finally {
      this.#held.delete(importId);
    }
  }

  isHeld(importId: string): Promise<boolean> {
    return Promise.resolve(this.#held.has(importId));
  }
}

const realmLocks = new InMemoryImportLocks();

/** Web Locks where the realm has them; otherwise one lock table for this realm. */
export function defaultImportLocks(): MailImportLocks {
  const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
  return locks ? webImportLocks(locks) : realmLocks;
}
