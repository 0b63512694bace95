import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { build } from "vite";
import { collectErrors, launchChromium } from "../../browser/harness/browser";
import { BUILD_DIR, PROJECT_ROOT } from "../../fakes/paths";
import { serveDist } from "../../fakes/static-dist";
import type { Figure } from "../report";
import { ENTRY, type RoundtripOptions, type RoundtripReport, type RunGateRoundtrip } from "./protocol";

const ROOT = join(PROJECT_ROOT, "test", "bench", "gate-roundtrip");
const OUT_DIR = join(BUILD_DIR, "gate-roundtrip");
const OPTIONS: RoundtripOptions = { warmup: 20, calls: 200 };

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

/** Nearest rank: the smallest sample with at least `p` of all samples at or below it. */
export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const value = sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
  if (value === undefined) throw new Error("No samples");
  return value;
}

/**
 * Issue 3's `gate_roundtrip_ms_*`: a dedicated worker proposes an untainted read, the page's Gate
 * admits it in IndexedDB, runs a local connector and records the result; timed in the worker.
 * Throws if any call is not executed exactly once, so a broken path never reports a number.
 */
export async function measureGateRoundtrip(): Promise<Record<string, Figure>> {
  const { origin, server } = await listen(await buildBenchPage());
  const browser = await launchChromium({ webgpu: false });
  try {
    const context = await browser.newContext();
    const errors = collectErrors(context);
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    await page.waitForFunction((entry) => entry in window, ENTRY);
    const report: RoundtripReport = await page.evaluate(
      ([entry, options]) => (Reflect.get(window, entry) as RunGateRoundtrip)(options),
      [ENTRY, OPTIONS] as const,
    );
    errors.assertNoErrors();
    const total = OPTIONS.warmup + OPTIONS.calls;
    if (report.samplesMs.length !== OPTIONS.calls || report.executions !== total || report.executedRecords !== total) {
      throw new Error(
        `Gate round trip: expected ${OPTIONS.calls} samples and ${total} executions and executed records, got ` +
          `${report.samplesMs.length}, ${report.executions} and ${report.executedRecords}.`,
      );
    }
    await context.close();
    return {
      gate_roundtrip_ms_p50: percentile(report.samplesMs, 0.5),
      gate_roundtrip_ms_p95: percentile(report.samplesMs, 0.95),
      gate_roundtrip_calls: report.samplesMs.length,
    };
  } finally {
    await browser.close();
    await new Promise((resolve) => server.close(resolve));
  }
}
