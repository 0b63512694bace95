import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { collectErrors, launchPersistentChromium } from "../../../browser/harness/browser";
import { PROJECT_ROOT } from "../../../fakes/paths";
import { buildBenchPage, serveBenchPage } from "../../bench-page";
import { ENTRY, type MemoryBenchOptions, type MemoryBenchReport, type RunMemoryBench } from "./protocol";

const ROOT = join(PROJECT_ROOT, "test", "bench", "memory", "chromium");

/** Bytes of every file under a folder whose path names IndexedDB (the layout differs between versions). */
function indexedDbBytes(dir: string, inside = false): number {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const within = inside || /indexeddb/i.test(entry.name);
    if (entry.isDirectory()) bytes += indexedDbBytes(path, within);
    else if (within && entry.isFile()) bytes += statSync(path).size;
  }
  return bytes;
}

export interface ChromiumMemoryReport extends MemoryBenchReport {
  /** IndexedDB files in the profile once the browser has closed (the bench database only). */
  diskBytes: number;
}

/** Runs the memory bench page in headless Chromium, with an on-disk profile so storage is real. */
export async function runMemoryBenchInChromium(options: MemoryBenchOptions): Promise<ChromiumMemoryReport> {
  const { origin, server } = await serveBenchPage(await buildBenchPage(ROOT, "memory-bench"));
  const profile = mkdtempSync(join(tmpdir(), "tabclaw-memory-bench-"));
  try {
    const context = await launchPersistentChromium(profile, { webgpu: false });
    let report: MemoryBenchReport;
    try {
      const errors = collectErrors(context);
      const page = await context.newPage();
      page.setDefaultTimeout(600_000);
      await page.goto(`${origin}/`);
      await page.waitForFunction((entry) => entry in window, ENTRY);
      report = await page.evaluate(([entry, bench]) => (Reflect.get(window, entry) as RunMemoryBench)(bench), [
        ENTRY,
        options,
      ] as const);
      errors.assertNoErrors();
    } finally {
      await context.close();
    }
    return { ...report, diskBytes: indexedDbBytes(profile) };
  } finally {
    rmSync(profile, { recursive: true, force: true });
    await new Promise((resolve) => server.close(resolve));
  }
}
