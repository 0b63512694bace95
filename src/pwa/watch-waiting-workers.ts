/** How long workbox-window waits before calling an installed worker "waiting": a first install activates at once. */
const WAITING_GRACE_MS = 200;

/** The parts of a `ServiceWorker` the watcher reads. */
export interface InstallingWorker {
  readonly state: string;
  addEventListener(type: "statechange", listener: () => void): void;
}

/** The parts of a `ServiceWorkerRegistration` the watcher reads; tests pass a fake. */
export interface WatchedRegistration<W extends InstallingWorker> {
  readonly installing: W | null;
  readonly waiting: W | null;
  addEventListener(type: "updatefound", listener: () => void): void;
}

/**
 * Reports every new service worker that installs and then waits. workbox-window stops listening for updates
 * after the first one it sees (GoogleChrome/workbox#3285), so a tab open across several releases would miss the
 * later ones; this watches the registration directly. Duplicates of workbox-window's own `waiting` are fine:
 * the update state ignores a worker it has already offered.
 */
export function watchWaitingWorkers<W extends InstallingWorker>(
  registration: WatchedRegistration<W>,
  onWaiting: (worker: W) => void,
): void {
  registration.addEventListener("updatefound", () => {
    const worker = registration.installing;
    if (!worker) return;
    worker.addEventListener("statechange", () => {
      if (worker.state !== "installed") return;
      setTimeout(() => {
        if (registration.waiting === worker) onWaiting(worker);
      }, WAITING_GRACE_MS);
    });
  });
}
