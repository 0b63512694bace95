import type { ProposedAction, ToolResult } from "../../../src/core/agent/action";
import { externalContent, userMessage } from "../../../src/core/agent/context-item";
import { assessTaint, type TaintRecord } from "../../../src/core/agent/taint";
import { defineTool } from "../../../src/core/agent/tool";
import { ToolRegistry } from "../../../src/core/agent/tool-registry";
import type { AuditedFetch, FetchFunction } from "../../../src/gate/audited-fetch";
import type { Connector } from "../../../src/gate/connector";

/** A few tools with the effects and connectors the real ones will have. */
export const readEmail = defineTool({
  name: "read_email",
  description: "Read one email by id.",
  effect: "read",
  connector: "gmail",
  scope: "gmail.readonly",
  resultTrust: "untrusted",
  argumentsSchema: {
    type: "object",
    properties: { message_id: { type: "string", maxLength: 64 } },
    required: ["message_id"],
    additionalProperties: false,
  },
  preview: (args) => ({ title: "Read an email", fields: [{ label: "Message", value: args.message_id }] }),
});

export const sendEmail = defineTool({
  name: "send_email",
  description: "Send an email.",
  effect: "send",
  connector: "gmail",
  scope: "gmail.send",
  resultTrust: "trusted",
  argumentsSchema: {
    type: "object",
    properties: {
      to: { type: "array", items: { type: "string", maxLength: 254 }, minItems: 1, maxItems: 10 },
      subject: { type: "string", maxLength: 200 },
      body: { type: "string" },
    },
    required: ["to", "subject", "body"],
    additionalProperties: false,
  },
  preview: (args) => ({ title: "Send an email", fields: [{ label: "Subject", value: args.subject }], body: args.body }),
});

export const applyLabel = defineTool({
  name: "apply_label",
  description: "Label an email.",
  effect: "write",
  connector: "gmail",
  scope: "gmail.modify",
  resultTrust: "trusted",
  argumentsSchema: {
    type: "object",
    properties: { message_id: { type: "string", maxLength: 64 }, label: { type: "string", maxLength: 60 } },
    required: ["message_id", "label"],
    additionalProperties: false,
  },
  preview: (args) => ({ title: "Label an email", fields: [{ label: "Label", value: args.label }] }),
});

export const memorySave = defineTool({
  name: "memory_save",
  description: "Remember a fact.",
  effect: "write",
  connector: "memory",
  resultTrust: "trusted",
  argumentsSchema: {
    type: "object",
    properties: { fact: { type: "string" } },
    required: ["fact"],
    additionalProperties: false,
  },
  preview: (args) => ({ title: "Remember", fields: [{ label: "Fact", value: args.fact }] }),
});

export function testTools(): ToolRegistry {
  return new ToolRegistry([readEmail, sendEmail, applyLabel, memorySave]);
}

export const CLEAN: TaintRecord = { tainted: false, sources: [], reasons: [], argumentSources: [] };

/** The taint of arguments copied from a mail the agent read. */
export function taintedBy(args: Record<string, unknown>, mail: string): TaintRecord {
  return assessTaint(args, [userMessage("Tidy my inbox."), externalContent("gmail:18f0c", mail)]);
}

let clock = 1_700_000_000_000;

/** A proposal as the agent worker builds it, from the tool's own declaration. */
export function proposal(
  toolName: string,
  args: Record<string, unknown>,
  options: { taint?: TaintRecord; id?: string } = {},
): ProposedAction {
  const tool = testTools().get(toolName);
  if (!tool) throw new Error(`no test tool ${toolName}`);
  clock += 1000;
  return {
    id: options.id ?? crypto.randomUUID(),
    tool: tool.name,
    effect: tool.effect,
    ...(tool.connector !== undefined ? { connector: tool.connector } : {}),
    ...(tool.scope !== undefined ? { scope: tool.scope } : {}),
    arguments: args,
    reason: "Because you asked.",
    preview: tool.preview(args),
    taint: options.taint ?? CLEAN,
    proposedAt: clock,
  };
}

export interface ConnectorCall {
  tool: string;
  args: Readonly<Record<string, unknown>>;
}

/**
 * A connector that counts its calls. Each call makes `requestsPerCall` requests through the
 * audited fetch, and can be held mid-call (`holdNext`) to stand for a slow service.
 */
export class CountingConnector implements Connector {
  readonly calls: ConnectorCall[] = [];
  isConnected = true;
  requestsPerCall = 1;
  failWith: Error | undefined;
  result: ToolResult = { content: "done", trusted: true };
  #held: Promise<void> | undefined;

  constructor(readonly name: string) {}

  connected(): boolean {
    return this.isConnected;
  }

  /** The next call waits until the returned function is called. */
  holdNext(): () => void {
    let release = (): void => undefined;
    this.#held = new Promise<void>((resolve) => {
      release = resolve;
    });
    return release;
  }

  async execute(tool: string, args: Readonly<Record<string, unknown>>, audit: AuditedFetch): Promise<ToolResult> {
    this.calls.push({ tool, args });
    const held = this.#held;
    this.#held = undefined;
    if (held) await held;
    for (let index = 0; index < this.requestsPerCall; index += 1) {
      await audit(`https://api.example.test/v1/${tool}/${index}?access_token=SECRET-QUERY-TOKEN`, {
        method: "POST",
        headers: { Authorization: "Bearer SECRET-HEADER-TOKEN" },
        body: JSON.stringify({ payload: "SECRET-REQUEST-BODY" }),
      });
    }
    if (this.failWith) throw this.failWith;
    return this.result;
  }
}

/** A network that answers every request with a fixed body, counting requests. */
export class FakeNetwork {
  requests = 0;
  body = "SECRET-RESPONSE-BODY";
  status = 200;

  readonly fetch: FetchFunction = () => {
    this.requests += 1;
    return Promise.resolve(new Response(this.body, { status: this.status }));
  };
}
