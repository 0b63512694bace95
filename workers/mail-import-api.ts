import { announceMailChanged } from "../src/mail/mail-channel";
import type { MailImportProgress } from "../src/mail/mail-import-progress";
import { runMailImport } from "../src/mail/mail-import-run";
import { openDatabase } from "../src/store/database";
import type { MailImportRecord } from "../src/store/mail-record";
import { MailStore } from "../src/store/mail-store";

let store: Promise<MailStore> | undefined;
const running = new Map<string, AbortController>();

/**
 * The import worker's API (comlink). Reading, parsing, hashing and writing to IndexedDB all
 * happen here, off the page's thread; the page gets progress and the final report.
 */
export const mailImportApi = {
  async importFiles(
    importId: string,
    files: File[],
    onProgress: (progress: MailImportProgress) => void,
  ): Promise<MailImportRecord> {
    store ??= openDatabase().then((db) => new MailStore(db));
    const controller = new AbortController();
    running.set(importId, controller);
    try {
      return await runMailImport({
        importId,
        files,
        store: await store,
        signal: controller.signal,
        onProgress,
        announce: announceMailChanged,
      });
    } finally {
      running.delete(importId);
    }
  },

  cancel(importId: string): void {
    running.get(importId)?.abort();
  },
};

export type MailImportApi = typeof mailImportApi;
