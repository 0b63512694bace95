/// <reference lib="webworker" />
/**
 * The model worker: web-llm's own handler and nothing else. web-llm owns this worker's message
 * protocol, so comlink is not put in front of it. The page hands it one end of a MessageChannel
 * (`{type: "tabclaw:connect"}` with the port); the agent worker drives the other end with
 * web-llm's client. A new port (after the agent worker restarts) replaces the old one.
 */
import { WebWorkerMLCEngineHandler } from "@mlc-ai/web-llm";
import { PortEngineHandler, isConnectMessage } from "./port-engine-handler";

const handler = new PortEngineHandler(new WebWorkerMLCEngineHandler());

self.addEventListener("message", (event: MessageEvent<unknown>) => {
  if (isConnectMessage(event.data) && event.ports[0]) handler.connect(event.ports[0]);
});
