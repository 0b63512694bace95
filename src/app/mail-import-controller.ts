import { proxy, wrap } from "comlink";
import type { MailImportApi } from "../../workers/mail-import-api";
import { defaultImportLocks, type MailImportLocks } from "../mail/mail-import-locks";
import type { MailImportProgress } from "../mail/mail-import-progress";
import { markInterruptedImports } from "../mail/mail-import-recovery";
import type { MailImportRecord } from "../store/mail-record";
import type { MailStore } from "../store/mail-store";
import { Observable } from "./observable";
import { ProvidedOnce } from "./provided-once";

/** What the import worker offers the page. */
export interface MailImportPort {
  importFiles(
    importId: string,
    files: readonly File[],
    onProgress: (progress: MailImportProgress) => void,
  ): Promise<MailImportRecord>;
  cancel(importId: string): Promise<void>;
}

/** One import worker: its port, a promise that settles with the reason if it dies, and a way to end it. */
export interface MailImportWorkerHandle {
  port: MailImportPort;
  crashed: Promise<string>;
  terminate(): void;
}

export type MailImportStore = Pick<MailStore, "imports" | "getImport" | "putImport">;

export interface MailImportControllerOptions {
  store: MailImportStore;
  /** Starts an import worker (one per import, ended after it, so its memory goes with it). */
  startWorker?: () => MailImportWorkerHandle;
  locks?: MailImportLocks;
  newId?: () => string;
  /** How many recent reports to keep for the panel. */
  reportLimit?: number;
}

/**
 * The page's side of mailbox import: starts an import in its own worker (parsing, hashing and
 * writing happen there, the page only shows progress), cancels it, and keeps the latest reports
 * with their problems. At start it marks imports a closed tab left running as interrupted.
 */
export class MailImportController extends Observable {
  readonly #options: MailImportControllerOptions;
  #reports: MailImportRecord[] = [];
  #progress: MailImportProgress | undefined;
  #current: { importId: string; handle: MailImportWorkerHandle } | undefined;
  #cancelling = false;
  #error: string | undefined;
  #loaded = false;

  constructor(options: MailImportControllerOptions) {
    super();
    this.#options = options;
  }

  /** Recent imports, newest first. */
  get reports(): readonly MailImportRecord[] {
    return this.#reports;
  }

  /** The latest import that ended (or the one running, once it has a report). */
  get latest(): MailImportRecord | undefined {
    return this.#reports.find((report) => report.id !== this.#current?.importId);
  }

  get running(): boolean {
    return this.#current !== undefined;
  }

  get progress(): MailImportProgress | undefined {
    return this.#progress;
  }

  get cancelling(): boolean {
    return this.#cancelling;
  }

  /** Why the last import could not run or ended abnormally, beyond what its report says. */
  get error(): string | undefined {
    return this.#error;
  }

  get loaded(): boolean {
    return this.#loaded;
  }

  async init(): Promise<void> {
    try {
      await markInterruptedImports(this.#options.store, this.#locks());
      await this.#loadReports();
    } catch (error) {
      this.#error = `The import reports could not be read: ${messageOf(error)}`;
    }
    this.#loaded = true;
    this.changed();
  }

  /** Imports the files; resolves with the report (undefined when nothing was started). */
  async start(files: readonly File[]): Promise<MailImportRecord | undefined> {
    if (this.#current) {
      this.#error = "An import is already running: wait for it to finish or cancel it first.";
      this.changed();
      return undefined;
    }
    if (files.length === 0) return undefined;
    const importId = (this.#options.newId ?? (() => crypto.randomUUID()))();
    const handle = (this.#options.startWorker ?? startMailImportWorker)();
    this.#current = { importId, handle };
    this.#cancelling = false;
    this.#error = undefined;
    this.#progress = {
      importId,
      file: files[0]?.name ?? "",
      fileIndex: 0,
      fileCount: files.length,
      bytesRead: 0,
      bytesTotal: files.reduce((sum, file) => sum + file.size, 0),
      messages: 0,
      stored: 0,
      duplicates: 0,
      problems: 0,
    };
    this.changed();

    let record: MailImportRecord | undefined;
    try {
      const outcome = await Promise.race([
        handle.port
          .importFiles(importId, files, (progress) => {
            if (this.#current?.importId !== progress.importId) return;
            this.#progress = progress;
            this.changed();
          })
          .then((report) => ({ report })),
        handle.crashed.then((reason) => ({ crashed: reason })),
      ]);
      if ("report" in outcome) {
        record = outcome.report;
      } else {
        record = await this.#afterCrash(importId, outcome.crashed);
      }
    } catch (error) {
      record = await this.#afterCrash(importId, messageOf(error));
    } finally {
      handle.terminate();
      this.#current = undefined;
      this.#progress = undefined;
      this.#cancelling = false;
    }
    await this.#loadReports().catch(() => undefined);
    if (record && !this.#reports.some((report) => report.id === record.id)) this.#reports.unshift(record);
    this.changed();
    return record;
  }

  /** Stops the running import after the message it is reading; what was read is saved first. */
  async cancel(): Promise<void> {
    const current = this.#current;
    if (!current || this.#cancelling) return;
    this.#cancelling = true;
    this.changed();
    await current.handle.port.cancel(current.importId).catch(() => undefined);
  }

  /** Reads the reports again (another tab imported). */
  async refresh(): Promise<void> {
    await this.#loadReports();
    this.changed();
  }

  async #afterCrash(importId: string, reason: string): Promise<MailImportRecord | undefined> {
    // The worker is gone, and its lock with it: its report becomes `interrupted`, keeping its counts.
    this.#current?.handle.terminate();
    await markInterruptedImports(this.#options.store, this.#locks()).catch(() => undefined);
    const record = await this.#options.store.getImport(importId).catch(() => undefined);
    this.#error =
      `The import stopped unexpectedly (${reason}). ` +
      (record
        ? `The ${record.stored} new mails stored before are kept; import the same files again to add the rest.`
        : "Nothing was stored; try again.");
    return record;
  }

  async #loadReports(): Promise<void> {
    this.#reports = await this.#options.store.imports(this.#options.reportLimit ?? 5);
  }

  #locks(): MailImportLocks {
    return this.#options.locks ?? defaultImportLocks();
  }
}

/** Starts the real import worker (Vite builds it as its own chunk, precached for offline use). */
export function startMailImportWorker(): MailImportWorkerHandle {
  const worker = new Worker(new URL("../../workers/mail-import.worker.ts", import.meta.url), {
    type: "module",
    name: "tabclaw-mail-import",
  });
  const crashed = new Promise<string>((resolve) => {
    worker.addEventListener("error", (event) => resolve(event.message || "the import worker stopped"));
    worker.addEventListener("messageerror", () => resolve("the import worker could not read a message"));
  });
  const remote = wrap<MailImportApi>(worker);
  return {
    port: {
      importFiles: (importId, files, onProgress) => remote.importFiles(importId, [...files], proxy(onProgress)),
      cancel: (importId) => remote.cancel(importId),
    },
    crashed,
    terminate: () => worker.terminate(),
  };
}

const provided = new ProvidedOnce<MailImportController>();

/** Services hands the page's one controller here, for panels placed without one. */
export function provideMailImportController(controller: MailImportController): void {
  provided.provide(controller);
}

/** The page's controller, once Services has made it. */
export function mailImportController(): Promise<MailImportController> {
  return provided.get();
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
