import { proxy, transfer, wrap, type Remote } from "comlink";
import type { AgentApi } from "../../workers/agent-api";
import type { CatalogRecord } from "../core/model-catalog";

/**
 * The page's one handle on the workers. It starts them lazily (the first call), wires the
 * model worker to the agent worker with a MessageChannel, and restarts both if either dies.
 */
export class AgentBridge {
  #agentWorker: Worker | undefined;
  #modelWorker: Worker | undefined;
  #api: Promise<Remote<AgentApi>> | undefined;
  #records: CatalogRecord[] = [];
  #crashListeners = new Set<(message: string) => void>();
  /** Called when a worker crashed, so the UI can say the model must be loaded again. */
  onCrash: ((message: string) => void) | undefined;

  setCatalog(records: CatalogRecord[]): void {
    this.#records = records;
    if (this.#api) void this.#api.then((api) => api.setCatalog(records));
  }

  api(): Promise<Remote<AgentApi>> {
    this.#api ??= this.#start();
    return this.#api;
  }

  /** Resolves with the reason when the current workers die, so a caller can stop waiting on them. */
  crashed(): { promise: Promise<string>; dispose: () => void } {
    let listener: (message: string) => void = () => undefined;
    const promise = new Promise<string>((resolve) => {
      listener = resolve;
      this.#crashListeners.add(listener);
    });
    return { promise, dispose: () => this.#crashListeners.delete(listener) };
  }

  /** Wraps a callback so the worker can call it back across the boundary. */
  callback<T extends (...args: never[]) => unknown>(fn: T): T {
    return proxy(fn);
  }

  async #start(): Promise<Remote<AgentApi>> {
    const modelWorker = new Worker(new URL("../../workers/model.worker.ts", import.meta.url), {
      type: "module",
      name: "tabclaw-model",
    });
    const agentWorker = new Worker(new URL("../../workers/agent.worker.ts", import.meta.url), {
      type: "module",
      name: "tabclaw-agent",
    });
    for (const worker of [modelWorker, agentWorker]) {
      worker.addEventListener("error", (event) => this.#crashed(event.message || "A worker stopped unexpectedly."));
    }
    this.#modelWorker = modelWorker;
    this.#agentWorker = agentWorker;
    const channel = new MessageChannel();
    modelWorker.postMessage({ type: "tabclaw:connect" }, [channel.port1]);
    const api = wrap<AgentApi>(agentWorker);
    await api.connectModel(transfer(channel.port2, [channel.port2]), this.#records);
    return api;
  }

  #crashed(message: string): void {
    this.terminate();
    for (const listener of this.#crashListeners) listener(message);
    this.#crashListeners.clear();
    this.onCrash?.(message);
  }

  terminate(): void {
    this.#agentWorker?.terminate();
    this.#modelWorker?.terminate();
    this.#agentWorker = undefined;
    this.#modelWorker = undefined;
    this.#api = undefined;
  }
}
