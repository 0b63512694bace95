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
import { launchChromium, newAppPage, setQuota } from "./harness/browser";
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
    const manifest = (await manifestResponse.json()) as { records: { dataPath: string; nbytes: number; md5sum: string }[] };
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

      const quota = async (): Promise<number> => (await app.page.evaluate(() => navigator.storage.estimate())).quota ?? 0;
      console.log(`[storage] default quota of a fresh context: ${await quota()} bytes`);
      await setQuota(app.page, 5_000_000);
      expect(await quota()).toBe(5_000_000);
      await setQuota(app.page, undefined);
    } finally {
      await app.close();
    }
  });

  test("the scripted model worker loads the fixture from the fake hub and streams over web-llm's protocol", async () => {
    requireDist(server.distDir);
    browser ??= await launchChromium({ webgpu: true });
    const app = await newAppPage(browser, server);
    server.setEngineScript({ responses: [{ text: "Streamed by the scripted engine.", tokensPerSecond: 500 }] });
    server.clearRequestLog();
    const appConfig: AppConfig = {
      model_list: [
        {
          model: `${server.hubUrl}${FIXTURE_REPO}`,
          model_id: FIXTURE_MODEL_ID,
          model_lib: `${server.hubUrl}model-libs/SmolLM2-135M-Instruct-q0f32_cs1k-webgpu.wasm`,
          overrides: { context_window_size: 4096 },
        },
      ],
    };
    try {
      const started = performance.now();
      // The raw messages web-llm's WebWorkerMLCEngine sends; the app's agent worker sends the same.
      const result = await app.page.evaluate(
        async ({ appConfig, modelId }) => {
          const worker = new Worker("/assets/model.worker-smoke.js", { type: "module" });
          const channel = new MessageChannel();
          worker.postMessage({ type: "tabclaw:connect" }, [channel.port2]);
          const port = channel.port1;
          const pending = new Map<string, (message: { kind: string; content: unknown }) => void>();
          const progress: string[] = [];
          port.onmessage = (event: MessageEvent<{ kind: string; uuid: string; content: unknown }>) => {
            if (event.data.kind === "initProgressCallback") progress.push((event.data.content as { text: string }).text);
            else pending.get(event.data.uuid)?.(event.data);
          };
          const call = (kind: string, content: unknown): Promise<unknown> =>
            new Promise((resolve, reject) => {
              const uuid = crypto.randomUUID();
              pending.set(uuid, (message) =>
                message.kind === "return" ? resolve(message.content) : reject(new Error(String(message.content))),
              );
              port.postMessage({ kind, uuid, content });
            });
          port.postMessage({ kind: "setAppConfig", uuid: crypto.randomUUID(), content: appConfig });
          const vendor = await call("getGPUVendor", null);
          const reloadStarted = performance.now();
          await call("reload", { modelId: [modelId] });
          const reloadMs = Math.round(performance.now() - reloadStarted);
          const request = {
            messages: [{ role: "user", content: "hello" }],
            stream: true,
            stream_options: { include_usage: true },
          };
          await call("chatCompletionStreamInit", {
            request,
            selectedModelId: modelId,
            streamId: "s1",
            modelId: [modelId],
          });
          const chunks: ChatCompletionChunk[] = [];
          for (;;) {
            const chunk = await call("completionStreamNextChunk", { streamId: "s1" });
            if (typeof chunk !== "object" || chunk === null) break;
            chunks.push(chunk as ChatCompletionChunk);
          }
          worker.terminate();
          return { vendor, reloadMs, progress, chunks };
        },
        { appConfig, modelId: FIXTURE_MODEL_ID },
      );
      console.log(`[timing] in-browser scripted reload incl. 269 MB download into Cache API: ${result.reloadMs} ms`);
      console.log(`[timing] whole scripted-worker round trip: ${elapsed(started)} ms`);
      expect(result.vendor).toBe("google");
      expect(result.progress.at(-1)).toMatch(/^Finish loading on WebGPU - google$/);
      const text = result.chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
      expect(text).toBe("Streamed by the scripted engine.");
      expect(result.chunks.at(-1)?.usage?.completion_tokens).toBe(5);
      // web-llm's own reload traffic: every shard fetched once, through the Cache API.
      for (const shard of server.manifest.records) {
        expect(server.requests((entry) => entry.path.endsWith(`/${shard.dataPath}`)).length).toBe(1);
      }
      expect(server.chatRequests.at(-1)?.messages).toEqual([{ role: "user", content: "hello" }]);
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
      console.log(`[webgpu] webgpu:false → navigator.gpu ${report.api ? "present" : "absent"}, adapter ${report.adapter}`);
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
