import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { build } from "vite";
import { collectErrors, launchPersistentChromium } from "../../../browser/harness/browser";
import { BUILD_DIR, PROJECT_ROOT } from "../../../fakes/paths";
import { serveDist } from "../../../fakes/static-dist";
import { ENTRY, type MemoryBenchOptions, type MemoryBenchReport, type RunMemoryBench } from "./protocol";

const ROOT = join(PROJECT_ROOT, "test", "bench", "memory", "chromium");
const OUT_DIR = join(BUILD_DIR, "memory-bench");

/** Builds the bench page and its worker into test/.build: never part of the app's dist. */
async function buildBenchPage(): Promise<string> {
  await build({
    configFile: false,
    root: ROOT,
    logLevel: "warn",
    publicDir: false,
    build: { outDir: OUT_DIR, emptyOutDir: true, target: "es2022", sourcemap: false, reportCompressedSize: false },
    worker: { format: "es" },
  });
  return OUT_DIR;
}

async function listen(dir: string): Promise<{ origin: string; server: Server }> {
  const server = createServer((request, response) => {
    const { pathname } = new URL(request.url ?? "/", "http://127.0.0.1");
    void serveDist(dir, pathname, request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, server };
}

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
  const { origin, server } = await listen(await buildBenchPage());
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
