import type { AppConfig, ChatCompletionChunk, CreateEmbeddingResponse, InitProgressReport } from "@mlc-ai/web-llm";
import type { TabclawError } from "../core/errors";
import type { ChatChunk, ChatEngine, ChatRequest, ChatUsage, FinishReason, ModelLoadProgress } from "./chat-engine";
import type { EmbeddingEngine, EmbeddingPurpose } from "./embedding-engine";
import { mapEngineError } from "./engine-errors";

/**
 * The slice of web-llm's client (`WebWorkerMLCEngine` / `MLCEngine`) this adapter needs.
 * Declared structurally so the adapter is tested at web-llm's documented boundary.
 */
export interface WebLlmClient {
  /** Several ids load several models into one engine, in order; requests must then name theirs. */
  reload(modelId: string | string[]): Promise<void>;
  unload(): Promise<void>;
  interruptGenerate(): void;
  setInitProgressCallback(callback: (report: InitProgressReport) => void): void;
  setAppConfig(appConfig: AppConfig): void;
  embeddings: {
    create(request: { input: string[]; model: string }): Promise<CreateEmbeddingResponse>;
  };
  chat: {
    completions: {
      create(request: {
        model: string;
        messages: { role: "system" | "user" | "assistant"; content: string }[];
        stream: true;
        stream_options: { include_usage: true };
        temperature?: number;
        max_tokens?: number;
        response_format?: { type: "json_object"; schema: string };
      }): Promise<AsyncIterable<ChatCompletionChunk>>;
    };
  };
}

function toUsage(usage: ChatCompletionChunk["usage"]): ChatUsage | undefined {
  if (!usage) return undefined;
  const extra = usage.extra;
  return {
    promptTokens: usage.prompt_tokens,
    completionTokens: usage.completion_tokens,
    timeToFirstTokenS: extra?.time_to_first_token_s,
    prefillTokensPerS: extra?.prefill_tokens_per_s,
    decodeTokensPerS: extra?.decode_tokens_per_s,
    endToEndLatencyS: extra?.e2e_latency_s,
  };
}

function toFinishReason(reason: string | null | undefined, aborted: boolean): FinishReason {
  if (aborted || reason === "abort") return "abort";
  if (reason === "length" || reason === "tool_calls") return reason;
  return "stop";
}

/**
 * snowflake-arctic-embed (v1) reads the first token's output as the text's vector, and web-llm's
 * tokenizer adds no special tokens, so the text is framed as the model saw it in training; a query
 * also carries the model's retrieval instruction (passages do not).
 */
export const ARCTIC_QUERY_PREFIX = "Represent this sentence for searching relevant passages: ";

/** Within the 512 tokens snowflake-arctic-embed reads (a fact is at most 500 characters). */
const MAX_EMBED_CHARS = 1000;

export function arcticEmbedInput(text: string, purpose: EmbeddingPurpose): string {
  const body = text.slice(0, MAX_EMBED_CHARS);
  return purpose === "query" ? `[CLS] ${ARCTIC_QUERY_PREFIX}${body} [SEP]` : `[CLS] ${body} [SEP]`;
}

export interface LoadOptions {
  /** An embedding model to load into the same engine, after the chat model. */
  embeddingModelId?: string;
}

/**
 * Binds `ChatEngine` (and `EmbeddingEngine`) to web-llm. One generation at a time, as web-llm
 * itself requires. With an embedding model, both models live in one web-llm engine
 * (`reload([chat, embedding])`), so every request names its model.
 */
export class WebLlmChatEngine implements ChatEngine, EmbeddingEngine {
  #loadedModelId: string | undefined;
  #loadedEmbeddingModelId: string | undefined;
  #embeddingLoadError: TabclawError | undefined;

  constructor(
    private readonly client: WebLlmClient,
    appConfig: AppConfig,
  ) {
    client.setAppConfig(appConfig);
  }

  setAppConfig(appConfig: AppConfig): void {
    this.client.setAppConfig(appConfig);
  }

  get loadedModelId(): string | undefined {
    return this.#loadedModelId;
  }

  get loadedEmbeddingModelId(): string | undefined {
    return this.#loadedEmbeddingModelId;
  }

  /** Why the embedding model asked for in the last `load` is not loaded (the chat model is). */
  get embeddingLoadError(): TabclawError | undefined {
    return this.#embeddingLoadError;
  }

  /**
   * Loads the chat model, with an embedding model beside it when one is given. If the pair fails,
   * the chat model is loaded alone (chat matters more than vectors) and `embeddingLoadError` says
   * why; if that fails too, its error is thrown.
   */
  async load(
    modelId: string,
    onProgress?: (progress: ModelLoadProgress) => void,
    options: LoadOptions = {},
  ): Promise<void> {
    const embeddingModelId = options.embeddingModelId;
    this.#loadedModelId = undefined;
    this.#loadedEmbeddingModelId = undefined;
    this.#embeddingLoadError = undefined;
    const ids =
      embeddingModelId !== undefined && embeddingModelId !== modelId ? [modelId, embeddingModelId] : [modelId];
    // web-llm reports each model's progress from 0 to 1 in turn; shown as one bar.
    let model = 0;
    this.client.setInitProgressCallback((report) => {
      const progress = Math.min(1, (model + report.progress) / ids.length);
      onProgress?.({ progress, text: report.text, timeElapsedS: report.timeElapsed });
      if (report.progress >= 1 && report.text.startsWith("Finish loading")) model = Math.min(model + 1, ids.length - 1);
    });
    try {
      await this.client.reload(ids.length === 1 ? modelId : ids);
      this.#loadedModelId = modelId;
      this.#loadedEmbeddingModelId = ids[1];
      return;
    } catch (error) {
      if (ids.length === 1) throw mapEngineError(error);
      this.#embeddingLoadError = mapEngineError(error);
    }
    model = 0;
    try {
      await this.client.reload(modelId);
      this.#loadedModelId = modelId;
    } catch (error) {
      this.#embeddingLoadError = undefined;
      throw mapEngineError(error);
    }
  }

  async unload(): Promise<void> {
    await this.client.unload();
    this.#loadedModelId = undefined;
    this.#loadedEmbeddingModelId = undefined;
  }

  async embed(texts: readonly string[], purpose: EmbeddingPurpose = "document"): Promise<Float32Array[]> {
    const model = this.#loadedEmbeddingModelId;
    if (model === undefined) throw mapEngineError("ModelNotLoadedError: No embedding model is loaded.");
    if (texts.length === 0) return [];
    let response: CreateEmbeddingResponse;
    try {
      response = await this.client.embeddings.create({
        input: texts.map((text) => arcticEmbedInput(text, purpose)),
        model,
      });
    } catch (error) {
      throw mapEngineError(error);
    }
    const vectors = [...response.data]
      .sort((a, b) => a.index - b.index)
      .map((item) => Float32Array.from(item.embedding));
    if (vectors.length !== texts.length)
      throw mapEngineError(`EmbeddingError: Asked for ${texts.length} vectors, got ${vectors.length}.`);
    return vectors;
  }

  async *stream(request: ChatRequest): AsyncIterable<ChatChunk> {
    const signal = request.signal;
    if (signal?.aborted) {
      yield { kind: "done", finishReason: "abort" };
      return;
    }
    const interrupt = (): void => this.client.interruptGenerate();
    signal?.addEventListener("abort", interrupt, { once: true });
    try {
      let chunks: AsyncIterable<ChatCompletionChunk>;
      try {
        chunks = await this.client.chat.completions.create({
          // Required once an embedding model shares the engine; harmless with one model.
          model: this.#loadedModelId ?? "",
          messages: request.messages.map((turn) => ({
            role: turn.role === "tool" ? "user" : turn.role,
            content: turn.content,
          })),
          stream: true,
          stream_options: { include_usage: true },
          ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
          ...(request.maxTokens !== undefined ? { max_tokens: request.maxTokens } : {}),
          ...(request.responseFormat ? { response_format: request.responseFormat } : {}),
        });
      } catch (error) {
        throw mapEngineError(error);
      }
      let finish: string | null | undefined;
      let usage: ChatUsage | undefined;
      try {
        for await (const chunk of chunks) {
          if (signal?.aborted) {
            // web-llm clears an interrupt that arrives before the first chunk, so ask again on every chunk;
            // keep reading without showing text, so the usage figures of the stopped answer still arrive.
            interrupt();
            if (chunk.usage) usage = toUsage(chunk.usage);
            continue;
          }
          const choice = chunk.choices[0];
          const text = choice?.delta.content;
          if (text) yield { kind: "delta", text };
          if (choice?.finish_reason) finish = choice.finish_reason;
          if (chunk.usage) usage = toUsage(chunk.usage);
        }
      } catch (error) {
        throw mapEngineError(error);
      }
      yield {
        kind: "done",
        finishReason: toFinishReason(finish, signal?.aborted ?? false),
        ...(usage ? { usage } : {}),
      };
    } finally {
      signal?.removeEventListener("abort", interrupt);
    }
  }
}
