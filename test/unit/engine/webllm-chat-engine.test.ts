import type { AppConfig, ChatCompletionChunk, InitProgressReport } from "@mlc-ai/web-llm";
import { describe, expect, it } from "vitest";
import { TabclawError } from "../../../src/core/errors";
import type { ChatChunk } from "../../../src/engine/chat-engine";
import { WebLlmChatEngine, type WebLlmClient } from "../../../src/engine/webllm-chat-engine";

/**
 * A stand-in for web-llm's `WebWorkerMLCEngine` at its documented surface. Like the real worker
 * client, it rejects with the handler's `err.toString()` string, not an Error object.
 */
class FakeClient implements WebLlmClient {
  progress: ((report: InitProgressReport) => void) | undefined;
  appConfig: AppConfig | undefined;
  reloadFailure: string | undefined;
  /** Fails only a reload of several models (the embedding model beside the chat model). */
  pairFailure: string | undefined;
  reloads: (string | string[])[] = [];
  embedded: { input: string[]; model: string }[] = [];
  interrupted = false;
  lastRequest: Parameters<WebLlmClient["chat"]["completions"]["create"]>[0] | undefined;
  tokens = ["Hel", "lo", " there"];

  reload = (modelId: string | string[]): Promise<void> => {
    this.reloads.push(modelId);
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- web-llm's worker client rejects with a string
    if (this.pairFailure && Array.isArray(modelId)) return Promise.reject(this.pairFailure);
    this.progress?.({ progress: 0.5, text: "Fetching param cache[1/2]", timeElapsed: 1 });
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- web-llm's worker client rejects with a string
    if (this.reloadFailure) return Promise.reject(this.reloadFailure);
    this.progress?.({ progress: 1, text: "Finish loading on WebGPU", timeElapsed: 2 });
    return Promise.resolve();
  };
  unload = async (): Promise<void> => {};
  interruptGenerate = (): void => {
    this.interrupted = true;
  };
  setInitProgressCallback = (callback: (report: InitProgressReport) => void): void => {
    this.progress = callback;
  };
  setAppConfig = (appConfig: AppConfig): void => {
    this.appConfig = appConfig;
  };
  embeddings = {
    create: (request: { input: string[]; model: string }) => {
      this.embedded.push(request);
      return Promise.resolve({
        data: request.input.map((text, index) => ({
          embedding: [text.length, 1],
          index,
          object: "embedding" as const,
        })),
        model: request.model,
        object: "list" as const,
        usage: { prompt_tokens: 1, total_tokens: 1, extra: { prefill_tokens_per_s: 1 } },
      });
    },
  };
  chat = {
    completions: {
      create: (request: Parameters<WebLlmClient["chat"]["completions"]["create"]>[0]) => {
        this.lastRequest = request;
        return Promise.resolve(this.#generate());
      },
    },
  };

  async *#generate(): AsyncGenerator<ChatCompletionChunk> {
    for (const token of this.tokens) {
      if (this.interrupted) {
        yield chunk("", "abort");
        return;
      }
      await Promise.resolve();
      yield chunk(token, null);
    }
    yield chunk("", "stop");
    yield {
      ...chunk("", null),
      choices: [],
      usage: {
        prompt_tokens: 12,
        completion_tokens: 3,
        total_tokens: 15,
        extra: {
          e2e_latency_s: 0.5,
          prefill_tokens_per_s: 100,
          decode_tokens_per_s: 25.5,
          time_to_first_token_s: 0.12,
          time_per_output_token_s: 0.04,
        },
      },
    };
  }
}

function chunk(content: string, finish: "stop" | "abort" | null): ChatCompletionChunk {
  return {
    id: "c",
    object: "chat.completion.chunk",
    created: 0,
    model: "m",
    choices: [
      { index: 0, delta: { role: "assistant", content }, finish_reason: finish === "abort" ? "abort" : finish },
    ],
  };
}

async function collect(stream: AsyncIterable<ChatChunk>): Promise<ChatChunk[]> {
  const chunks: ChatChunk[] = [];
  for await (const item of stream) chunks.push(item);
  return chunks;
}

const appConfig: AppConfig = { model_list: [], cacheBackend: "cache" };

describe("WebLlmChatEngine at web-llm's client boundary", () => {
  it("hands web-llm the app config and reports load progress", async () => {
    const client = new FakeClient();
    const engine = new WebLlmChatEngine(client, appConfig);
    expect(client.appConfig).toBe(appConfig);
    const reports: number[] = [];
    await engine.load("Qwen2.5-0.5B-Instruct-q4f32_1-MLC", (progress) => reports.push(progress.progress));
    expect(reports).toEqual([0.5, 1]);
    expect(engine.loadedModelId).toBe("Qwen2.5-0.5B-Instruct-q4f32_1-MLC");
  });

  it("streams text and ends with web-llm's usage figures", async () => {
    const client = new FakeClient();
    const engine = new WebLlmChatEngine(client, appConfig);
    await engine.load("m");
    const chunks = await collect(engine.stream({ messages: [{ role: "user", content: "hi" }] }));
    expect(
      chunks.filter((item) => item.kind === "delta").map((item) => (item.kind === "delta" ? item.text : "")),
    ).toEqual(["Hel", "lo", " there"]);
    expect(chunks.at(-1)).toEqual({
      kind: "done",
      finishReason: "stop",
      usage: {
        promptTokens: 12,
        completionTokens: 3,
        timeToFirstTokenS: 0.12,
        prefillTokensPerS: 100,
        decodeTokensPerS: 25.5,
        endToEndLatencyS: 0.5,
      },
    });
    expect(client.lastRequest?.stream_options).toEqual({ include_usage: true });
  });

  it("passes a JSON schema as web-llm's json_object response format", async () => {
    const client = new FakeClient();
    const engine = new WebLlmChatEngine(client, appConfig);
    const schema = JSON.stringify({ type: "object", properties: { label: { type: "string" } } });
    await collect(engine.stream({ messages: [], responseFormat: { type: "json_object", schema }, maxTokens: 64 }));
    expect(client.lastRequest?.response_format).toEqual({ type: "json_object", schema });
    expect(client.lastRequest?.max_tokens).toBe(64);
  });

  it("stops generating when the request is aborted", async () => {
    const client = new FakeClient();
    client.tokens = Array.from({ length: 50 }, (_, i) => `t${i} `);
    const engine = new WebLlmChatEngine(client, appConfig);
    const controller = new AbortController();
    const seen: ChatChunk[] = [];
    for await (const item of engine.stream({ messages: [], signal: controller.signal })) {
      seen.push(item);
      if (seen.length === 3) controller.abort();
    }
    expect(client.interrupted).toBe(true);
    expect(seen.length).toBeLessThan(10);
    expect(seen.at(-1)).toMatchObject({ kind: "done", finishReason: "abort" });
  });

  it("stops even when the abort comes before the first token, which web-llm itself forgets", async () => {
    const client = new FakeClient();
    client.tokens = Array.from({ length: 50 }, (_, i) => `t${i} `);
    // Like web-llm, forget an interrupt that arrives before generation starts.
    client.interruptGenerate = () => undefined;
    const engine = new WebLlmChatEngine(client, appConfig);
    const controller = new AbortController();
    const stream = engine.stream({ messages: [], signal: controller.signal });
    const seen: ChatChunk[] = [];
    const iterator = stream[Symbol.asyncIterator]();
    const first = iterator.next();
    controller.abort();
    for (let next = await first; !next.done; next = await iterator.next()) seen.push(next.value);
    expect(seen.filter((item) => item.kind === "delta")).toEqual([]);
    expect(seen.at(-1)).toMatchObject({ kind: "done", finishReason: "abort" });
  });

  it("maps web-llm's string errors to typed errors with a hint", async () => {
    const client = new FakeClient();
    client.reloadFailure =
      "ShaderF16SupportError: This model requires WebGPU extension shader-f16, which is not enabled in this browser.";
    const engine = new WebLlmChatEngine(client, appConfig);
    const error = await engine.load("x-q4f16_1").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TabclawError);
    expect((error as TabclawError).name).toBe("ShaderF16UnsupportedError");
    expect((error as TabclawError).hint).toMatch(/q4f32/);
    expect(engine.loadedModelId).toBeUndefined();
  });

  it("maps device loss and a missing model library", async () => {
    const client = new FakeClient();
    const engine = new WebLlmChatEngine(client, appConfig);
    client.reloadFailure = "DeviceLostError: The WebGPU device was lost while loading the model.";
    await expect(engine.load("m")).rejects.toMatchObject({ name: "DeviceLostError" });
    client.reloadFailure = "MissingModelWasmError: Missing `model_lib` for the model with ID m";
    await expect(engine.load("m")).rejects.toMatchObject({ name: "ModelLibraryMissingError" });
    client.reloadFailure = "MissingModelError: Missing `model_lib` for the model with ID m";
    await expect(engine.load("m")).rejects.toMatchObject({ name: "ModelLibraryMissingError" });
    client.reloadFailure = "TypeError: Failed to execute 'add' on 'Cache': Request failed";
    await expect(engine.load("m")).rejects.toMatchObject({ name: "ModelFilesMissingError" });
    client.reloadFailure = "TypeError: Failed to fetch";
    await expect(engine.load("m")).rejects.toMatchObject({ name: "NetworkError" });
  });

  it("loads an embedding model beside the chat model, names the model in every request, and embeds", async () => {
    const client = new FakeClient();
    const engine = new WebLlmChatEngine(client, appConfig);
    await engine.load("chat", undefined, { embeddingModelId: "snowflake-arctic-embed-s-q0f32-MLC-b4" });
    expect(client.reloads).toEqual([["chat", "snowflake-arctic-embed-s-q0f32-MLC-b4"]]);
    expect(engine.loadedEmbeddingModelId).toBe("snowflake-arctic-embed-s-q0f32-MLC-b4");
    await collect(engine.stream({ messages: [{ role: "user", content: "hi" }] }));
    expect(client.lastRequest?.model).toBe("chat");
    const vectors = await engine.embed(["a car", "automobile"], "query");
    expect(vectors.map((vector) => Array.from(vector))).toHaveLength(2);
    expect(vectors[0]).toBeInstanceOf(Float32Array);
    expect(client.embedded[0]?.model).toBe("snowflake-arctic-embed-s-q0f32-MLC-b4");
    expect(client.embedded[0]?.input[0]).toBe(
      "[CLS] Represent this sentence for searching relevant passages: a car [SEP]",
    );
    await engine.embed(["a car"]);
    expect(client.embedded[1]?.input).toEqual(["[CLS] a car [SEP]"]);
  });

  it("loads the chat model alone when the pair fails, and says why", async () => {
    const client = new FakeClient();
    client.pairFailure = "TypeError: Failed to execute 'add' on 'Cache': Request failed";
    const engine = new WebLlmChatEngine(client, appConfig);
    await engine.load("chat", undefined, { embeddingModelId: "embed" });
    expect(client.reloads).toEqual([["chat", "embed"], "chat"]);
    expect(engine.loadedModelId).toBe("chat");
    expect(engine.loadedEmbeddingModelId).toBeUndefined();
    expect(engine.embeddingLoadError?.name).toBe("ModelFilesMissingError");
    await expect(engine.embed(["x"])).rejects.toMatchObject({ name: "ModelNotLoadedError" });
  });
});
