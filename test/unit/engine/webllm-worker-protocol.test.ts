import { WebWorkerMLCEngine, WebWorkerMLCEngineHandler, prebuiltAppConfig, type MLCEngine } from "@mlc-ai/web-llm";
import { afterEach, describe, expect, it } from "vitest";
import { PortEngineHandler } from "../../../workers/port-engine-handler";
import type { ChatChunk } from "../../../src/engine/chat-engine";
import { WebLlmChatEngine } from "../../../src/engine/webllm-chat-engine";
import { EngineScriptQueue } from "../../fakes/engine-script";
import { ScriptedEngine } from "../../fakes/scripted-engine";
import { NO_ARTIFACTS } from "../../fakes/webllm-artifacts";
import { fixedGpuProbe } from "../../fakes/gpu-probe";

/**
 * web-llm's real worker client and real handler, joined by a MessageChannel exactly as the page
 * joins the agent worker to the model worker; only the engine behind the handler is scripted.
 * This runs web-llm's own message protocol (reload, streaming, interrupt, errors) in Node.
 */
const channels: MessageChannel[] = [];

function connect(script: EngineScriptQueue): WebLlmChatEngine {
  const handler = new WebWorkerMLCEngineHandler();
  const engine = new ScriptedEngine({ script, artifacts: NO_ARTIFACTS, gpu: fixedGpuProbe() });
  engine.setInitProgressCallback((report) =>
    handler.postMessage({ kind: "initProgressCallback", uuid: "", content: report }),
  );
  handler.engine = engine as unknown as MLCEngine;
  const channel = new MessageChannel();
  channels.push(channel);
  new PortEngineHandler(handler).connect(channel.port1);
  return new WebLlmChatEngine(new WebWorkerMLCEngine(channel.port2), prebuiltAppConfig);
}

afterEach(() => {
  for (const channel of channels.splice(0)) {
    channel.port1.close();
    channel.port2.close();
  }
});

async function collect(stream: AsyncIterable<ChatChunk>): Promise<ChatChunk[]> {
  const chunks: ChatChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

const MODEL = "Qwen2.5-0.5B-Instruct-q4f32_1-MLC";

describe("web-llm's worker protocol through a MessagePort", () => {
  it("loads, reports progress and streams an answer with usage", async () => {
    const script = new EngineScriptQueue({ responses: [{ text: "Hello from the port", tokensPerSecond: 2000 }] });
    const engine = connect(script);
    const progress: number[] = [];
    await engine.load(MODEL, (report) => progress.push(report.progress));
    expect(progress.at(-1)).toBe(1);
    const chunks = await collect(engine.stream({ messages: [{ role: "user", content: "hi" }] }));
    const text = chunks.map((chunk) => (chunk.kind === "delta" ? chunk.text : "")).join("");
    expect(text).toBe("Hello from the port");
    const done = chunks.at(-1);
    expect(done?.kind).toBe("done");
    if (done?.kind === "done") {
      expect(done.finishReason).toBe("stop");
      expect(done.usage?.completionTokens).toBeGreaterThan(0);
      expect(done.usage?.decodeTokensPerS).toBeGreaterThan(0);
      expect(done.usage?.timeToFirstTokenS).toBeGreaterThanOrEqual(0);
    }
    expect(script.chatRequests()[0]?.messages.at(-1)?.content).toBe("hi");
  });

  it("stops a long answer when aborted", async () => {
    const script = new EngineScriptQueue({ responses: [{ tokens: 5000, tokensPerSecond: 500 }] });
    const engine = connect(script);
    await engine.load(MODEL);
    const controller = new AbortController();
    let deltas = 0;
    let last: ChatChunk | undefined;
    for await (const chunk of engine.stream({
      messages: [{ role: "user", content: "go" }],
      signal: controller.signal,
    })) {
      last = chunk;
      if (chunk.kind === "delta" && ++deltas === 20) controller.abort();
    }
    expect(deltas).toBeLessThan(200);
    expect(last).toMatchObject({ kind: "done", finishReason: "abort" });
  });

  it("turns a failed load into a typed error with a hint", async () => {
    const script = new EngineScriptQueue({ responses: [], reloads: [{ error: "DeviceLostError" }] });
    const engine = connect(script);
    const failure = await engine.load(MODEL).catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: "DeviceLostError", hint: expect.stringMatching(/smaller model/) as unknown });
    expect(engine.loadedModelId).toBeUndefined();
  });

  it("loads a chat and an embedding model in one engine; chat names its model, embeddings come back", async () => {
    const script = new EngineScriptQueue({ responses: [{ text: "Both loaded", tokensPerSecond: 2000 }] });
    const engine = connect(script);
    const embedder = "snowflake-arctic-embed-s-q0f32-MLC-b4";
    await engine.load(MODEL, undefined, { embeddingModelId: embedder });
    expect(engine.loadedEmbeddingModelId).toBe(embedder);
    expect(script.calls.map((call) => (call.kind === "reload" ? call.modelId : call.kind))).toEqual([MODEL, embedder]);
    const chunks = await collect(engine.stream({ messages: [{ role: "user", content: "hi" }] }));
    expect(chunks.map((chunk) => (chunk.kind === "delta" ? chunk.text : "")).join("")).toBe("Both loaded");
    const [car, automobile, tea] = await engine.embed(["My car is red", "automobile", "Prefers green tea"]);
    const cosine = (a: Float32Array | undefined, b: Float32Array | undefined): number => {
      if (!a || !b) return Number.NaN;
      let dot = 0;
      let na = 0;
      let nb = 0;
      for (let i = 0; i < a.length; i++) {
        dot += (a[i] ?? 0) * (b[i] ?? 0);
        na += (a[i] ?? 0) ** 2;
        nb += (b[i] ?? 0) ** 2;
      }
      return dot / Math.sqrt(na * nb);
    };
    expect(car).toHaveLength(384);
    expect(cosine(car, automobile)).toBeGreaterThan(0.3);
    expect(cosine(tea, automobile)).toBe(0);
  });
});
