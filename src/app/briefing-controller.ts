import type { JobStore } from "../store/job-store";
import type { SettingsStore } from "../store/settings-store";
import { buildBriefing, type Briefing } from "./briefing";
import { Observable } from "./observable";

/**
 * "While you were away", loaded once when the app opens: runs since the user last dismissed it.
 * The first visit only records the moment (nothing happened before it). Dismissing moves
 * `lastSeenAt` to now.
 */
export class BriefingController extends Observable {
  #briefing: Briefing | undefined;

  constructor(
    private readonly options: {
      jobs: Pick<JobStore, "list" | "runsBetween">;
      settings: SettingsStore;
      pendingApprovals: () => number;
      now?: () => number;
    },
  ) {
    super();
  }

  get briefing(): Briefing | undefined {
    return this.#briefing;
  }

  #now(): number {
    return (this.options.now ?? Date.now)();
  }

  async load(): Promise<void> {
    const { settings, jobs } = this.options;
    const since = await settings.get("lastSeenAt");
    if (since === undefined) {
      await settings.set("lastSeenAt", this.#now());
      return;
    }
    const [records, runs] = await Promise.all([jobs.list(), jobs.runsBetween({ from: since })]);
    this.#briefing = buildBriefing({ since, jobs: records, runs, pendingApprovals: this.options.pendingApprovals() });
    this.changed();
  }

  /** The pending count changes while the briefing shows (the user approves something). */
  updatePending(): void {
    if (!this.#briefing) return;
    const pendingApprovals = this.options.pendingApprovals();
    if (pendingApprovals === this.#briefing.pendingApprovals) return;
    this.#briefing = { ...this.#briefing, pendingApprovals };
    this.changed();
  }

  async dismiss(): Promise<void> {
    this.#briefing = undefined;
    this.changed();
    await this.options.settings.set("lastSeenAt", this.#now());
  }
}
