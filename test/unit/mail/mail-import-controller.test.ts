import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MailImportController, type MailImportWorkerHandle } from "../../../src/app/mail-import-controller";
import { InMemoryImportLocks } from "../../../src/mail/mail-import-locks";
import type { MailImportProgress } from "../../../src/mail/mail-import-progress";
import { runMailImport } from "../../../src/mail/mail-import-run";
import { MailStore } from "../../../src/store/mail-store";
import { FreshDatabase } from "../store/fresh-database";

let database: FreshDatabase;
let store: MailStore;
let locks: InMemoryImportLocks;

beforeEach(async () => {
  database = new FreshDatabase();
  store = new MailStore(await database.open());
  locks = new InMemoryImportLocks();
});

afterEach(async () => {
  await database.dispose();
});

function mbox(count: number): File {
  const messages = Array.from(
    { length: count },
    (_, index) => `From a Mon Jan  1 10:00:00 2024\nFrom: a@example.com\nSubject: Mail ${index}\n\nbody ${index}\n`,
  );
  return new File([messages.join("\n")], "box.mbox");
}

/** The worker's part, run in this realm: the same pipeline the worker runs, on the same store. */
function inProcessWorker(options: { crashAfterBatches?: number } = {}): {
  handle: MailImportWorkerHandle;
  terminated: () => boolean;
} {
  const controllers = new Map<string, AbortController>();
  let terminated = false;
  let crash: (reason: string) => void = () => undefined;
  const crashed = new Promise<string>((resolve) => (crash = resolve));
  let batches = 0;
  const crashingStore = new (class extends MailStore {
    override async addNew(records: Parameters<MailStore["addNew"]>[0], report?: Parameters<MailStore["addNew"]>[1]) {
      batches += 1;
      if (options.crashAfterBatches !== undefined && batches > options.crashAfterBatches) {
        // The worker dies during this write: it never finishes, and the page hears the crash.
        crash("out of memory");
        return new Promise<never>(() => undefined);
      }
      return super.addNew(records, report);
    }
  })(database.db);
  const workerLocks = new InMemoryImportLocks();
  return {
    handle: {
      port: {
        importFiles: async (importId, files, onProgress) => {
          const controller = new AbortController();
          controllers.set(importId, controller);
          return runMailImport({
            importId,
            files,
            store: crashingStore,
            signal: controller.signal,
            onProgress,
            locks: workerLocks,
            batchMessages: 10,
          });
        },
        cancel: (importId) => {
          controllers.get(importId)?.abort();
          return Promise.resolve();
        },
      },
      crashed,
      terminate: () => {
        terminated = true;
      },
    },
    terminated: () => terminated,
  };
}

describe("the mail import controller", () => {
  it("runs an import in its worker, shows progress while it runs, then the report; the worker is ended after", async () => {
    const worker = inProcessWorker();
    const controller = new MailImportController({ store, startWorker: () => worker.handle, locks });
    await controller.init();
    const seen: (MailImportProgress | undefined)[] = [];
    controller.subscribe(() => seen.push(controller.progress));

    const importing = controller.start([mbox(25)]);
    expect(controller.running).toBe(true);
    const report = await importing;

    expect(report).toMatchObject({ status: "done", messages: 25, stored: 25 });
    expect(seen.some((progress) => progress !== undefined && progress.stored === 10)).toBe(true);
    expect(controller.running).toBe(false);
    expect(controller.progress).toBeUndefined();
    expect(controller.latest?.id).toBe(report?.id);
    expect(worker.terminated()).toBe(true);
  });

  it("cancel stops the import; the report says cancelled and the mails stored stay", async () => {
    const worker = inProcessWorker();
    const controller = new MailImportController({ store, startWorker: () => worker.handle, locks });
    await controller.init();
    controller.subscribe(() => {
      if ((controller.progress?.stored ?? 0) >= 20) void controller.cancel();
    });
    const report = await controller.start([mbox(500)]);
    expect(report?.status).toBe("cancelled");
    expect((await store.recent()).length).toBe(report?.stored);
    expect(report?.stored).toBeLessThan(500);
  });

  it("a worker that dies mid-import: its report becomes interrupted and the error says what was kept", async () => {
    const worker = inProcessWorker({ crashAfterBatches: 3 });
    const controller = new MailImportController({ store, startWorker: () => worker.handle, locks });
    await controller.init();
    const report = await controller.start([mbox(100)]);
    expect(report).toMatchObject({ status: "interrupted", stored: 30 });
    expect(controller.error).toBe(
      "The import stopped unexpectedly (out of memory). The 30 new mails stored before are kept; import the same files again to add the rest.",
    );
    expect(worker.terminated()).toBe(true);
    expect(controller.running).toBe(false);
  });

  it("at start, an import a closed tab left running is shown as interrupted", async () => {
    await store.putImport({
      id: "left-running",
      startedAt: 1,
      files: ["a.mbox"],
      bytes: 10,
      messages: 4,
      stored: 4,
      duplicates: 0,
      problems: [],
      status: "running",
    });
    const controller = new MailImportController({ store, startWorker: () => inProcessWorker().handle, locks });
    await controller.init();
    expect(controller.latest).toMatchObject({ id: "left-running", status: "interrupted" });
  });

  it("refuses a second import while one runs, and says why", async () => {
    const worker = inProcessWorker();
    const controller = new MailImportController({ store, startWorker: () => worker.handle, locks });
    await controller.init();
    const first = controller.start([mbox(50)]);
    expect(await controller.start([mbox(1)])).toBeUndefined();
    expect(controller.error).toMatch(/An import is already running/);
    await first;
  });
});
