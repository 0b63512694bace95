import type { MailImportRecord } from "../store/mail-record";
import type { MailStore } from "../store/mail-store";
import { defaultImportLocks, type MailImportLocks } from "./mail-import-locks";

/**
 * Marks imports that a closed tab left `running` as `interrupted`, keeping their counts (the mails
 * they stored stay). An import whose lock is held is still running in another tab and is left alone.
 * Returns the reports it changed.
 */
export async function markInterruptedImports(
  store: Pick<MailStore, "imports" | "putImport">,
  locks: MailImportLocks = defaultImportLocks(),
): Promise<MailImportRecord[]> {
  const changed: MailImportRecord[] = [];
  for (const record of await store.imports(100)) {
    if (record.status !== "running" || (await locks.isHeld(record.id))) continue;
    const interrupted: MailImportRecord = {
      ...record,
      status: "interrupted",
      error: {
        name: "InterruptedImportError",
        message:
          `The tab closed before this import finished. The ${record.stored} new mails it stored are kept; ` +
          "import the same files again to add the rest (mails already stored are skipped).",
      },
    };
    await store.putImport(interrupted);
    changed.push(interrupted);
  }
  return changed;
}
