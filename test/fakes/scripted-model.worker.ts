/**
 * The model worker for browser tests, served by the test server at the URL of the real
 * `assets/model.worker-*.js`. web-llm's REAL handler answers the app's real client, so web-llm's
 * message protocol runs end to end; only the engine behind it is the scripted TEST DOUBLE.
 */
import { WebWorkerMLCEngineHandler, type InitProgressReport, type MLCEngine } from "@mlc-ai/web-llm";
import { PortEngineHandler, isConnectMessage } from "../../workers/port-engine-handler";
import {
  ENGINE_CHAT_PATH,
  ENGINE_RELOAD_PATH,
  type RecordedChatRequest,
  type ScriptSource,
  type ScriptedReload,
  type ScriptedResponse,
} from "./engine-script";
import { ScriptedEngine } from "./scripted-engine";

async function post<T>(path: string, body: unknown): Promise<T> {
  const response = await fetch(new URL(path, self.location.href), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`Test server answered ${response.status} on ${path}`);
  return (await response.json()) as T;
}

/** The script lives on the test server, so a test can change it while the worker runs. */
const httpScript: ScriptSource = {
  nextReload: (modelId: string) => post<ScriptedReload>(ENGINE_RELOAD_PATH, { modelId }),
  nextResponse: async (request: RecordedChatRequest) =>
    (await post<{ response: ScriptedResponse | null }>(ENGINE_CHAT_PATH, request)).response ?? undefined,
};

const webLlmHandler = new WebWorkerMLCEngineHandler();
const engine = new ScriptedEngine({
  script: httpScript,
  // Thrown from a timer, outside every promise and handler, so it is uncaught and reaches the page.
  crash: (message) =>
    setTimeout(() => {
      throw new Error(message);
    }),
});
// The handler registered its progress callback on the engine it built; register the same message on ours.
engine.setInitProgressCallback((report: InitProgressReport) =>
  webLlmHandler.postMessage({ kind: "initProgressCallback", uuid: "", content: report }),
);
// The handler types its engine as MLCEngine (a class with private state); the double matches the
// methods the handler calls, which is all the handler uses.
webLlmHandler.engine = engine as unknown as MLCEngine;
const handler = new PortEngineHandler(webLlmHandler);

self.addEventListener("message", (event: MessageEvent<unknown>) => {
  if (isConnectMessage(event.data) && event.ports[0]) handler.connect(event.ports[0]);
});
