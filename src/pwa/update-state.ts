import { Observable } from "../app/observable";

/** The parts of a waiting service worker the update flow watches (a `ServiceWorker` in the browser). */
export interface WaitingWorker {
  readonly state: string;
  addEventListener(type: "statechange", listener: () => void): void;
}

/** The parts of workbox-window's `Workbox` the update flow uses; tests pass a fake. */
export interface UpdateSource {
  addEventListener(type: "waiting", listener: (event: { sw?: WaitingWorker }) => void): void;
  addEventListener(type: "controlling", listener: () => void): void;
  messageSkipWaiting(): void;
  update(): Promise<void>;
}

export interface UpdateStateOptions {
  /** Reloads the page; called at most once, and only after the user accepted the update. */
  reload: () => void;
  /** Clock for throttling update checks. */
  now?: () => number;
}

/** Checks closer together than this are skipped: tab switches would otherwise each fetch sw.js. */
export const MIN_CHECK_INTERVAL_MS = 60_000;

/**
 * Whether a new version of the app waits to be loaded. A new version is only offered: it activates when the user
 * accepts it, and the page reloads once it controls the page, so nothing is lost in the middle of work.
 */
export class UpdateState extends Observable {
  /** A new version is ready and the user has not put it off. */
  updateAvailable = false;
  /** The user accepted the update; the page reloads as soon as the new version takes over. */
  applying = false;

  readonly #reload: () => void;
  readonly #now: () => number;
  #source: UpdateSource | undefined;
  /** The newest waiting version seen, so the same one is not offered again after "Later". */
  #latest: object | undefined;
  /** The new version already controls this page (another tab accepted it): only a reload is left to do. */
  #takenOver = false;
  #reloaded = false;
  #checking = false;
  #lastCheck = Number.NEGATIVE_INFINITY;

  constructor({ reload, now = Date.now }: UpdateStateOptions) {
    super();
    this.#reload = reload;
    this.#now = now;
  }

  /** Follows a registered `Workbox` (or a fake with the same events). */
  connect(source: UpdateSource): void {
    this.#source = source;
    source.addEventListener("waiting", (event) => this.offer(event.sw));
    source.addEventListener("controlling", () => this.#onControlling());
  }

  /** A new version finished installing and waits; called for workbox-window's `waiting` and by the watcher. */
  offer(worker: WaitingWorker | undefined): void {
    // Without a worker to compare, treat it as new rather than risk hiding a real update.
    const version = worker ?? {};
    if (version === this.#latest) return;
    this.#latest = version;
    if (this.applying) return;
    this.updateAvailable = true;
    this.changed();
  }

  /** Loads the new version: activates the waiting worker, then reloads once it controls the page. */
  applyUpdate(): void {
    if (!this.updateAvailable || this.applying) return;
    this.applying = true;
    this.changed();
    if (this.#takenOver) {
      this.#reloadOnce();
      return;
    }
    // A page opened with a hard reload is not controlled, so "controlling" never comes: watch activation too.
    const worker = this.#latest;
    if (isWaitingWorker(worker)) {
      worker.addEventListener("statechange", () => {
        if (worker.state === "activated") this.#reloadOnce();
      });
    }
    this.#source?.messageSkipWaiting();
  }

  /** "Later": hides the offer until a newer version arrives. Never reloads. */
  dismiss(): void {
    if (!this.updateAvailable || this.applying) return;
    this.updateAvailable = false;
    this.changed();
  }

  /** Asks the server for a newer service worker, so a tab left open for days still learns of new versions. */
  async checkForUpdate(): Promise<void> {
    const source = this.#source;
    if (!source || this.#checking || this.#now() - this.#lastCheck < MIN_CHECK_INTERVAL_MS) return;
    this.#checking = true;
    this.#lastCheck = this.#now();
    try {
      await source.update();
    } catch {
      // Offline or the server is unreachable: the next check tries again.
    } finally {
      this.#checking = false;
    }
  }

  #onControlling(): void {
    if (this.applying) {
      this.#reloadOnce();
      return;
    }
    // Another tab accepted the update. This page keeps running the old code until the user chooses to reload.
    this.#takenOver = true;
    this.updateAvailable = true;
    this.changed();
  }

  #reloadOnce(): void {
    if (this.#reloaded) return;
    this.#reloaded = true;
    this.#reload();
  }
}

function isWaitingWorker(value: object | undefined): value is WaitingWorker {
  return value !== undefined && "addEventListener" in value && "state" in value;
}

/** The page's update state, read by the update banner and fed by the service worker registration. */
export const updateState = new UpdateState({ reload: () => location.reload() });
