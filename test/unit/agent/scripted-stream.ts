import type { ChatChunk, ChatRequest, ChatUsage, FinishReason } from "../../../src/engine/chat-engine";
import { estimatePromptTokens, estimateTokens } from "../../../src/core/agent/token-estimate";

/**
 * A TEST DOUBLE for `ChatEngine.stream`: it follows a script, it is not a model. What it keeps
 * from web-llm: the message-order rules web-llm enforces (one system message, first; the last
 * message from the user or a tool), `response_format.schema` as a JSON string, delta chunks then
 * one `done` chunk with `usage`, and abort ending the stream with `abort`.
 */
export type ScriptedResponse =
  /** `usage: null` reports none, as an engine without `include_usage` would. */
  { text: string; finishReason?: FinishReason; usage?: ChatUsage | null; chunkSize?: number } | { throws: Error };

export type ScriptStep = ScriptedResponse | ((request: ChatRequest) => ScriptedResponse);

export interface ScriptedStream {
  stream: (request: ChatRequest) => AsyncIterable<ChatChunk>;
  /** Every request received, in order. */
  requests: ChatRequest[];
}

function namedError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

/** The checks web-llm's `postInitAndCheckFields` makes that a rendered context could break. */
export function webLlmRequestProblem(request: ChatRequest): Error | undefined {
  const { messages } = request;
  if (messages.some((message, index) => message.role === "system" && index !== 0)) {
    return namedError("SystemMessageOrderError", "The system prompt must be the first message.");
  }
  const last = messages.at(-1);
  if (!last || (last.role !== "user" && last.role !== "tool")) {
    return namedError("MessageOrderError", "Last message should be from either `user` or `tool`.");
  }
  if (request.responseFormat) {
    try {
      JSON.parse(request.responseFormat.schema);
    } catch {
      return namedError("InvalidResponseFormatError", "The schema is not JSON.");
    }
  }
  return undefined;
}

export function scriptedStream(steps: readonly ScriptStep[]): ScriptedStream {
  const requests: ChatRequest[] = [];
  let next = 0;
  async function* stream(request: ChatRequest): AsyncGenerator<ChatChunk> {
    requests.push(request);
    const problem = webLlmRequestProblem(request);
    if (problem) throw problem;
    const step = steps[next];
    next += 1;
    if (step === undefined) throw namedError("ScriptExhaustedError", `No scripted response for call ${next}.`);
    const response = typeof step === "function" ? step(request) : step;
    if ("throws" in response) throw response.throws;
    const size = response.chunkSize ?? 5;
    for (let start = 0; start < response.text.length; start += size) {
      // A macrotask per chunk, as a worker's messages arrive: lets an abort land mid-stream.
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (request.signal?.aborted) {
        yield { kind: "done", finishReason: "abort" };
        return;
      }
      yield { kind: "delta", text: response.text.slice(start, start + size) };
    }
    const finishReason = response.finishReason ?? "stop";
    if (response.usage === null) {
      yield { kind: "done", finishReason };
      return;
    }
    const usage = response.usage ?? {
      promptTokens: estimatePromptTokens(request.messages),
      completionTokens: estimateTokens(response.text),
    };
    yield { kind: "done", finishReason, usage };
  }
  return { stream, requests };
}

/** A decision as the model would emit it under the decision schema. */
export function decisionText(
  tool: string,
  args: Record<string, unknown> = {},
  reason = "Needed for the request.",
): string {
  return tool === "reply" ? JSON.stringify({ tool }) : JSON.stringify({ tool, reason, arguments: args });
}
