/**
 * The bench page: the app's MailImportController over the app's IndexedDB schema, starting the
 * real import worker (workers/mail-import.worker.ts) for the files chosen in its file input.
 */
import { MailImportController } from "../../../src/app/mail-import-controller";
import { openDatabase } from "../../../src/store/database";
import { MailStore } from "../../../src/store/mail-store";
import { RESULT, type MailImportBenchResult } from "./protocol";

const input = document.querySelector<HTMLInputElement>("#files");
input?.addEventListener("change", () => {
  void (async () => {
    const files = [...(input.files ?? [])];
    const db = await openDatabase();
    const controller = new MailImportController({ store: new MailStore(db) });
    await controller.init();
    const started = performance.now();
    const report = await controller.start(files);
    const seconds = (performance.now() - started) / 1000;
    const result: MailImportBenchResult = {
      report,
      seconds,
      storedRecords: await db.count("mail"),
      error: controller.error,
    };
    Reflect.set(window, RESULT, result);
  })();
});
