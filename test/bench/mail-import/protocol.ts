import type { MailImportRecord } from "../../../src/store/mail-record";

/** Where the page leaves its result once the import it started from the file input has ended. */
export const RESULT = "__mailImportBenchResult";

export interface MailImportBenchResult {
  report: MailImportRecord | undefined;
  /** From the page's `start(files)` call to its report, as the user waits for it. */
  seconds: number;
  /** Mail records in IndexedDB afterwards, counted by the page. */
  storedRecords: number;
  error: string | undefined;
}
