import type { JobRecord } from "../store/job-record";
import type { DreamingSettings } from "../store/setting-guards";
import { deployWatchJob } from "./deploy-watch-routine";
import { DREAMING_JOB_ID } from "./dreaming-routine";
import { MAIL_TRIAGE_EVERY_MINUTES, MAIL_TRIAGE_JOB_ID, MAIL_TRIAGE_TIMEOUT_MS } from "./mail-triage-routine";
import { MORNING_BRIEFING_JOB_ID, MORNING_BRIEFING_TIME } from "./morning-briefing-routine";
import { slackDigestJob } from "./slack-digest-routine";

/** Dreaming may take a long model call; anything longer is stuck. */
export const DREAMING_TIMEOUT_MS = 15 * 60_000;
export const BRIEFING_TIMEOUT_MS = 60_000;

/** The dreaming job as the Dreaming setting describes it (daily at its time, on or off). */
export function dreamingJob(settings: DreamingSettings, timeZone: string, now: number): JobRecord {
  return {
    id: DREAMING_JOB_ID,
    routine: DREAMING_JOB_ID,
    title: "Dreaming",
    schedule: { kind: "daily", time: settings.time },
    enabled: settings.enabled,
    timeZone,
    timeoutMs: DREAMING_TIMEOUT_MS,
    createdAt: now,
    since: now,
  };
}

/** Mail triage: every 15 minutes, on by default; with no mail waiting a run costs no model call and 0 tokens. */
export function mailTriageJob(timeZone: string, now: number): JobRecord {
  return {
    id: MAIL_TRIAGE_JOB_ID,
    routine: MAIL_TRIAGE_JOB_ID,
    title: "Mail triage",
    schedule: { kind: "every", minutes: MAIL_TRIAGE_EVERY_MINUTES },
    enabled: true,
    timeZone,
    timeoutMs: MAIL_TRIAGE_TIMEOUT_MS,
    createdAt: now,
    since: now,
  };
}

/** The jobs a first start adds (the scheduler adds only those missing). */
export function defaultJobs(dreaming: DreamingSettings, timeZone: string, now: number): JobRecord[] {
  return [
    dreamingJob(dreaming, timeZone, now),
    {
      id: MORNING_BRIEFING_JOB_ID,
      routine: MORNING_BRIEFING_JOB_ID,
      title: "Morning briefing",
      schedule: { kind: "daily", time: MORNING_BRIEFING_TIME },
      enabled: true,
      timeZone,
      timeoutMs: BRIEFING_TIMEOUT_MS,
      createdAt: now,
      since: now,
    },
    mailTriageJob(timeZone, now),
    // Both cost nothing while their service is not set up: the check asks the Gate, which refuses.
    deployWatchJob(timeZone, now),
    slackDigestJob(timeZone, now),
  ];
}
