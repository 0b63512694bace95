import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type { CDPSession } from "playwright-core";
import { collectErrors, launchPersistentChromium } from "../browser/harness/browser";
import { PROJECT_ROOT } from "../fakes/paths";
import { buildBenchPage, serveBenchPage } from "./bench-page";
import { RESULT, type MailImportBenchResult } from "./mail-import/protocol";
import { writeGeneratedMbox, writeLargeMessagesMbox, type MboxStats } from "./mbox-generator";
import { MAIL_IMPORT_MESSAGE_LIMIT } from "../../src/mail/mail-import-progress";
import type { BenchTarget, Figure } from "./report";

const ROOT = join(PROJECT_ROOT, "test", "bench", "mail-import");
const MAILBOX_BYTES = 200_000_000;
const SAMPLE_EVERY_MS = 50;
const MIB = 1_048_576;

/** No target was given for these; the proposal: streaming keeps memory bounded (≤ 256 MB) whatever the file's size. */
export const MBOX_IMPORT_TARGETS: BenchTarget[] = [
  { key: "mbox_import_peak_mb", target: "≤ 256 (proposed)", met: (value) => Number(value) <= 256 },
  { key: "mbox_import_peak_mb_large_messages", target: "≤ 256 (proposed)", met: (value) => Number(value) <= 256 },
];

interface HeapUsage {
  usedSize: number;
  /** Blink's heap (DOM, streams) and ArrayBuffer backing stores, where Chromium reports them. */
  embedderHeapUsedSize?: number;
  backingStorageSize?: number;
}

const heapBytes = (usage: HeapUsage): number =>
  usage.usedSize + (usage.embedderHeapUsedSize ?? 0) + (usage.backingStorageSize ?? 0);

/**
 * Samples the JavaScript memory of the page and of every dedicated worker it starts, through CDP:
 * `Runtime.getHeapUsage` on the page's session, and on each worker through the target domain's
 * message relay (auto-attached, so the import worker is seen from its first instruction).
 */
class HeapSampler {
  readonly #session: CDPSession;
  readonly #workers = new Set<string>();
  readonly #pending = new Map<number, (usage: HeapUsage) => void>();
  #nextId = 1;
  #timer: NodeJS.Timeout | undefined;
  #busy = false;
  peakBytes = 0;
  peakWorkerBytes = 0;
  samples = 0;
  workersSeen = 0;

  private constructor(session: CDPSession) {
    this.#session = session;
  }

  static async start(session: CDPSession): Promise<HeapSampler> {
    const sampler = new HeapSampler(session);
    session.on("Target.attachedToTarget", (event) => {
      if (event.targetInfo.type !== "worker") return;
      sampler.#workers.add(event.sessionId);
      sampler.workersSeen += 1;
    });
    session.on("Target.detachedFromTarget", (event) => sampler.#workers.delete(event.sessionId));
    session.on("Target.receivedMessageFromTarget", (event) => {
      const message = JSON.parse(event.message) as { id?: number; result?: HeapUsage };
      if (message.id === undefined) return;
      const resolve = sampler.#pending.get(message.id);
      sampler.#pending.delete(message.id);
      resolve?.(message.result ?? { usedSize: 0 });
    });
    await session.send("Target.setAutoAttach", { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
    sampler.#timer = setInterval(() => void sampler.#sample(), SAMPLE_EVERY_MS);
    return sampler;
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async #sample(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const page = heapBytes(await this.#session.send("Runtime.getHeapUsage"));
      const workers = await Promise.all([...this.#workers].map((sessionId) => this.#workerHeap(sessionId)));
      const workerBytes = workers.reduce((sum, bytes) => sum + bytes, 0);
      this.peakBytes = Math.max(this.peakBytes, page + workerBytes);
      this.peakWorkerBytes = Math.max(this.peakWorkerBytes, workerBytes);
      this.samples += 1;
    } catch {
      // A worker that ends between listing and asking is simply not sampled this time.
    } finally {
      this.#busy = false;
    }
  }

  async #workerHeap(sessionId: string): Promise<number> {
    const id = this.#nextId++;
    const answer = new Promise<HeapUsage>((resolve) => {
      this.#pending.set(id, resolve);
      setTimeout(() => resolve({ usedSize: 0 }), 2_000);
    });
    await this.#session.send("Target.sendMessageToTarget", {
      sessionId,
      message: JSON.stringify({ id, method: "Runtime.getHeapUsage" }),
    });
    return heapBytes(await answer);
  }
}

/**
 * The peak resident memory (VmHWM) of the renderer processes of the Chromium whose profile is
 * `profile`, from /proc (Linux only; other browsers on the machine are left out).
 */
function rendererPeakRssBytes(profile: string): number | undefined {
  if (!existsSync("/proc/self/status")) return undefined;
  const parents = new Map<number, number>();
  const commands = new Map<number, string>();
  for (const name of readdirSync("/proc").filter((entry) => /^\d+$/.test(entry))) {
    try {
      // The parent pid is the fourth field, after the parenthesised command name.
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
      commands.set(Number(name), readFileSync(`/proc/${name}/cmdline`, "utf8"));
    } catch {
      // The process ended while being read.
    }
  }
  const ours = (pid: number): boolean => {
    for (let current: number | undefined = pid; current !== undefined && current > 1; current = parents.get(current)) {
      if (commands.get(current)?.includes(`--user-data-dir=${profile}`)) return true;
    }
    return false;
  };
  let peak: number | undefined;
  for (const [pid, command] of commands) {
    if (!command.includes("--type=renderer") || !ours(pid)) continue;
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (match?.[1]) peak = Math.max(peak ?? 0, Number(match[1]) * 1024);
    } catch {
      // The process ended while being read.
    }
  }
  return peak;
}

interface ChromiumImport {
  result: MailImportBenchResult;
  peakBytes: number;
  peakWorkerBytes: number;
  samples: number;
  rendererPeakBytes: number | undefined;
}

/** Imports `mailbox` through the bench page in a fresh on-disk profile, sampling memory all along. */
async function importInChromium(origin: string, scratch: string, mailbox: string): Promise<ChromiumImport> {
  const profile = mkdtempSync(join(scratch, "profile-"));
  const context = await launchPersistentChromium(profile, { webgpu: false });
  let sampler: HeapSampler | undefined;
  try {
    const errors = collectErrors(context);
    const page = await context.newPage();
    page.setDefaultTimeout(900_000);
    await page.goto(`${origin}/`);
    sampler = await HeapSampler.start(await context.newCDPSession(page));
    // A local browser reads the file from its path: nothing is copied through the protocol.
    await page.locator("#files").setInputFiles(mailbox);
    await page.waitForFunction((key) => key in window, RESULT, { timeout: 900_000 });
    const result = await page.evaluate((key) => Reflect.get(window, key) as MailImportBenchResult, RESULT);
    sampler.stop();
    const rendererPeakBytes = rendererPeakRssBytes(profile);
    errors.assertNoErrors();
    if (sampler.workersSeen === 0 || sampler.samples < 10) {
      throw new Error("Mailbox import bench: the import worker's memory was never sampled.");
    }
    return {
      result,
      peakBytes: sampler.peakBytes,
      peakWorkerBytes: sampler.peakWorkerBytes,
      samples: sampler.samples,
      rendererPeakBytes,
    };
  } finally {
    sampler?.stop();
    await context.close();
  }
}

/** Throws unless the import ended `done` with every generated message found and stored. */
function checkImport(name: string, run: ChromiumImport, stats: MboxStats, problems: number): void {
  const { report, storedRecords, error } = run.result;
  if (!report || report.status !== "done" || report.messages !== stats.messages) {
    throw new Error(
      `${name}: expected ${stats.messages} messages imported, got ` +
        `${report ? `${report.messages} (${report.status})` : "no report"}${error ? `: ${error}` : ""}.`,
    );
  }
  if (report.stored !== stats.messages || storedRecords !== stats.messages || report.problems.length !== problems) {
    throw new Error(
      `${name}: ${report.stored} reported and ${storedRecords} records stored of ${stats.messages}, ` +
        `${report.problems.length} problems (expected ${problems}).`,
    );
  }
}

/**
 * Issue 6's `mbox_import_mb_per_s` and `mbox_import_peak_mb`: a generated Takeout-shaped mailbox
 * of 200 MB (written to a temporary file, deleted after) is chosen in a bench page's file input;
 * the app's MailImportController imports it through the real import worker into IndexedDB in an
 * on-disk Chromium profile. The rate is the file's size over the time from `start` to the report.
 * The peak is the largest sum, sampled every 50 ms over CDP, of the JavaScript heap in use plus
 * Blink's heap and ArrayBuffer backing stores, in the page and in every worker it started. The
 * renderer process's peak resident memory is reported next to it (it also holds Chromium itself).
 * A second mailbox holds the worst case for memory: three messages just under the 32 MB a message
 * is parsed whole up to, and one of 48 MB (`…_large_messages`). Throws unless every generated
 * message was found and stored.
 */
export async function measureMboxImportFigures(): Promise<Record<string, Figure>> {
  const scratch = mkdtempSync(join(tmpdir(), "tabclaw-mbox-bench-"));
  const { origin, server } = await serveBenchPage(await buildBenchPage(ROOT, "mail-import-bench"));
  try {
    const mailbox = join(scratch, "All mail Including Spam and Trash.mbox");
    const generated = writeGeneratedMbox(mailbox, MAILBOX_BYTES);
    const mixed = await importInChromium(origin, scratch, mailbox);
    checkImport("Mailbox import bench (200 MB)", mixed, generated, 0);
    rmSync(mailbox);

    const largeMailbox = join(scratch, "large.mbox");
    const underLimit = MAIL_IMPORT_MESSAGE_LIMIT - 500_000;
    const large = writeLargeMessagesMbox(largeMailbox, [underLimit, underLimit, 48_000_000, underLimit]);
    const worst = await importInChromium(origin, scratch, largeMailbox);
    // The 48 MB message is kept from its first 32 MB, with that problem noted.
    checkImport("Mailbox import bench (large messages)", worst, large, 1);

    return {
      mbox_import_mb_per_s: generated.bytes / 1e6 / mixed.result.seconds,
      mbox_import_peak_mb: mixed.peakBytes / MIB,
      mbox_import_worker_peak_mb: mixed.peakWorkerBytes / MIB,
      ...(mixed.rendererPeakBytes === undefined
        ? {}
        : { mbox_import_renderer_peak_rss_mb: mixed.rendererPeakBytes / MIB }),
      mbox_import_file_mb: generated.bytes / 1e6,
      mbox_import_messages: generated.messages,
      mbox_import_largest_message_mb: generated.largestMessageBytes / 1e6,
      mbox_import_seconds: mixed.result.seconds,
      mbox_import_memory_samples: mixed.samples,
      mbox_import_peak_mb_large_messages: worst.peakBytes / MIB,
      ...(worst.rendererPeakBytes === undefined
        ? {}
        : { mbox_import_renderer_peak_rss_mb_large_messages: worst.rendererPeakBytes / MIB }),
      mbox_import_mb_per_s_large_messages: large.bytes / 1e6 / worst.result.seconds,
      mbox_import_load_1min: loadavg()[0] ?? 0,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    await new Promise((resolve) => server.close(resolve));
  }
}
