import { REPLY_TOOL } from "../../src/core/agent/decision-schema";

/**
 * What the scripted engine (a TEST DOUBLE, never a model) says and does. A test sets a script on
 * the test server; the scripted model worker asks the server for the next step on every reload and
 * every chat request, so the queue lives in one place and survives a worker restart.
 */

/** One answer to one chat request, consumed in order. */
export interface ScriptedResponse {
  /** Streamed token by token (a token is a word with its leading whitespace). */
  text?: string;
  /** This many filler tokens, streamed after `text`. */
  tokens?: number;
  /** Decode speed; the default is {@link DEFAULT_TOKENS_PER_SECOND}. */
  tokensPerSecond?: number;
  /** Prefill speed, which sets the time to first token; default {@link DEFAULT_PREFILL_TOKENS_PER_SECOND}. */
  prefillTokensPerSecond?: number;
  /**
   * A web-llm error name (`DeviceLostError`) or `"Name: message"`. With no text or tokens the request
   * is rejected up front; otherwise the stream breaks after the scripted tokens, as a GPU loss would.
   */
  error?: string;
  /**
   * After the scripted tokens the model worker dies: it throws {@link SCRIPTED_CRASH_MESSAGE} where
   * nothing catches it (the page sees the worker's "error" event) and never answers again, as a worker
   * brought down by a wasm trap or a lost GPU process would.
   */
  crash?: boolean;
}

/** One reload, consumed in order; an empty queue means a reload that succeeds. */
export interface ScriptedReload {
  /**
   * A web-llm error name or `"Name: message"`. Thrown where web-llm throws it: feature and WebGPU
   * errors before any weight is read, everything else (e.g. `DeviceLostError`) at the end.
   */
  error?: string;
  /** Time spent "loading onto the GPU" after the weights are read, in ms. Default 50. */
  durationMs?: number;
  /** The model worker dies once the weights are read, as in {@link ScriptedResponse.crash}. */
  crash?: boolean;
}

export interface EngineScript {
  /** Answers to plain requests: the text the user reads. */
  responses: ScriptedResponse[];
  /**
   * Answers to agent decision requests (constrained by the decision schema), e.g. the JSON of a
   * tool call. When none is left a decision gets `{"tool":"reply"}`, so a test that does not care
   * about tools scripts only what the user reads.
   */
  decisions?: ScriptedResponse[];
  reloads?: ScriptedReload[];
}

/** Whether a request asks for an agent decision: JSON under a schema that offers the `reply` pseudo-tool. */
export function isDecisionRequest(request: Pick<RecordedChatRequest, "response_format">): boolean {
  const format = request.response_format;
  if (typeof format !== "object" || format === null) return false;
  const { type, schema } = format as { type?: unknown; schema?: unknown };
  return type === "json_object" && typeof schema === "string" && schema.includes(`{"const":"${REPLY_TOOL}"}`);
}

/** A request the scripted engine received, as the test server recorded it. */
export type EngineCall =
  { kind: "reload"; modelId: string; at: number } | { kind: "chat"; request: RecordedChatRequest; at: number };

/** The parts of a chat request a test asserts on (what the model was actually asked). */
export interface RecordedChatRequest {
  messages: { role: string; content: unknown }[];
  stream?: boolean | null;
  max_tokens?: number | null;
  temperature?: number | null;
  response_format?: unknown;
  stream_options?: unknown;
}

/** What the scripted model worker throws when a script makes it crash. */
export const SCRIPTED_CRASH_MESSAGE = "scripted worker crash";

export const DEFAULT_TOKENS_PER_SECOND = 200;
export const DEFAULT_PREFILL_TOKENS_PER_SECOND = 2000;

/** Endpoints the scripted model worker calls on the test server. */
export const ENGINE_SCRIPT_PATH = "/__test__/engine-script";
export const ENGINE_RELOAD_PATH = "/__test__/engine/reload";
export const ENGINE_CHAT_PATH = "/__test__/engine/chat";

/** Where the engine gets its next step: over HTTP in the browser, in memory in Node. */
export interface ScriptSource {
  nextReload(modelId: string): Promise<ScriptedReload>;
  /** `undefined` when the script is used up: the engine then gives its default answer. */
  nextResponse(request: RecordedChatRequest): Promise<ScriptedResponse | undefined>;
}

/** The script queue plus a record of every call, owned by the test server (or a Node test). */
export class EngineScriptQueue implements ScriptSource {
  #responses: ScriptedResponse[] = [];
  #decisions: ScriptedResponse[] = [];
  #reloads: ScriptedReload[] = [];
  readonly calls: EngineCall[] = [];

  constructor(script?: EngineScript) {
    if (script) this.set(script);
  }

  /** Replaces what is left of the script; calls already recorded are kept. */
  set(script: EngineScript): void {
    this.#responses = [...script.responses];
    this.#decisions = [...(script.decisions ?? [])];
    this.#reloads = [...(script.reloads ?? [])];
  }

  /** What is left to consume. */
  remaining(): EngineScript {
    return { responses: [...this.#responses], decisions: [...this.#decisions], reloads: [...this.#reloads] };
  }

  nextReload(modelId: string): Promise<ScriptedReload> {
    this.calls.push({ kind: "reload", modelId, at: Date.now() });
    return Promise.resolve(this.#reloads.shift() ?? {});
  }

  nextResponse(request: RecordedChatRequest): Promise<ScriptedResponse | undefined> {
    this.calls.push({ kind: "chat", request, at: Date.now() });
    return Promise.resolve(isDecisionRequest(request) ? this.#decisions.shift() : this.#responses.shift());
  }

  chatRequests(): RecordedChatRequest[] {
    return this.calls.flatMap((call) => (call.kind === "chat" ? [call.request] : []));
  }

  /** The requests for text the user reads, without the agent's decisions. */
  answerRequests(): RecordedChatRequest[] {
    return this.chatRequests().filter((request) => !isDecisionRequest(request));
  }
}

/** A call as a test lists it: `reload <model>`, `decide` (an agent decision) or `chat` (an answer). */
export function describeEngineCall(call: EngineCall): string {
  if (call.kind === "reload") return `reload ${call.modelId}`;
  return isDecisionRequest(call.request) ? "decide" : "chat";
}
