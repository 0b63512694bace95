import {
  ModelType,
  postInitAndCheckFieldsChatCompletion,
  postInitAndCheckFieldsEmbedding,
  prebuiltAppConfig,
  type AppConfig,
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatCompletionFinishReason,
  type ChatCompletionRequest,
  type CompletionUsage,
  type CreateEmbeddingResponse,
  type EmbeddingCreateParams,
  type InitProgressCallback,
  type InitProgressReport,
  type MLCEngineInterface,
  type ModelRecord,
} from "@mlc-ai/web-llm";
import { REPLY_TOOL } from "../../src/core/agent/decision-schema";
import {
  DEFAULT_PREFILL_TOKENS_PER_SECOND,
  DEFAULT_TOKENS_PER_SECOND,
  isDecisionRequest,
  SCRIPTED_CRASH_MESSAGE,
  type RecordedChatRequest,
  type ScriptSource,
  type ScriptedResponse,
} from "./engine-script";
import { conceptVector } from "./concept-vectors";
import { navigatorGpuProbe, type GpuFacts, type GpuProbe } from "./gpu-probe";
import { contentText, countPromptTokens, fillerTokens, splitTokens } from "./scripted-tokens";
import { CacheApiArtifacts, type ChatConfigSubset, type ModelArtifacts } from "./webllm-artifacts";
import {
  EARLY_RELOAD_ERRORS,
  contextWindowSizeExceededError,
  featureSupportError,
  missingModelWasmError,
  modelNotFoundError,
  notScriptedError,
  webLlmError,
} from "./webllm-errors";

/**
 * A TEST DOUBLE standing in for web-llm's `MLCEngine` behind web-llm's real
 * `WebWorkerMLCEngineHandler`. It follows a script; it is not a model and its output says nothing
 * about model quality. What it keeps from web-llm: the request validation (web-llm's own
 * `postInitAndCheckFields`), the file traffic of `reload`, the GPU feature checks against the real
 * adapter, the chunk and `usage` shapes, one generation at a time, and `interruptGenerate` semantics
 * (including that an interrupt sent before the stream's first chunk is requested is forgotten).
 */
export type ScriptedEngineSurface = Pick<
  MLCEngineInterface,
  | "setInitProgressCallback"
  | "getInitProgressCallback"
  | "setAppConfig"
  | "reload"
  | "interruptGenerate"
  | "unload"
  | "resetChat"
  | "getMessage"
  | "runtimeStatsText"
  | "getMaxStorageBufferBindingSize"
  | "getGPUVendor"
  | "forwardTokensAndSample"
  | "setLogLevel"
>;

export interface ScriptedEngineOptions {
  script: ScriptSource;
  /** Default: web-llm's file traffic through the Cache API (browser only). */
  artifacts?: ModelArtifacts;
  /** Default: the real adapter from `navigator.gpu`. */
  gpu?: GpuProbe;
  /**
   * Brings the worker down with an uncaught `message` (a scripted `crash`). The browser worker passes
   * one; without it a scripted crash is rejected as not scripted.
   */
  crash?: (message: string) => void;
}

interface Plan {
  tokens: string[];
  finish: "stop" | "length";
  tokensPerSecond: number;
  prefillTokensPerSecond: number;
  promptTokens: number;
  /** Thrown after the scripted tokens, as a mid-stream failure. */
  errorAfter: Error | undefined;
  /** The worker dies after the scripted tokens. */
  crash: boolean;
}

interface Loaded {
  modelId: string;
  config: ChatConfigSubset;
  gpu: GpuFacts;
  /** web-llm builds an `EmbeddingPipeline` for `ModelType.embedding` records, an LLM pipeline otherwise. */
  embedding: boolean;
}

/** The vector length the double gives an embedding model: arctic-embed-m has 768 dimensions, -s and -xs 384. */
function embeddingDimensions(modelId: string): number {
  return /arctic-embed-m\b/.test(modelId) ? 768 : 384;
}

function abortError(): DOMException {
  return new DOMException("The operation was aborted.", "AbortError");
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError());
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * The unscripted answer to a constrained request: an agent decision gets "answer the user", so a
 * chat needs scripting only where a test wants a tool call; any other schema gets a small object.
 */
function defaultJson(request: ChatCompletionRequest, reply: string): string {
  return JSON.stringify(isDecisionRequest(recordRequest(request)) ? { tool: REPLY_TOOL } : { reply });
}

function recordRequest(request: ChatCompletionRequest): RecordedChatRequest {
  return {
    messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
    ...(request.stream !== undefined ? { stream: request.stream } : {}),
    ...(request.max_tokens !== undefined ? { max_tokens: request.max_tokens } : {}),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(request.response_format !== undefined ? { response_format: request.response_format } : {}),
    ...(request.stream_options !== undefined ? { stream_options: request.stream_options } : {}),
  };
}

function lastUserText(request: ChatCompletionRequest): string {
  const last = [...request.messages].reverse().find((message) => message.role === "user");
  return last ? contentText(last.content) : "";
}

export class ScriptedEngine implements ScriptedEngineSurface {
  readonly #script: ScriptSource;
  readonly #artifacts: ModelArtifacts;
  readonly #gpu: GpuProbe;
  readonly #crash: ((message: string) => void) | undefined;
  #appConfig: AppConfig = prebuiltAppConfig;
  #initProgressCallback: InitProgressCallback | undefined;
  /** Loaded models in load order, as web-llm's `loadedModelIdToPipeline`. */
  readonly #loaded = new Map<string, Loaded>();
  #reloadController: AbortController | undefined;
  #interruptSignal = false;
  #wake: (() => void) | undefined;
  /** web-llm's per-model lock: one generation at a time, queued in call order. */
  #lock: Promise<void> = Promise.resolve();
  #message = "";
  #lastUsage: CompletionUsage | undefined;

  constructor(options: ScriptedEngineOptions) {
    this.#script = options.script;
    this.#artifacts = options.artifacts ?? new CacheApiArtifacts(() => this.#appConfig);
    this.#gpu = options.gpu ?? navigatorGpuProbe;
    this.#crash = options.crash;
  }

  /** A scripted crash: the worker throws where nothing catches it, and this call never returns. */
  #die(): Promise<never> {
    if (!this.#crash) throw notScriptedError("a worker crash without a worker to bring down");
    this.#crash(SCRIPTED_CRASH_MESSAGE);
    return new Promise<never>(() => undefined);
  }

  setInitProgressCallback(initProgressCallback: InitProgressCallback): void {
    this.#initProgressCallback = initProgressCallback;
  }

  getInitProgressCallback(): InitProgressCallback | undefined {
    return this.#initProgressCallback;
  }

  setAppConfig(appConfig: AppConfig): void {
    this.#appConfig = appConfig;
  }

  /** Nothing to log: the double has no runtime of its own. */
  setLogLevel(): void {
    // Accepted and ignored.
  }

  setLogitProcessorRegistry(): void {
    // Accepted and ignored, like any engine without custom logit processors.
  }

  /** chatOpts (web-llm's second argument) would only override mlc-chat-config.json, which the double does not use. */
  async reload(modelId: string | string[]): Promise<void> {
    const ids = Array.isArray(modelId) ? modelId : [modelId];
    await this.unload();
    if (new Set(ids).size < ids.length) {
      throw webLlmError(
        "ReloadModelIdNotUniqueError: Need to make models in modelId passed to reload() need to be unique. If you " +
          `want to, load copies of the same model with different modelId. Got: ${ids.join(",")}.`,
      );
    }
    const controller = new AbortController();
    this.#reloadController = controller;
    try {
      // As web-llm: one model after another; a single abort stops the rest.
      for (const id of ids) this.#loaded.set(id, await this.#reloadOne(id, controller.signal));
    } catch (error) {
      // web-llm: a reload cut short by unload() resolves quietly.
      if (error instanceof DOMException && error.name === "AbortError") return;
      throw error;
    } finally {
      if (this.#reloadController === controller) this.#reloadController = undefined;
    }
  }

  async #reloadOne(modelId: string, signal: AbortSignal): Promise<Loaded> {
    const started = performance.now();
    const report = (progress: InitProgressReport): void => this.#initProgressCallback?.(progress);
    const step = await this.#script.nextReload(modelId);
    const scripted = step.error !== undefined ? webLlmError(step.error) : undefined;

    const record: ModelRecord | undefined = this.#appConfig.model_list.find((item) => item.model_id === modelId);
    if (!record) throw modelNotFoundError(modelId);
    const config = await this.#artifacts.chatConfig(record, signal);
    if (!record.model_lib) throw missingModelWasmError(modelId);
    await this.#artifacts.modelLibrary(record, signal);
    const gpu = await this.#gpu();
    if (!gpu) throw webLlmError("WebGPUNotAvailableError");
    for (const feature of record.required_features ?? []) {
      if (!gpu.features.has(feature)) {
        throw feature === "shader-f16" ? webLlmError("ShaderF16SupportError") : featureSupportError(feature);
      }
    }
    if (scripted && EARLY_RELOAD_ERRORS.has(scripted.name)) throw scripted;

    await this.#artifacts.tokenizer(record, config, signal);
    await this.#artifacts.weights(record, signal, report);
    if (step.crash === true) await this.#die();
    await sleep(step.durationMs ?? 50, signal);
    if (scripted && scripted.name !== "DeviceLostError") throw scripted;
    report({
      progress: 1,
      timeElapsed: (performance.now() - started) / 1000,
      text: `Finish loading on WebGPU - ${gpu.description || gpu.vendor}`,
    });
    // web-llm reports "Finish loading" and then throws a device loss noticed during the load.
    if (scripted) throw scripted;
    return { modelId, config, gpu, embedding: record.model_type === ModelType.embedding };
  }

  /** web-llm's `getModelIdToUse` and `getModelStates`: which loaded model answers a request. */
  #select(requested: string | null | undefined, requestName: string, embedding: boolean): Loaded {
    const ids = [...this.#loaded.keys()];
    if (ids.length === 0) throw webLlmError("ModelNotLoadedError");
    let id: string;
    if (requested) {
      if (!ids.includes(requested)) {
        throw webLlmError(
          `SpecifiedModelNotFoundError: Specified model ${requested} for ${requestName} is not found in loaded ` +
            `models. Please check if the correct model is loaded/specified. Loaded models are: ${ids.join(",")}`,
        );
      }
      id = requested;
    } else if (ids.length > 1) {
      throw webLlmError(
        `UnclearModelToUseError: Multiple models are loaded in engine. Please specify the model in ${requestName}.\n` +
          `Currently loaded models are:\n${ids.join(",")}`,
      );
    } else {
      id = ids[0] ?? "";
    }
    const loaded = this.#loaded.get(id);
    if (!loaded) throw webLlmError("ModelNotLoadedError");
    if (loaded.embedding !== embedding) {
      const expected = embedding ? "EmbeddingPipeline" : "LLMChatPipeline";
      throw webLlmError(
        `IncorrectPipelineLoadedError: ${requestName} expects model to be loaded with ${expected}. However, ` +
          `${id} is not loaded with this pipeline.`,
      );
    }
    return loaded;
  }

  unload(): Promise<void> {
    this.#loaded.clear();
    this.#reloadController?.abort("Engine.unload() is called.");
    this.#reloadController = undefined;
    return Promise.resolve();
  }

  interruptGenerate(): void {
    this.#interruptSignal = true;
    this.#wake?.();
  }

  resetChat(): Promise<void> {
    this.#message = "";
    return Promise.resolve();
  }

  getMessage(): Promise<string> {
    return Promise.resolve(this.#message);
  }

  runtimeStatsText(): Promise<string> {
    const extra = this.#lastUsage?.extra;
    if (!extra) return Promise.resolve("");
    return Promise.resolve(
      `prefill: ${extra.prefill_tokens_per_s.toFixed(4)} tokens/sec, ` +
        `decoding: ${extra.decode_tokens_per_s.toFixed(4)} tokens/sec`,
    );
  }

  async getMaxStorageBufferBindingSize(): Promise<number> {
    const gpu = await this.#gpu();
    if (!gpu) throw webLlmError("WebGPUNotAvailableError");
    return gpu.maxStorageBufferBindingSize;
  }

  async getGPUVendor(): Promise<string> {
    const gpu = await this.#gpu();
    if (!gpu) throw webLlmError("WebGPUNotAvailableError");
    return gpu.vendor;
  }

  forwardTokensAndSample(): Promise<number> {
    return Promise.reject(notScriptedError("forwardTokensAndSample"));
  }

  completion(): Promise<never> {
    return Promise.reject(notScriptedError("completions.create (text completion)"));
  }

  /**
   * web-llm's `embedding`: its own request checks, then one vector per input from a small concept
   * table ({@link conceptVector}), so a "car" and an "automobile" are close. Token ids are not
   * scripted (the double has no tokenizer).
   */
  embedding(request: EmbeddingCreateParams): Promise<CreateEmbeddingResponse> {
    try {
      const loaded = this.#select(request.model, "EmbeddingCreateParams", true);
      postInitAndCheckFieldsEmbedding(request, loaded.modelId);
      const inputs = typeof request.input === "string" ? [request.input] : request.input;
      const texts = inputs.map((input) => {
        if (typeof input !== "string") throw notScriptedError("embedding token ids");
        return input;
      });
      const dimensions = embeddingDimensions(loaded.modelId);
      const tokens = texts.reduce((sum, text) => sum + text.split(/\s+/).length, 0);
      return Promise.resolve({
        data: texts.map((text, index) => ({
          embedding: Array.from(conceptVector(text, dimensions)),
          index,
          object: "embedding" as const,
        })),
        model: loaded.modelId,
        object: "list",
        usage: { prompt_tokens: tokens, total_tokens: tokens, extra: { prefill_tokens_per_s: 1000 } },
      });
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** As web-llm: the stream is returned at once and starts working on its first `next()`. */
  async chatCompletion(
    request: ChatCompletionRequest,
  ): Promise<AsyncGenerator<ChatCompletionChunk, void> | ChatCompletion> {
    const timeReceived = Date.now();
    const loaded = this.#select(request.model, "ChatCompletionRequest", false);
    postInitAndCheckFieldsChatCompletion(request, loaded.modelId, ModelType.LLM);
    const step = await this.#script.nextResponse(recordRequest(request));
    if (step?.error !== undefined && step.text === undefined && step.tokens === undefined)
      throw webLlmError(step.error);
    const plan = this.#plan(request, step, loaded);
    const stream = this.#stream(request, plan, loaded, timeReceived);
    if (request.stream) return stream;
    return this.#collect(stream);
  }

  #plan(request: ChatCompletionRequest, step: ScriptedResponse | undefined, loaded: Loaded): Plan {
    let tokens: string[];
    if (step) {
      const text = splitTokens(step.text ?? "");
      tokens = [...text, ...fillerTokens(step.tokens ?? 0, text.length > 0)];
    } else {
      const reply = `Scripted reply to: ${lastUserText(request)}`;
      tokens = splitTokens(request.response_format?.type === "json_object" ? defaultJson(request, reply) : reply);
    }
    const maxTokens = request.max_tokens ?? undefined;
    const truncated = maxTokens !== undefined && tokens.length > maxTokens;
    const promptTokens = countPromptTokens(request.messages);
    const window = loaded.config.context_window_size ?? -1;
    return {
      tokens: truncated ? tokens.slice(0, maxTokens) : tokens,
      finish: truncated ? "length" : "stop",
      tokensPerSecond: step?.tokensPerSecond ?? DEFAULT_TOKENS_PER_SECOND,
      prefillTokensPerSecond: step?.prefillTokensPerSecond ?? DEFAULT_PREFILL_TOKENS_PER_SECOND,
      promptTokens,
      errorAfter:
        window > 0 && promptTokens > window
          ? contextWindowSizeExceededError(promptTokens, window)
          : step?.error !== undefined
            ? webLlmError(step.error)
            : undefined,
      crash: step?.crash === true,
    };
  }

  async #acquire(): Promise<() => void> {
    const previous = this.#lock;
    let release = (): void => undefined;
    this.#lock = new Promise<void>((resolve) => (release = resolve));
    await previous;
    return release;
  }

  /** Waits until `at` (performance.now() ms) or an interrupt, whichever comes first. */
  #until(at: number): Promise<void> {
    const delay = at - performance.now();
    if (delay <= 0 || this.#interruptSignal) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, delay);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }

  async *#stream(
    request: ChatCompletionRequest,
    plan: Plan,
    loaded: Loaded,
    timeReceived: number,
  ): AsyncGenerator<ChatCompletionChunk, void> {
    const release = await this.#acquire();
    try {
      const id = crypto.randomUUID();
      const created = Math.floor(Date.now() / 1000);
      const base = { id, model: loaded.modelId, object: "chat.completion.chunk" as const, created };
      // web-llm clears the interrupt flag once it holds the lock, so earlier interrupts are lost.
      this.#interruptSignal = false;
      this.#message = "";
      const prefillStart = performance.now();
      if (plan.errorAfter?.name === "ContextWindowSizeExceededError") throw plan.errorAfter;
      await this.#until(prefillStart + (plan.promptTokens / plan.prefillTokensPerSecond) * 1000);
      const firstToken = performance.now();
      let finish: ChatCompletionFinishReason = plan.finish;
      let emitted = 0;
      for (const [i, token] of plan.tokens.entries()) {
        if (i > 0) await this.#until(firstToken + (i / plan.tokensPerSecond) * 1000);
        if (this.#interruptSignal) {
          finish = "abort";
          break;
        }
        this.#message += token;
        emitted++;
        yield {
          ...base,
          choices: [{ delta: { content: token, role: "assistant" }, finish_reason: null, index: 0, logprobs: null }],
        };
      }
      if (finish !== "abort" && plan.crash) await this.#die();
      if (finish !== "abort" && plan.errorAfter) throw plan.errorAfter;
      const lastToken = performance.now();
      yield { ...base, choices: [{ delta: {}, finish_reason: finish, index: 0 }] };
      const usage = this.#usage(request, plan, emitted, prefillStart, firstToken, lastToken, timeReceived);
      this.#lastUsage = usage;
      if (request.stream_options?.include_usage === true) yield { ...base, choices: [], usage };
    } finally {
      this.#wake = undefined;
      release();
    }
  }

  #usage(
    request: ChatCompletionRequest,
    plan: Plan,
    completionTokens: number,
    prefillStart: number,
    firstToken: number,
    lastToken: number,
    timeReceived: number,
  ): CompletionUsage {
    const prefillS = (firstToken - prefillStart) / 1000;
    const decodeTokens = Math.max(completionTokens - 1, 0);
    const decodeS = (lastToken - firstToken) / 1000;
    const grammar = request.response_format?.type === "json_object" || request.response_format?.type === "grammar";
    return {
      completion_tokens: completionTokens,
      prompt_tokens: plan.promptTokens,
      total_tokens: completionTokens + plan.promptTokens,
      extra: {
        e2e_latency_s: (Date.now() - timeReceived) / 1000,
        prefill_tokens_per_s: prefillS > 0 ? plan.promptTokens / prefillS : 0,
        decode_tokens_per_s: decodeS > 0 ? decodeTokens / decodeS : 0,
        time_to_first_token_s: prefillS,
        time_per_output_token_s: decodeTokens > 0 ? decodeS / decodeTokens : 0,
        ...(grammar ? { grammar_init_s: 0, grammar_per_token_s: 0 } : {}),
      },
    };
  }

  async #collect(stream: AsyncGenerator<ChatCompletionChunk, void>): Promise<ChatCompletion> {
    let content = "";
    let finish: ChatCompletionFinishReason = "stop";
    let last: ChatCompletionChunk | undefined;
    for await (const chunk of stream) {
      last = chunk;
      const choice = chunk.choices[0];
      content += choice?.delta.content ?? "";
      if (choice?.finish_reason) finish = choice.finish_reason;
    }
    return {
      id: last?.id ?? crypto.randomUUID(),
      choices: [{ finish_reason: finish, index: 0, message: { content, role: "assistant" }, logprobs: null }],
      model: last?.model ?? "",
      object: "chat.completion",
      created: last?.created ?? Math.floor(Date.now() / 1000),
      ...(this.#lastUsage ? { usage: this.#lastUsage } : {}),
    };
  }
}
