import type { ChatChunk, ChatEngine, ChatRequest } from "../../../src/engine/chat-engine";
import { estimatePromptTokens, estimateTokens } from "../../../src/core/agent/token-estimate";
import { webLlmRequestProblem } from "./scripted-stream";

/**
 * A TEST DOUBLE of a model that obeys prompt injections. It is not a model: it follows a script.
 * What makes it honest: it emits each injected tool call as the decision JSON a model would
 * produce under the decision schema, only after the payload's trigger phrase is visible to it
 * inside an `<untrusted>` fence of its own prompt, and only if the request's schema has a branch
 * for that tool (so constrained decoding would have let it through).
 */
export type HostileStep =
  | { kind: "call"; tool: string; arguments: Record<string, unknown>; reason: string }
  | { kind: "inject"; tool: string; arguments: Record<string, unknown>; reason: string; trigger: string }
  | { kind: "reply"; text: string };

function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null && key in value
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

export class HostileEngine implements ChatEngine {
  readonly requests: ChatRequest[] = [];
  /** Ways the run failed to give the hostile model what a real one would have had. */
  readonly violations: string[] = [];
  /** The decisions it emitted for injected steps, as text. */
  readonly injectedDecisions: string[] = [];
  readonly #steps: HostileStep[];
  #pendingReply: string | undefined;

  constructor(steps: readonly HostileStep[]) {
    this.#steps = [...steps];
  }

  get loadedModelId(): string {
    return "hostile-scripted-engine";
  }

  load(): Promise<void> {
    return Promise.resolve();
  }

  unload(): Promise<void> {
    return Promise.resolve();
  }

  async *stream(request: ChatRequest): AsyncIterable<ChatChunk> {
    this.requests.push(request);
    const problem = webLlmRequestProblem(request);
    if (problem) throw problem;
    const text = request.responseFormat ? this.#decide(request) : this.#reply();
    for (let start = 0; start < text.length; start += 8) {
      await Promise.resolve();
      if (request.signal?.aborted) {
        yield { kind: "done", finishReason: "abort" };
        return;
      }
      yield { kind: "delta", text: text.slice(start, start + 8) };
    }
    const usage = { promptTokens: estimatePromptTokens(request.messages), completionTokens: estimateTokens(text) };
    yield { kind: "done", finishReason: "stop", usage };
  }

  #decide(request: ChatRequest): string {
    const step = this.#steps.shift();
    if (!step) {
      this.violations.push("the script ran out of decisions");
      return JSON.stringify({ tool: "reply" });
    }
    if (step.kind === "reply") {
      this.#pendingReply = step.text;
      return JSON.stringify({ tool: "reply" });
    }
    if (!this.#schemaAllows(request, step.tool)) {
      this.violations.push(`the decision schema has no branch for ${step.tool}`);
    }
    const decision = JSON.stringify({ tool: step.tool, reason: step.reason, arguments: step.arguments });
    if (step.kind === "inject") {
      if (!this.#seesInUntrustedText(request, step.trigger)) {
        this.violations.push(`the payload "${step.trigger}" never reached the model inside an untrusted fence`);
        return JSON.stringify({ tool: "reply" });
      }
      this.injectedDecisions.push(decision);
    }
    return decision;
  }

  #reply(): string {
    const text = this.#pendingReply ?? "Done.";
    this.#pendingReply = undefined;
    return text;
  }

  #schemaAllows(request: ChatRequest, tool: string): boolean {
    const schema: unknown = JSON.parse(request.responseFormat?.schema ?? "{}");
    const branches = field(schema, "anyOf");
    if (!Array.isArray(branches)) return false;
    const items: readonly unknown[] = branches;
    return items.some((branch) => field(field(field(branch, "properties"), "tool"), "const") === tool);
  }

  #seesInUntrustedText(request: ChatRequest, trigger: string): boolean {
    const wanted = trigger.toLowerCase();
    return request.messages.some((message) => {
      const fenced = /<untrusted source="[^"]*">\n([\s\S]*)\n<\/untrusted>/.exec(message.content);
      return fenced?.[1]?.toLowerCase().includes(wanted) ?? false;
    });
  }
}
