import { estimatePromptTokens, estimateTokens } from "../../../src/core/agent/token-estimate";
import type { ChatChunk, ChatEngine, ChatRequest } from "../../../src/engine/chat-engine";

/**
 * A TEST DOUBLE of a model for a routine's constrained calls: answers each request with the text
 * a subclass scripts, in one chunk, and reports usage like web-llm (the prompt's and the answer's
 * estimates); records the requests and counts the tokens, so an idle run can be shown to cost 0.
 */
export abstract class AnsweringEngine implements ChatEngine {
  readonly requests: ChatRequest[] = [];
  tokens = 0;

  constructor(readonly loadedModelId: string) {}

  /** The scripted answer to `request`. */
  protected abstract answerFor(request: ChatRequest): string;

  load(): Promise<void> {
    return Promise.resolve();
  }

  unload(): Promise<void> {
    return Promise.resolve();
  }

  async *stream(request: ChatRequest): AsyncIterable<ChatChunk> {
    this.requests.push(request);
    const text = this.answerFor(request);
    await Promise.resolve();
    yield { kind: "delta", text };
    const usage = { promptTokens: estimatePromptTokens(request.messages), completionTokens: estimateTokens(text) };
    this.tokens += usage.promptTokens + usage.completionTokens;
    yield { kind: "done", finishReason: "stop", usage };
  }
}
