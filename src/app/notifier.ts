import type { JobRecord, JobRunRecord } from "../store/job-record";
import type { SettingsStore } from "../store/settings-store";

/** The Notification API as the notifier needs it: the real one in the app, a fake in tests. */
export interface NotificationPort {
  /** `unsupported` when the browser has no Notification API. */
  permission(): NotificationPermission | "unsupported";
  requestPermission(): Promise<NotificationPermission>;
  show(title: string, options: { body: string; tag: string }): Promise<void>;
}

/** The browser's notifications: through the service worker when one controls the page (installed app), else `new Notification`. */
export function browserNotifications(): NotificationPort {
  return {
    permission: () => (typeof Notification === "undefined" ? "unsupported" : Notification.permission),
    requestPermission: () => Notification.requestPermission(),
    async show(title, options) {
      const registration = await navigator.serviceWorker?.getRegistration().catch(() => undefined);
      if (registration) await registration.showNotification(title, options);
      else new Notification(title, options);
    },
  };
}

/** What turning "Notify me" on came to. */
export type NotifyAnswer = { ok: true } | { ok: false; message: string };

/** Runs remembered as notified: enough for every job's recent runs, small enough for one setting. */
export const NOTIFIED_MEMORY = 200;

const DENIED =
  "Notifications are blocked for Tabclaw in this browser. To hear about your routines, allow notifications in the site settings (the icon left of the address bar), then turn this on again.";
const UNSUPPORTED = "This browser cannot show notifications.";

/**
 * "Notify me" per job. Permission is asked only when the user turns one on, never at load. A
 * finished run of a notifying job raises one notification when it found something (`ran` with
 * items) or failed; each run id is remembered in settings, so a reload or a second tab does not
 * announce it again. Runs that ended before this page started watching are the briefing's news.
 */
export class Notifier {
  readonly #settings: SettingsStore;
  readonly #port: NotificationPort;
  readonly #watchingSince: number;

  constructor(options: { settings: SettingsStore; port: NotificationPort; now: number }) {
    this.#settings = options.settings;
    this.#port = options.port;
    this.#watchingSince = options.now;
  }

  jobs(): Promise<string[]> {
    return this.#settings.get("notifyJobs");
  }

  /** Turns notifications for one job on (asking for permission if needed) or off. */
  async setEnabled(jobId: string, on: boolean): Promise<NotifyAnswer> {
    const current = await this.jobs();
    if (!on) {
      await this.#settings.set(
        "notifyJobs",
        current.filter((id) => id !== jobId),
      );
      return { ok: true };
    }
    let permission = this.#port.permission();
    if (permission === "unsupported") return { ok: false, message: UNSUPPORTED };
    if (permission === "default") permission = await this.#port.requestPermission();
    if (permission !== "granted") return { ok: false, message: DENIED };
    if (!current.includes(jobId)) await this.#settings.set("notifyJobs", [...current, jobId]);
    return { ok: true };
  }

  /** Why notifications cannot be shown now, for a job that has them on; undefined when they can. */
  blockedReason(): string | undefined {
    const permission = this.#port.permission();
    if (permission === "unsupported") return UNSUPPORTED;
    return permission === "granted" ? undefined : DENIED;
  }

  /** Shows a notification for each newly finished run worth one; returns the runs announced. */
  async check(jobs: readonly JobRecord[], runs: readonly JobRunRecord[]): Promise<JobRunRecord[]> {
    const notifying = new Set(await this.jobs());
    if (notifying.size === 0 || this.#port.permission() !== "granted") return [];
    const notified = await this.#settings.get("notifiedRuns");
    const seen = new Set(notified);
    const fresh = runs.filter(
      (run) =>
        notifying.has(run.jobId) &&
        !seen.has(run.id) &&
        (run.finishedAt ?? run.startedAt) >= this.#watchingSince &&
        ((run.outcome === "ran" && run.itemsFound > 0) || run.outcome === "failed" || run.outcome === "timed-out"),
    );
    if (fresh.length === 0) return [];
    // Remembered before showing: a second tab reading at the same moment is the only double left.
    await this.#settings.set("notifiedRuns", [...notified, ...fresh.map((run) => run.id)].slice(-NOTIFIED_MEMORY));
    const titles = new Map(jobs.map((job) => [job.id, job.title]));
    for (const run of fresh) {
      const title = titles.get(run.jobId) ?? run.jobId;
      await this.#port
        .show(run.outcome === "ran" ? `${title}: ${itemsText(run.itemsFound)}` : `${title} failed`, {
          body: run.error?.message ?? run.message ?? "",
          tag: `tabclaw-run-${run.id}`,
        })
        .catch(() => undefined);
    }
    return fresh;
  }
}

export function itemsText(count: number): string {
  return count === 1 ? "1 new item" : `${count} new items`;
}
