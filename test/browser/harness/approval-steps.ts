/**
 * Approvals without a model: a record is written straight into the app's IndexedDB, as the Gate
 * stores a pending action, and the page is reloaded so the Gate and the Approvals view read it.
 * For the cards' own tests; the agent proposing real actions is tested through the chat.
 */
import type { Locator, Page } from "playwright-core";
import type { ApprovalRecord } from "../../../src/store/approval-record";
import { waitForAppReady } from "./app-steps";

const FILE_BODY = "Meeting notes\n\n- ship on Friday\n- <b>not bold</b>";

/** A pending save_file whose file name was copied from a mail: tainted, with per-argument origins. */
export function taintedSaveFile(id = "seeded-save-file"): ApprovalRecord {
  const proposedAt = Date.now();
  return {
    id,
    status: "pending",
    proposedAt,
    why: "Every change waits for your approval.",
    action: {
      id,
      tool: "save_file",
      effect: "write",
      connector: "files",
      arguments: { filename: "invoice-urgent.txt", content: FILE_BODY },
      reason: "The mail asks for the notes to be saved.",
      preview: {
        title: "Save a file to your Downloads",
        destination: "invoice-urgent.txt",
        fields: [{ label: "Size", value: "55 B" }],
        body: FILE_BODY,
      },
      taint: {
        tainted: true,
        sources: ["gmail:18f0c"],
        reasons: [
          { kind: "context", sources: ["gmail:18f0c"] },
          { kind: "argument", path: "filename", sources: ["gmail:18f0c"] },
        ],
        argumentSources: [
          { path: "filename", origin: "untrusted", untrustedSources: ["gmail:18f0c"], inUserMessages: false },
          { path: "content", origin: "model", untrustedSources: [], inUserMessages: false },
        ],
      },
      proposedAt,
    },
  };
}

/** Stores `records` as the Gate would, then reloads so the app reads them. */
export async function seedApprovals(page: Page, records: ApprovalRecord[]): Promise<void> {
  await page.evaluate(async (values) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open("tabclaw");
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error("could not open tabclaw"));
    });
    const tx = db.transaction("approvals", "readwrite");
    for (const value of values) tx.objectStore("approvals").put(value);
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error("could not store the approvals"));
    });
    db.close();
  }, records);
  await page.reload();
  await waitForAppReady(page);
}

/** The card of one action, wherever it is listed. */
export function approvalCard(page: Page, id: string): Locator {
  return page.locator(`tabclaw-approval-card[data-id="${id}"]`);
}
