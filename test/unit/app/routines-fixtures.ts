import type { NotificationPort } from "../../../src/app/notifier";
import type { JobRecord, JobRunRecord } from "../../../src/store/job-record";

export const at = (iso: string): number => Date.parse(iso);

export function job(fields: Partial<JobRecord> = {}): JobRecord {
  return {
    id: "morning-briefing",
    routine: "morning-briefing",
    title: "Morning briefing",
    schedule: { kind: "daily", time: "07:00" },
    enabled: true,
    timeZone: "Europe/Berlin",
    timeoutMs: 300_000,
    createdAt: at("2026-11-20T00:00:00Z"),
    since: at("2026-11-20T00:00:00Z"),
    ...fields,
  };
}

export function run(fields: Partial<JobRunRecord> = {}): JobRunRecord {
  return {
    id: "r1",
    jobId: "morning-briefing",
    routine: "morning-briefing",
    trigger: "schedule",
    missedSlots: 0,
    startedAt: at("2026-11-24T06:00:00Z"),
    finishedAt: at("2026-11-24T06:01:00Z"),
    outcome: "nothing-new",
    tokens: 0,
    itemsFound: 0,
    ...fields,
  };
}

/** The Notification API as a user would answer it: `answer` is what the permission prompt returns. */
export class FakeNotifications implements NotificationPort {
  state: NotificationPermission | "unsupported" = "default";
  answer: NotificationPermission = "granted";
  requests = 0;
  shown: { title: string; body: string; tag: string }[] = [];

  permission() {
    return this.state;
  }
  requestPermission() {
    this.requests += 1;
    this.state = this.answer;
    return Promise.resolve(this.answer);
  }
  show(title: string, options: { body: string; tag: string }) {
    this.shown.push({ title, ...options });
    return Promise.resolve();
  }
}
