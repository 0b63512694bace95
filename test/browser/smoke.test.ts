/**
 * Proves the browser-test harness, not the app: Chromium gives a WebGPU adapter (or none), the fake
 * hub serves the fixture model with generated shards, and the scripted model worker (a test double)
 * speaks web-llm's real worker protocol. Figures are printed for the record, never asserted as speed.
 */
import { createHash } from "node:crypto";
import {
  WebWorkerMLCEngine,
  WebWorkerMLCEngineHandler,
  type AppConfig,
  type ChatCompletionChunk,
  type MLCEngine,
} from "@mlc-ai/web-llm";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { PortEngineHandler } from "../../workers/port-engine-handler";
import { EngineScriptQueue } from "../fakes/engine-script";
import { FIXTURE_MODEL_ID, FIXTURE_REPO } from "../fakes/fake-hub";
import { fixedGpuProbe } from "../fakes/gpu-probe";
import { ScriptedEngine } from "../fakes/scripted-engine";
import { startTestServer, type TestServer } from "../fakes/test-server";
import { NO_ARTIFACTS } from "../fakes/webllm-artifacts";
import { launchChromium, newAppPage, setQuota, waitForServiceWorker } from "./harness/browser";
import { requireDist } from "./harness/dist";

interface AdapterReport {
  api: boolean;
  adapter: boolean;
  features: string[];
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
  vendor: string;
  architecture: string;
}

/** Runs in the page and, as source text, in a dedicated worker. */
async function probeAdapter(): Promise<AdapterReport> {
  const none = { features: [], maxBufferSize: 0, maxStorageBufferBindingSize: 0, vendor: "", architecture: "" };
  if (!("gpu" in navigator)) return { api: false, adapter: false, ...none };
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) return { api: true, adapter: false, ...none };
  return {
    api: true,
    adapter: true,
    features: [...adapter.features],
    maxBufferSize: adapter.limits.maxBufferSize,
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    vendor: adapter.info.vendor,
    architecture: adapter.info.architecture,
  };
}

const PROBE_WORKER_PATH = "/__test__/gpu-probe.worker.js";
const PROBE_WORKER = `${probeAdapter.toString()}\nprobeAdapter().then((report) => postMessage(report));\n`;

function md5(bytes: Uint8Array): string {
  return createHash("md5").update(bytes).digest("hex");
}

function elapsed(since: number): number {
  return Math.round(performance.now() - since);
}

interface SmokeGlobal {
  smoke: {
    call(kind: string, content: unknown): Promise<unknown>;
    progress: string[];
  };
}

/**
 * In the page: starts a model worker and speaks to it with the raw messages web-llm's
 * WebWorkerMLCEngine sends (the app's agent worker sends the same through the real client).
 */
function openModelWorker(url: string): void {
  const worker = new Worker(url, { type: "module" });
  const channel = new MessageChannel();
  worker.postMessage({ type: "tabclaw:connect" }, [channel.port2]);
  const pending = new Map<string, (message: { kind: string; content: unknown }) => void>();
  const progress: string[] = [];
  channel.port1.onmessage = (event: MessageEvent<{ kind: string; uuid: string; content: unknown }>) => {
    if (event.data.kind === "initProgressCallback") progress.push((event.data.content as { text: string }).text);
    else pending.get(event.data.uuid)?.(event.data);
  };
  const call = (kind: string, content: unknown): Promise<unknown> => {
    const uuid = crypto.randomUUID();
    // setAppConfig and setLogLevel are fire-and-forget in web-llm's client: no answer comes back.
    if (kind === "setAppConfig" || kind === "setLogLevel") {
      channel.port1.postMessage({ kind, uuid, content });
      return Promise.resolve(null);
    }
    return new Promise((resolve, reject) => {
      pending.set(uuid, (message) =>
        message.kind === "return" ? resolve(message.content) : reject(new Error(String(message.content))),
      );
      channel.port1.postMessage({ kind, uuid, content });
    });
  };
  (globalThis as unknown as SmokeGlobal).smoke = { call, progress };
}

function callModelWorker(message: { kind: string; content: unknown }): Promise<unknown> {
  return (globalThis as unknown as SmokeGlobal).smoke.call(message.kind, message.content);
}

/** In the page: one streamed chat request, chunk by chunk, as WebWorkerMLCEngine.asyncGenerate does. */
async function streamModelWorker({
  streamId,
  modelId,
}: {
  streamId: string;
  modelId: string;
}): Promise<ChatCompletionChunk[]> {
  const { call } = (globalThis as unknown as SmokeGlobal).smoke;
  const request = {
    messages: [{ role: "user", content: "hello" }],
    stream: true,
    stream_options: { include_usage: true },
  };
  await call("chatCompletionStreamInit", { request, streamId, modelId: [modelId] });
  const chunks: ChatCompletionChunk[] = [];
  for (;;) {
    const chunk = await call("completionStreamNextChunk", { streamId });
    if (typeof chunk !== "object" || chunk === null) return chunks;
    chunks.push(chunk as ChatCompletionChunk);
  }
}

function textOf(chunks: ChatCompletionChunk[]): string {
  return chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
}

/** The app's mirror records for the fixture model, pointing at the fake hub. */
function fixtureAppConfig(hub: TestServer): AppConfig {
  return {
    model_list: [
      {
        model: `${hub.hubUrl}${FIXTURE_REPO}`,
        model_id: FIXTURE_MODEL_ID,
        model_lib: `${hub.hubUrl}model-libs/SmolLM2-135M-Instruct-q0f32_cs1k-webgpu.wasm`,
        overrides: { context_window_size: 4096 },
      },
    ],
  };
}

let server: TestServer;

beforeAll(async () => {
  const started = performance.now();
  server = await startTestServer({ scriptedEngine: true, distDir: process.env.TABCLAW_DIST });
  server.serveStatic(PROBE_WORKER_PATH, "text/javascript; charset=utf-8", PROBE_WORKER);
  console.log(`[timing] test server start (scripted worker build + shard md5s): ${elapsed(started)} ms`);
});

afterAll(async () => {
  await server?.stop();
});

describe("fake model hub", () => {
  test("serves the fixture, and each generated shard matches the served tensor-cache.json", async () => {
    const manifestResponse = await fetch(server.modelFileUrl("tensor-cache.json"));
    expect(manifestResponse.status).toBe(200);
    const manifest = (await manifestResponse.json()) as {
      records: { dataPath: string; nbytes: number; md5sum: string }[];
    };
    expect(manifest.records.length).toBeGreaterThan(1);

    const shard = manifest.records[1];
    if (!shard) throw new Error("fixture has fewer than 2 shards");
    const started = performance.now();
    const bytes = new Uint8Array(await (await fetch(server.modelFileUrl(shard.dataPath))).arrayBuffer());
    console.log(`[timing] ${shard.dataPath} (${shard.nbytes} bytes) over HTTP: ${elapsed(started)} ms`);
    expect(bytes.byteLength).toBe(shard.nbytes);
    expect(md5(bytes)).toBe(shard.md5sum);

    const config = (await (await fetch(server.modelFileUrl("mlc-chat-config.json"))).json()) as { model_type: string };
    expect(config.model_type).toBe("llama");
    expect((await fetch(server.modelFileUrl("no-such-file.json"))).status).toBe(404);
    expect((await fetch(`${server.hubUrl}mlc-ai/not-the-fixture/resolve/main/tensor-cache.json`)).status).toBe(404);
  });

  test("answers range requests, corrupts on request, and logs what it sent", async () => {
    const shard = server.manifest.records[2];
    if (!shard) throw new Error("fixture has fewer than 3 shards");
    const url = server.modelFileUrl(shard.dataPath);
    const whole = new Uint8Array(await (await fetch(url)).arrayBuffer());

    const partial = await fetch(url, { headers: { range: "bytes=1000-" } });
    expect(partial.status).toBe(206);
    expect(partial.headers.get("content-range")).toBe(`bytes 1000-${shard.nbytes - 1}/${shard.nbytes}`);
    expect(Buffer.from(await partial.arrayBuffer()).equals(Buffer.from(whole.subarray(1000)))).toBe(true);

    server.setHubOptions({ corruptShard: 2 });
    try {
      const corrupted = new Uint8Array(await (await fetch(url)).arrayBuffer());
      expect(corrupted.byteLength).toBe(shard.nbytes);
      expect(md5(corrupted)).not.toBe(shard.md5sum);
    } finally {
      server.setHubOptions({ corruptShard: undefined });
    }

    server.setHubOptions({ modelLibrary: "missing" });
    expect((await fetch(`${server.hubUrl}model-libs/SmolLM2-135M-Instruct-q0f32_cs1k-webgpu.wasm`)).status).toBe(404);
    server.setHubOptions({ modelLibrary: "present" });
    const wasm = await fetch(`${server.hubUrl}model-libs/SmolLM2-135M-Instruct-q0f32_cs1k-webgpu.wasm`);
    expect(wasm.headers.get("content-type")).toBe("application/wasm");
    expect(WebAssembly.validate(new Uint8Array(await wasm.arrayBuffer()))).toBe(true);

    const logged = server.requests((entry) => entry.path.endsWith(shard.dataPath));
    expect(logged.map((entry) => [entry.status, entry.bytesSent, entry.headers.range])).toEqual([
      [200, shard.nbytes, undefined],
      [206, shard.nbytes - 1000, "bytes=1000-"],
      [200, shard.nbytes, undefined],
    ]);
  });

  test("cuts the connection after failAfterBytes and stays down until reset", async () => {
    const shard = server.manifest.records[1];
    if (!shard) throw new Error("fixture has fewer than 2 shards");
    const url = server.modelFileUrl(shard.dataPath);
    server.clearRequestLog();
    server.setHubOptions({ failAfterBytes: 100_000 });
    try {
      await expect(fetch(url).then((response) => response.arrayBuffer())).rejects.toThrow();
      await expect(fetch(url)).rejects.toThrow();
    } finally {
      server.setHubOptions({ failAfterBytes: undefined });
    }
    expect((await fetch(url).then((response) => response.arrayBuffer())).byteLength).toBe(shard.nbytes);
    const [cut] = server.requests((entry) => entry.path.endsWith(shard.dataPath));
    expect(cut?.completed).toBe(false);
    expect(cut?.bytesSent).toBe(100_000);
  });
});

describe("scripted engine behind web-llm's real worker handler and client (Node)", () => {
  const modelId = FIXTURE_MODEL_ID;
  const appConfig: AppConfig = {
    model_list: [
      {
        model: `https://hub.invalid/${FIXTURE_REPO}`,
        model_id: modelId,
        model_lib: "https://hub.invalid/model-libs/SmolLM2-135M-Instruct-q0f32_cs1k-webgpu.wasm",
        overrides: { context_window_size: 4096 },
      },
      {
        model: "https://hub.invalid/mlc-ai/SmolLM2-135M-Instruct-q0f16-MLC",
        model_id: "SmolLM2-135M-Instruct-q0f16-MLC",
        model_lib: "https://hub.invalid/model-libs/SmolLM2-135M-Instruct-q0f16_cs1k-webgpu.wasm",
        required_features: ["shader-f16"],
      },
    ],
  };

  function connect(queue: EngineScriptQueue): WebWorkerMLCEngine {
    const handler = new WebWorkerMLCEngineHandler();
    const engine = new ScriptedEngine({ script: queue, artifacts: NO_ARTIFACTS, gpu: fixedGpuProbe() });
    engine.setInitProgressCallback((report) =>
      handler.postMessage({ kind: "initProgressCallback", uuid: "", content: report }),
    );
    handler.engine = engine as unknown as MLCEngine;
    const channel = new MessageChannel();
    new PortEngineHandler(handler).connect(channel.port2);
    const client = new WebWorkerMLCEngine(channel.port1);
    client.setAppConfig(appConfig);
    return client;
  }

  async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    return chunks;
  }

  test("streams the script with web-llm's chunk and usage shapes, then falls back to an echo", async () => {
    const queue = new EngineScriptQueue({ responses: [{ text: "Hello from the script.", tokensPerSecond: 1000 }] });
    const client = connect(queue);
    const progress: number[] = [];
    client.setInitProgressCallback((report) => progress.push(report.progress));
    await client.reload(modelId);
    expect(progress.at(-1)).toBe(1);

    const request = {
      messages: [{ role: "user" as const, content: "Say hello please" }],
      stream: true as const,
      stream_options: { include_usage: true },
    };
    const chunks = await collect(await client.chat.completions.create(request));
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe("Hello from the script.");
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");
    const usage = chunks.at(-1)?.usage;
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
    expect(Object.keys(usage?.extra ?? {}).sort()).toEqual([
      "decode_tokens_per_s",
      "e2e_latency_s",
      "prefill_tokens_per_s",
      "time_per_output_token_s",
      "time_to_first_token_s",
    ]);

    const echo = await collect(
      await client.chat.completions.create({ ...request, messages: [{ role: "user", content: "ping 42" }] }),
    );
    expect(echo.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("")).toBe("Scripted reply to: ping 42");
    expect(queue.chatRequests().map((recorded) => recorded.messages.at(-1)?.content)).toEqual([
      "Say hello please",
      "ping 42",
    ]);
  });

  test("interruptGenerate ends the stream with finish_reason abort", async () => {
    const client = connect(new EngineScriptQueue({ responses: [{ tokens: 500, tokensPerSecond: 100 }] }));
    await client.reload(modelId);
    const stream = await client.chat.completions.create({
      messages: [{ role: "user", content: "go on" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
      if (chunks.length === 3) client.interruptGenerate();
    }
    const finish = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.finish_reason)).filter(Boolean);
    expect(finish).toEqual(["abort"]);
    expect(chunks.at(-1)?.usage?.completion_tokens).toBeLessThan(10);
  });

  test("like web-llm, an interrupt sent before the first chunk is requested is forgotten", async () => {
    const client = connect(new EngineScriptQueue({ responses: [{ tokens: 5, tokensPerSecond: 1000 }] }));
    await client.reload(modelId);
    const stream = await client.chat.completions.create({ messages: [{ role: "user", content: "x" }], stream: true });
    // web-llm clears its interrupt flag when the generation takes the model lock, on the first next().
    client.interruptGenerate();
    const chunks = await collect(stream);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
    expect(chunks.length).toBe(6);
  });

  test("fails like web-llm: scripted DeviceLostError, shader-f16 missing, invalid request", async () => {
    const client = connect(new EngineScriptQueue({ responses: [], reloads: [{ error: "DeviceLostError" }] }));
    await expect(client.reload(modelId)).rejects.toMatch(/^DeviceLostError: The WebGPU device was lost/);
    await expect(client.reload("SmolLM2-135M-Instruct-q0f16-MLC")).rejects.toMatch(/^ShaderF16SupportError: /);
    await expect(client.reload("No-Such-Model")).rejects.toMatch(/^ModelNotFoundError: /);
    await client.reload(modelId);
    await expect(
      client.chat.completions.create({ messages: [{ role: "assistant", content: "last" }], stream: true }),
    ).rejects.toMatch(/^MessageOrderError: /);
  });
});

describe("Chromium", () => {
  let browser: Browser | undefined;

  afterAll(async () => {
    await browser?.close();
  });

  test("has a SwiftShader WebGPU adapter, without shader-f16, in the page and in a dedicated worker", async () => {
    requireDist(server.distDir);
    const started = performance.now();
    browser = await launchChromium({ webgpu: true });
    console.log(`[timing] chromium launch: ${elapsed(started)} ms (${browser.version()})`);
    const app = await newAppPage(browser, server);
    try {
      const inPage = await app.page.evaluate(probeAdapter);
      const inWorker = await app.page.evaluate(
        (url) =>
          new Promise<AdapterReport>((resolve, reject) => {
            const worker = new Worker(url);
            worker.onmessage = (event: MessageEvent<AdapterReport>) => resolve(event.data);
            worker.onerror = (event) => reject(new Error(event.message));
          }),
        PROBE_WORKER_PATH,
      );
      for (const [where, report] of [
        ["page", inPage],
        ["worker", inWorker],
      ] as const) {
        console.log(
          `[webgpu] ${where}: ${report.vendor}/${report.architecture} maxBufferSize=${report.maxBufferSize} ` +
            `maxStorageBufferBindingSize=${report.maxStorageBufferBindingSize} features=${report.features.join(",")}`,
        );
        expect(report.adapter).toBe(true);
        expect(report.features).not.toContain("shader-f16");
        expect(report.maxBufferSize).toBeGreaterThan(0);
        expect(report.maxStorageBufferBindingSize).toBeGreaterThan(0);
      }

      const estimate = await app.page.evaluate(() => navigator.storage.estimate());
      console.log(`[storage] quota of a fresh context: ${estimate.quota} bytes`);
      const store = (): Promise<string> =>
        app.page.evaluate(async () => {
          try {
            await (await caches.open("quota-probe")).put("/big", new Response(new Uint8Array(8_000_000)));
            return "stored";
          } catch (error) {
            return error instanceof DOMException ? error.name : String(error);
          }
        });
      const cap = await setQuota(app.page, 5_000_000);
      expect(await store()).toBe("QuotaExceededError");
      await cap.release();
      expect(await store()).toBe("stored");
    } finally {
      await app.close();
    }
  });

  test("the scripted model worker loads the fixture from the fake hub, streams, and works offline from cache", async () => {
    requireDist(server.distDir);
    browser ??= await launchChromium({ webgpu: true });
    const app = await newAppPage(browser, server);
    server.setEngineScript({
      responses: [
        { text: "Streamed by the scripted engine.", tokensPerSecond: 500 },
        { text: "Still here offline.", tokensPerSecond: 500 },
      ],
    });
    server.clearRequestLog();
    try {
      await app.page.evaluate(openModelWorker, "/assets/model.worker-smoke.js");
      const started = performance.now();
      const vendor = await app.page.evaluate(callModelWorker, { kind: "getGPUVendor", content: null });
      expect(vendor).toBe("google");
      await app.page.evaluate(callModelWorker, { kind: "setAppConfig", content: fixtureAppConfig(server) });
      await app.page.evaluate(callModelWorker, { kind: "reload", content: { modelId: [FIXTURE_MODEL_ID] } });
      console.log(
        `[timing] scripted reload in Chromium, 269 MB from the hub into the Cache API: ${elapsed(started)} ms`,
      );
      const progress = await app.page.evaluate(() => (globalThis as unknown as SmokeGlobal).smoke.progress.splice(0));
      expect(progress.some((text) => text.startsWith("Fetching param cache["))).toBe(true);
      expect(progress.at(-1)).toBe("Finish loading on WebGPU - google");
      // web-llm's own reload traffic: every shard fetched once, through the Cache API.
      for (const shard of server.manifest.records) {
        expect(server.requests((entry) => entry.path.endsWith(`/${shard.dataPath}`)).length).toBe(1);
      }
      expect(textOf(await app.page.evaluate(streamModelWorker, { streamId: "s1", modelId: FIXTURE_MODEL_ID }))).toBe(
        "Streamed by the scripted engine.",
      );
      expect(server.chatRequests.at(-1)?.messages).toEqual([{ role: "user", content: "hello" }]);

      // Offline: the weights come from the Cache API, the script through the harness's Playwright route.
      server.clearRequestLog();
      await app.context.setOffline(true);
      await app.page.evaluate(callModelWorker, { kind: "reload", content: { modelId: [FIXTURE_MODEL_ID] } });
      const offlineProgress = await app.page.evaluate(() =>
        (globalThis as unknown as SmokeGlobal).smoke.progress.splice(0),
      );
      expect(offlineProgress.some((text) => text.startsWith("Fetching param cache["))).toBe(false);
      const offline = await app.page.evaluate(streamModelWorker, { streamId: "s2", modelId: FIXTURE_MODEL_ID });
      expect(textOf(offline)).toBe("Still here offline.");
      expect(offline.at(-1)?.usage?.completion_tokens).toBe(3);
      expect(server.requests()).toEqual([]);
      await app.context.setOffline(false);
      app.assertNoErrors();
    } finally {
      await app.close();
    }
  });

  test("a missing model library fails the scripted reload before any shard is requested, as in web-llm", async () => {
    requireDist(server.distDir);
    browser ??= await launchChromium({ webgpu: true });
    const app = await newAppPage(browser, server);
    server.setHubOptions({ modelLibrary: "missing" });
    server.clearRequestLog();
    try {
      await app.page.evaluate(openModelWorker, "/assets/model.worker-smoke.js");
      await app.page.evaluate(callModelWorker, { kind: "setAppConfig", content: fixtureAppConfig(server) });
      const error = await app.page
        .evaluate(callModelWorker, { kind: "reload", content: { modelId: [FIXTURE_MODEL_ID] } })
        .then(
          () => "resolved",
          (failure: unknown) => (failure instanceof Error ? failure.message : String(failure)),
        );
      console.log(`[web-llm] reload with the model library missing rejects with: ${error}`);
      expect(error).toMatch(/Cache/);
      expect(server.requests(/model-libs\//).map((entry) => entry.status)).toEqual([404]);
      expect(server.requests(/params_shard_/)).toEqual([]);
      // Chromium logs the failed fetch itself; nothing else may fail.
      app.assertNoErrors([/Failed to load resource: the server responded with a status of 404/]);
    } finally {
      server.setHubOptions({ modelLibrary: "present" });
      await app.close();
    }
  });

  test("waitForServiceWorker sees a worker become active and take control", async () => {
    browser ??= await launchChromium({ webgpu: true });
    // A probe page and worker of its own, so the helper is proven whatever the app's worker does.
    server.serveStatic(
      "/__test__/sw-probe/index.html",
      "text/html; charset=utf-8",
      '<!doctype html><title>probe</title><script src="/__test__/sw-probe/register.js"></script>',
    );
    server.serveStatic(
      "/__test__/sw-probe/register.js",
      "text/javascript; charset=utf-8",
      'void navigator.serviceWorker.register("/__test__/sw-probe/sw.js", { scope: "/__test__/sw-probe/" });',
    );
    server.serveStatic(
      "/__test__/sw-probe/sw.js",
      "text/javascript; charset=utf-8",
      'self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));',
    );
    const app = await newAppPage(browser, server, { path: "/__test__/sw-probe/index.html" });
    try {
      const script = await waitForServiceWorker(app.page, { controlled: true, timeoutMs: 10_000 });
      expect(script).toBe(`${server.origin}/__test__/sw-probe/sw.js`);
      app.assertNoErrors();
    } finally {
      await app.close();
    }
  });

  test("without the WebGPU flags there is no adapter; hideNavigatorGpu removes the API itself", async () => {
    requireDist(server.distDir);
    const noGpu = await launchChromium({ webgpu: false });
    try {
      const plain = await newAppPage(noGpu, server);
      const report = await plain.page.evaluate(probeAdapter);
      console.log(
        `[webgpu] webgpu:false → navigator.gpu ${report.api ? "present" : "absent"}, adapter ${report.adapter}`,
      );
      expect(report.adapter).toBe(false);
      await plain.close();

      const hidden = await newAppPage(noGpu, server, { hideNavigatorGpu: true });
      expect(await hidden.page.evaluate(() => "gpu" in navigator)).toBe(false);
      await hidden.close();
    } finally {
      await noGpu.close();
    }
  });
});
