import type { ProposedAction, ToolResult } from "../../../src/core/agent/action";
import { externalContent, userMessage } from "../../../src/core/agent/context-item";
import { assessTaint, type TaintRecord } from "../../../src/core/agent/taint";
import { ToolRegistry } from "../../../src/core/agent/tool-registry";
import type { AuditedFetch, FetchFunction } from "../../../src/gate/audited-fetch";
import type { Connector } from "../../../src/gate/connector";
import { applyLabel, memorySave, readEmail, sendEmail } from "../agent/product-tools";

/** The product's planned tools (shared with the agent suite), with the effects and connectors the real ones will have. */
export { applyLabel, memorySave, readEmail, sendEmail };

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

/** A send the user has to approve. */
export const sendProposal = (): ProposedAction =>
  proposal("send_email", { to: ["boss@example.com"], subject: "Hi", body: "Hello" });
