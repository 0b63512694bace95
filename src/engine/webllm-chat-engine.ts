import type { AppConfig, ChatCompletionChunk, InitProgressReport } from "@mlc-ai/web-llm";
import type { ChatChunk, ChatEngine, ChatRequest, ChatUsage, FinishReason, ModelLoadProgress } from "./chat-engine";
import { mapEngineError } from "./engine-errors";

/**
 * The slice of web-llm's client (`WebWorkerMLCEngine` / `MLCEngine`) this adapter needs.
 * Declared structurally so the adapter is tested at web-llm's documented boundary.
 */
export interface WebLlmClient {
  reload(modelId: string): Promise<void>;
  unload(): Promise<void>;
  interruptGenerate(): void;
  setInitProgressCallback(callback: (report: InitProgressReport) => void): void;
  setAppConfig(appConfig: AppConfig): void;
  chat: {
    completions: {
      create(request: {
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

/** Binds `ChatEngine` to web-llm. One generation at a time, as web-llm itself requires. */
export class WebLlmChatEngine implements ChatEngine {
  #loadedModelId: string | undefined;

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

  async load(modelId: string, onProgress?: (progress: ModelLoadProgress) => void): Promise<void> {
    this.client.setInitProgressCallback((report) =>
      onProgress?.({ progress: report.progress, text: report.text, timeElapsedS: report.timeElapsed }),
    );
    try {
      await this.client.reload(modelId);
      this.#loadedModelId = modelId;
    } catch (error) {
      this.#loadedModelId = undefined;
      throw mapEngineError(error);
    }
  }

  async unload(): Promise<void> {
    await this.client.unload();
    this.#loadedModelId = undefined;
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
