import { join } from "node:path";
import { collectErrors, launchChromium } from "../../browser/harness/browser";
import { PROJECT_ROOT } from "../../fakes/paths";
import { buildBenchPage, serveBenchPage } from "../bench-page";
import { percentile } from "../percentile";
import type { Figure } from "../report";
import { ENTRY, type RoundtripOptions, type RoundtripReport, type RunGateRoundtrip } from "./protocol";

const ROOT = join(PROJECT_ROOT, "test", "bench", "gate-roundtrip");
const OPTIONS: RoundtripOptions = { warmup: 20, calls: 200 };

/**
 * Issue 3's `gate_roundtrip_ms_*`: a dedicated worker proposes an untainted read, the page's Gate
 * admits it in IndexedDB, runs a local connector and records the result; timed in the worker.
 * Throws if any call is not executed exactly once, so a broken path never reports a number.
 */
export async function measureGateRoundtrip(): Promise<Record<string, Figure>> {
  const { origin, server } = await serveBenchPage(await buildBenchPage(ROOT, "gate-roundtrip"));
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
