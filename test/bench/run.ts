/**
 * `npm run bench`: measures the figures the issues name, prints a table and writes
 * bench/results.json. It never fails on a timing; a missed target is reported, not thrown.
 */
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { launchChromium, newAppPage } from "../browser/harness/browser";
import { requireDist } from "../browser/harness/dist";
import {
  downloadModel,
  loadModel,
  openView,
  selectModel,
  setMirror,
  waitUntilControlled,
} from "../browser/harness/app-steps";
import { PROJECT_ROOT } from "../fakes/paths";
import { startTestServer } from "../fakes/test-server";
import { measureAgentFigures } from "./agent-figures";
import { MEMORY_TARGETS, measureMemoryFigures } from "./memory-figures";
import { SCHEDULER_TARGETS, measureSchedulerFigures } from "./scheduler-figures";
import { measureFirstLoad } from "./first-load-bundle";
import { measureGateRoundtrip } from "./gate-roundtrip/measure";
import { DEPLOY_NOTIFICATION_TARGETS, measureDeployNotificationFigures } from "./deploy-notification-figures";
import { GITHUB_TARGETS, measureGitHubFigures } from "./github-figures";
import { GMAIL_TARGETS, measureGmailFigures } from "./gmail-figures";
import { MBOX_IMPORT_TARGETS, measureMboxImportFigures } from "./mbox-import-figures";
import { SLACK_TARGETS, measureSlackFigures } from "./slack-figures";
import { TRIAGE_TARGETS, measureTriageFigures } from "./triage-figures";
import { writeReport, type BenchTarget, type Figure } from "./report";
import { longestMainThreadTaskMs } from "./trace-long-tasks";

const MODEL_ID = "SmolLM2-135M-Instruct-q0f32-MLC";
const STREAM_TOKENS = 2000;
const STREAM_TOKENS_PER_S = 100;
const RELOADS = 7;
const IDLE_BASELINE_MS = 5_000;

const targets: BenchTarget[] = [
  { key: "page_first_load_js_gzip_kb", target: "≤ 150", met: (value) => Number(value) <= 150 },
  { key: "webllm_in_first_load", target: "false", met: (value) => value === false },
  { key: "main_thread_longest_task_ms_streaming", target: "< 50", met: (value) => Number(value) < 50 },
  { key: "offline_reload_ratio", target: "≤ 1.2", met: (value) => Number(value) <= 1.2 },
  { key: "prompt_overhead_tokens", target: "≤ 1500", met: (value) => Number(value) <= 1500 },
  { key: "prompt_overhead_tokens_shipped_tools", target: "≤ 1500", met: (value) => Number(value) <= 1500 },
  { key: "injection_unapproved_executions", target: "0", met: (value) => value === 0 },
  { key: "injection_tainted_share", target: "1.0", met: (value) => value === 1 },
  { key: "injection_memory_saves_marked_untrusted_share", target: "1.0", met: (value) => value === 1 },
  { key: "gate_roundtrip_ms_p50", target: "< 5", met: (value) => Number(value) < 5 },
  ...MEMORY_TARGETS,
  ...SCHEDULER_TARGETS,
  ...MBOX_IMPORT_TARGETS,
  ...GMAIL_TARGETS,
  ...TRIAGE_TARGETS,
  ...GITHUB_TARGETS,
  ...DEPLOY_NOTIFICATION_TARGETS,
  ...SLACK_TARGETS,
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? NaN) : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
}

async function main(): Promise<void> {
  const dist = requireDist();
  const results: Record<string, Figure> = {};

  Object.assign(results, await measureAgentFigures());
  // A bench page built apart from the app, in its own Chromium.
  Object.assign(results, await measureGateRoundtrip());
  // Issue 4: hybrid memory search over 10k and 100k chunks in a dedicated worker, and IndexedDB size.
  Object.assign(results, await measureMemoryFigures());
  // Issue 5: two simulated idle days through the scheduler, and one tick over 100 jobs (Node, fake-indexeddb).
  Object.assign(results, await measureSchedulerFigures());
  // Issue 6: a generated 200 MB mailbox through the real import worker in Chromium; Gmail quota on the
  // fake; triage of a generated 200-mail inbox through the real routine.
  Object.assign(results, await measureMboxImportFigures());
  Object.assign(results, await measureGmailFigures());
  Object.assign(results, await measureTriageFigures());
  // Issue 7: idle polling of 10 repositories on the fake GitHub; the Slack digest's prompt sizes and pacing.
  Object.assign(results, await measureGitHubFigures());
  Object.assign(results, await measureDeployNotificationFigures());
  Object.assign(results, await measureSlackFigures());

  const firstLoad = measureFirstLoad(dist);
  results.page_first_load_js_gzip_kb = firstLoad.gzipBytes / 1024;
  results.webllm_in_first_load = firstLoad.containsWebLlm;

  const server = await startTestServer({ scriptedEngine: true, distDir: dist });
  const browser = await launchChromium({ webgpu: true });
  try {
    const app = await newAppPage(browser, server);
    const { page, context } = app;
    await waitUntilControlled(page);
    await setMirror(page, server.hubUrl);
    await selectModel(page, MODEL_ID);
    await downloadModel(page, MODEL_ID);

    // Reload to interactive, online then offline, alternating so drift on a shared machine hits both.
    const readyAfterReload = async (): Promise<number> => {
      await page.reload();
      await page.waitForFunction(() => document.documentElement.dataset.ready === "true");
      return page.evaluate(() => performance.getEntriesByName("tabclaw:ready")[0]?.startTime ?? NaN);
    };
    const online: number[] = [];
    const offline: number[] = [];
    await readyAfterReload();
    for (let i = 0; i < RELOADS; i += 1) {
      await context.setOffline(false);
      online.push(await readyAfterReload());
      await context.setOffline(true);
      offline.push(await readyAfterReload());
    }
    await context.setOffline(false);
    results.reload_to_interactive_ms_online_p50 = median(online);
    results.reload_to_interactive_ms_offline_p50 = median(offline);
    results.offline_reload_ratio = median(offline) / median(online);

    // Stream 2,000 scripted tokens at 100 tokens/s into the chat, tracing the page's main thread.
    await loadModel(page, MODEL_ID);
    await openView(page, "Chat");
    // Baseline in the same run: the longest main-thread task while the same page sits idle, which is
    // what this machine's noise alone produces.
    await browser.startTracing(page, { categories: ["devtools.timeline", "disabled-by-default-devtools.timeline"] });
    await page.waitForTimeout(IDLE_BASELINE_MS);
    results.main_thread_longest_task_ms_idle_baseline = longestMainThreadTaskMs(
      (await browser.stopTracing()).toString("utf8"),
    );
    server.setEngineScript({ responses: [{ tokens: STREAM_TOKENS, tokensPerSecond: STREAM_TOKENS_PER_S }] });
    await browser.startTracing(page, { categories: ["devtools.timeline", "disabled-by-default-devtools.timeline"] });
    const composer = page.locator("textarea#composer");
    await composer.fill("Write a long answer.");
    await composer.press("Enter");
    await page.getByRole("button", { name: "Stop" }).waitFor();
    await page.getByRole("button", { name: "Send" }).waitFor({ timeout: 120_000 });
    const trace = await browser.stopTracing();
    if (process.env.TABCLAW_TRACE_FILE) writeFileSync(process.env.TABCLAW_TRACE_FILE, trace);
    results.main_thread_longest_task_ms_streaming = longestMainThreadTaskMs(trace.toString("utf8"));
    results.streamed_tokens = STREAM_TOKENS;
    await app.close();
  } finally {
    await browser.close();
    await server.stop();
  }

  results.machine_load_average_1m = loadavg()[0] ?? NaN;
  const table = writeReport(join(PROJECT_ROOT, "bench", "results.json"), results, targets);
  console.log(table);
}

await main();
