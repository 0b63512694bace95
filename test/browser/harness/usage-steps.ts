/**
 * The Usage view without a model: usage records written straight into the app's IndexedDB, as
 * `UsageRecorder` stores each model call. The view reads them when it is next opened.
 */
import type { Locator, Page } from "playwright-core";
import type { UsageRecord } from "../../../src/store/usage-record";

export function usageView(page: Page): Locator {
  return page.locator("tabclaw-usage-view");
}

/** One completed model call, as the recorder stores it. */
export function modelCall(
  at: number,
  routine: string,
  promptTokens: number,
  completionTokens: number,
  latencyMs: number,
): UsageRecord {
  return {
    at,
    routine,
    modelId: "fixture",
    promptTokens,
    completionTokens,
    estimated: false,
    latencyMs,
    outcome: "completed",
  };
}

/** Adds `records` to the `usage` store. */
export async function seedUsage(page: Page, records: UsageRecord[]): Promise<void> {
  await page.evaluate(async (values) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open("tabclaw");
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error("could not open tabclaw"));
    });
    const tx = db.transaction("usage", "readwrite");
    for (const value of values) tx.objectStore("usage").add(value);
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error("could not store the usage"));
    });
    db.close();
  }, records);
}
