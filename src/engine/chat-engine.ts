/**
 * The one model interface the rest of the app uses. It mirrors the parts of web-llm's
 * OpenAI-style `chat.completions.create` that Tabclaw relies on, so production binds it to
 * web-llm and tests bind it to a scripted engine under `test/`.
 */

export type ChatRole = "system" | "user" | "assistant" | "tool";

export interface ChatTurn {
  role: ChatRole;
  content: string;
}

/** Constrained decoding: web-llm accepts a JSON schema as a string under `json_object`. */
export interface JsonResponseFormat {
  type: "json_object";
  schema: string;
}

export interface ChatRequest {
  messages: ChatTurn[];
  temperature?: number;
  maxTokens?: number;
  responseFormat?: JsonResponseFormat;
  signal?: AbortSignal;
}

/** Figures web-llm reports in the last chunk's `usage`. */
export interface ChatUsage {
  promptTokens: number;
  completionTokens: number;
  /** Seconds from request to first token, as web-llm measured it. */
  timeToFirstTokenS?: number;
  prefillTokensPerS?: number;
  decodeTokensPerS?: number;
  endToEndLatencyS?: number;
}

export type FinishReason = "stop" | "length" | "abort" | "tool_calls";

export type ChatChunk =
  { kind: "delta"; text: string } | { kind: "done"; finishReason: FinishReason; usage?: ChatUsage };

export interface ModelLoadProgress {
  /** 0..1 */
  progress: number;
  text: string;
  timeElapsedS: number;
}

export interface ChatEngine {
  /** Loads (or switches to) a model. Weights must already be in web-llm's cache or reachable. */
  load(modelId: string, onProgress?: (progress: ModelLoadProgress) => void): Promise<void>;
  /** Streams one answer. Aborting the request's signal ends the stream with `abort`. */
  stream(request: ChatRequest): AsyncIterable<ChatChunk>;
  unload(): Promise<void>;
  readonly loadedModelId: string | undefined;
}
