import type { WebWorkerMLCEngineHandler } from "@mlc-ai/web-llm";

export interface ConnectMessage {
  type: "tabclaw:connect";
}

export function isConnectMessage(data: unknown): data is ConnectMessage {
  return typeof data === "object" && data !== null && (data as { type?: unknown }).type === "tabclaw:connect";
}

/**
 * Makes web-llm's handler answer on a MessagePort instead of the worker global. The handler
 * replies through its overridable `postMessage`, so replacing that one method is enough.
 * Shared by the real model worker and the scripted one under `test/`.
 */
export class PortEngineHandler {
  #port: MessagePort | undefined;

  constructor(private readonly handler: WebWorkerMLCEngineHandler) {
    handler.postMessage = (message: unknown): void => this.#port?.postMessage(message);
  }

  connect(port: MessagePort): void {
    this.#port?.close();
    this.#port = port;
    port.onmessage = (event: MessageEvent<unknown>): void => this.handler.onmessage(event);
  }
}
