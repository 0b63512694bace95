/**
 * Routines without a scheduler: jobs, runs and settings are written straight into the app's
 * IndexedDB, as the JobStore and SettingsStore store them, and the page is reloaded to read them.
 */
import type { Locator, Page } from "playwright-core";
import type { JobRecord, JobRunRecord } from "../../../src/store/job-record";
import { waitForAppReady } from "./app-steps";

const HOUR_MS = 3_600_000;

/** A job whose slots are far from now, so no scheduler runs it during a test. */
export function seededJob(id: string, title: string, now = Date.now()): JobRecord {
  return {
    id,
    routine: id,
    title,
    schedule: { kind: "daily", time: "04:17" },
    enabled: true,
    timeZone: "UTC",
    timeoutMs: 60_000,
    createdAt: now - 48 * HOUR_MS,
    since: now,
    lastRunAt: now - 2 * HOUR_MS,
    lastOutcome: "ran",
  };
}

export function seededRun(fields: Partial<JobRunRecord> & Pick<JobRunRecord, "id" | "jobId">): JobRunRecord {
  const startedAt = fields.startedAt ?? Date.now() - 2 * HOUR_MS;
  return {
    routine: fields.jobId,
    trigger: "schedule",
    missedSlots: 0,
    startedAt,
    finishedAt: startedAt + 30_000,
    outcome: "ran",
    tokens: 0,
    itemsFound: 0,
    ...fields,
  };
}

/** Stores jobs, runs and settings as the app would, then reloads so the app reads them. */
export async function seedRoutines(
  page: Page,
  seed: { jobs?: JobRecord[]; runs?: JobRunRecord[]; settings?: Record<string, unknown> },
): Promise<void> {
  await page.evaluate(async ({ jobs, runs, settings }) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open("tabclaw");
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error("could not open tabclaw"));
    });
    const tx = db.transaction(["jobs", "jobRuns", "settings"], "readwrite");
    for (const job of jobs ?? []) tx.objectStore("jobs").put(job);
    for (const run of runs ?? []) tx.objectStore("jobRuns").put(run);
    for (const [key, value] of Object.entries(settings ?? {})) tx.objectStore("settings").put(value, key);
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error("could not store the routines"));
    });
    db.close();
  }, seed);
  await page.reload();
  await waitForAppReady(page);
}

/** One stored job as the app holds it now. */
export function storedJob(page: Page, id: string): Promise<JobRecord | undefined> {
  return page.evaluate(async (key) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open("tabclaw");
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error("could not open tabclaw"));
    });
    const job = await new Promise<JobRecord | undefined>((resolve, reject) => {
      const request = db.transaction("jobs").objectStore("jobs").get(key);
      request.onsuccess = () => resolve(request.result as JobRecord | undefined);
      request.onerror = () => reject(request.error ?? new Error("could not read the job"));
    });
    db.close();
    return job;
  }, id);
}

/** One stored setting, as the SettingsStore wrote it. */
export function storedSetting(page: Page, key: string): Promise<unknown> {
  return page.evaluate(async (name) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open("tabclaw");
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error("could not open tabclaw"));
    });
    const value = await new Promise<unknown>((resolve, reject) => {
      const request = db.transaction("settings").objectStore("settings").get(name);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error("could not read the setting"));
    });
    db.close();
    return value;
  }, key);
}

/** Every run of a job, read from the app's IndexedDB. */
export function storedJobRuns(page: Page, jobId: string): Promise<JobRunRecord[]> {
  return page.evaluate(async (id) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open("tabclaw");
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error("could not open tabclaw"));
    });
    const runs = await new Promise<JobRunRecord[]>((resolve, reject) => {
      const request = db.transaction("jobRuns").objectStore("jobRuns").getAll();
      request.onsuccess = () => resolve((request.result as JobRunRecord[]).filter((run) => run.jobId === id));
      request.onerror = () => reject(request.error ?? new Error("could not read jobRuns"));
    });
    db.close();
    return runs;
  }, jobId);
}

/** A job's card in the Routines view. */
export function routineCard(page: Page, id: string): Locator {
  return page.locator(`tabclaw-routines-view article[data-job="${id}"]`);
}

export function briefingPanel(page: Page): Locator {
  return page.locator("tabclaw-briefing-panel").getByTestId("briefing");
}
