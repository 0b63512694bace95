import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { buildScriptedWorker } from "./build-scripted-worker";
import {
  ENGINE_CHAT_PATH,
  ENGINE_RELOAD_PATH,
  ENGINE_SCRIPT_PATH,
  EngineScriptQueue,
  type EngineCall,
  type EngineScript,
  type RecordedChatRequest,
} from "./engine-script";
import { FIXTURE_REPO, FakeHub, HUB_PREFIX, type HubOptions } from "./fake-hub";
import type { TensorCacheManifest } from "./generated-shards";
import { BUILD_DIR, DEFAULT_DIST_DIR } from "./paths";
import { RequestLog, type RequestLogEntry } from "./request-log";
import { sendBody, sendNotFound, serveDist } from "./static-dist";

export interface TestServerOptions {
  /** Serve the scripted model worker (a test double) in place of every `/assets/model.worker-*.js`. */
  scriptedEngine: boolean;
  /** Default: `<project>/dist`. */
  distDir?: string;
  hub?: Partial<HubOptions>;
  engineScript?: EngineScript;
}

/** The real model worker's chunk, as Vite names it. */
const MODEL_WORKER_PATH = /^\/assets\/model\.worker-[^/]+\.js$/;
const MAX_BODY_BYTES = 16 * 2 ** 20;

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error("Request body too large");
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  return text === "" ? undefined : (JSON.parse(text) as unknown);
}

function sendJson(request: IncomingMessage, response: ServerResponse, value: unknown, status = 200): void {
  sendBody(request, response, status, "application/json; charset=utf-8", JSON.stringify(value));
}

/**
 * One local server per test file, on 127.0.0.1 (a secure context, so WebGPU, service workers and
 * storage work): the built app, the scripted model worker, a fake model hub under `/hub/`, and a
 * log of every request so tests can assert on what was (not) fetched. Node built-ins only.
 */
export class TestServer {
  readonly log = new RequestLog();
  readonly engine: EngineScriptQueue;
  /** Handler failures (500s). A test can assert this stays empty. */
  readonly errors: Error[] = [];
  readonly #options: TestServerOptions;
  readonly #routes = new Map<string, { contentType: string; body: Uint8Array | string }>();
  #distDir: string;
  #server: Server | undefined;
  #hub: FakeHub | undefined;
  #scriptedWorker: Buffer | undefined;
  #origin: string | undefined;

  constructor(options: TestServerOptions) {
    this.#options = options;
    this.#distDir = options.distDir ?? DEFAULT_DIST_DIR;
    this.engine = new EngineScriptQueue(options.engineScript);
  }

  /** Builds or reuses the scripted worker, prepares the hub's md5s, and listens on a free port. */
  async start(): Promise<void> {
    if (this.#server) throw new Error("TestServer already started");
    const [hub, worker] = await Promise.all([
      FakeHub.create(this.#options.hub ?? {}, BUILD_DIR),
      this.#options.scriptedEngine ? buildScriptedWorker().then((file) => readFile(file)) : undefined,
    ]);
    this.#hub = hub;
    this.#scriptedWorker = worker;
    const server = createServer((request, response) => void this.#handle(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    this.#server = server;
    this.#origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** `http://127.0.0.1:<port>`, no trailing slash. */
  get origin(): string {
    if (this.#origin === undefined) throw new Error("TestServer not started");
    return this.#origin;
  }

  /** The mirror URL to give the app (`<origin>/hub/`). */
  get hubUrl(): string {
    return `${this.origin}${HUB_PREFIX}`;
  }

  /** Absolute URL of a file of the fixture model on the fake hub. */
  modelFileUrl(file: string, repo = FIXTURE_REPO): string {
    return `${this.hubUrl}${repo}/resolve/main/${file}`;
  }

  /** tensor-cache.json as the hub serves it (md5sums of the generated shards). */
  get manifest(): TensorCacheManifest {
    return this.#requireHub().manifest;
  }

  get hubOptions(): HubOptions {
    return { ...this.#requireHub().options };
  }

  setHubOptions(options: Partial<HubOptions>): void {
    this.#requireHub().set(options);
  }

  /** Serve another build from now on (the "update available" test). */
  setDistDir(distDir: string): void {
    this.#distDir = distDir;
  }

  get distDir(): string {
    return this.#distDir;
  }

  /** Replaces the rest of the engine script; the worker picks it up on its next reload or request. */
  setEngineScript(script: EngineScript): void {
    this.engine.set(script);
  }

  /** Every reload and chat request the scripted engine received, in order. */
  get engineCalls(): EngineCall[] {
    return [...this.engine.calls];
  }

  get chatRequests(): RecordedChatRequest[] {
    return this.engine.chatRequests();
  }

  /** Requests for text the user reads, without the agent's decisions. */
  get answerRequests(): RecordedChatRequest[] {
    return this.engine.answerRequests();
  }

  /**
   * The answer to one of the scripted worker's calls (`POST /__test__/engine/reload|chat`). Shared by
   * the HTTP endpoints and the harness's Playwright route, which keeps answering while a test has
   * the browser offline.
   */
  async answerEngineCall(pathname: string, body: unknown): Promise<unknown> {
    if (pathname === ENGINE_RELOAD_PATH) return this.engine.nextReload((body as { modelId: string }).modelId);
    if (pathname === ENGINE_CHAT_PATH) {
      return { response: (await this.engine.nextResponse(body as RecordedChatRequest)) ?? null };
    }
    throw new Error(`Not an engine call: ${pathname}`);
  }

  /** Serves `body` at exactly `path`, ahead of everything else (probe pages, probe workers). */
  serveStatic(path: string, contentType: string, body: Uint8Array | string): void {
    this.#routes.set(path, { contentType, body });
  }

  /** Logged requests, oldest first; `filter` as a RegExp matches the path. */
  requests(filter?: RegExp | ((entry: RequestLogEntry) => boolean)): RequestLogEntry[] {
    const entries = this.log.entries();
    if (filter === undefined) return entries;
    return entries.filter(typeof filter === "function" ? filter : (entry) => filter.test(entry.path));
  }

  clearRequestLog(): void {
    this.log.clear();
  }

  /** Resolves with the first request (already logged or still to come) that matches. */
  waitForRequest(filter: RegExp | ((entry: RequestLogEntry) => boolean), timeoutMs = 30_000): Promise<RequestLogEntry> {
    const predicate = typeof filter === "function" ? filter : (entry: RequestLogEntry) => filter.test(entry.path);
    return this.log.waitFor(predicate, timeoutMs);
  }

  #requireHub(): FakeHub {
    if (!this.#hub) throw new Error("TestServer not started");
    return this.#hub;
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const entry = this.log.begin(request);
    this.log.track(entry, response);
    try {
      await this.#route(request, response);
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      this.errors.push(failure);
      if (!response.headersSent) sendBody(request, response, 500, "text/plain; charset=utf-8", failure.message);
      else response.destroy();
    }
  }

  async #route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const pathname = new URL(request.url ?? "/", "http://test.invalid").pathname;
    const method = request.method ?? "GET";

    if (pathname === ENGINE_SCRIPT_PATH) {
      if (method === "GET" || method === "HEAD") return sendJson(request, response, this.engine.remaining());
      if (method === "PUT" || method === "POST") {
        this.engine.set((await readJson(request)) as EngineScript);
        return sendJson(request, response, this.engine.remaining());
      }
    }
    if ((pathname === ENGINE_RELOAD_PATH || pathname === ENGINE_CHAT_PATH) && method === "POST") {
      return sendJson(request, response, await this.answerEngineCall(pathname, await readJson(request)));
    }
    const route = this.#routes.get(pathname);
    if (route) return sendBody(request, response, 200, route.contentType, route.body);
    if (pathname.startsWith(HUB_PREFIX)) return this.#requireHub().handle(pathname, request, response);
    if (this.#scriptedWorker && MODEL_WORKER_PATH.test(pathname)) {
      return sendBody(request, response, 200, "text/javascript; charset=utf-8", this.#scriptedWorker);
    }
    if (pathname.startsWith("/__test__/")) return sendNotFound(request, response);
    return serveDist(this.#distDir, pathname, request, response);
  }
}

/** `new TestServer(options)` and `start()`, in one call. */
export async function startTestServer(options: TestServerOptions): Promise<TestServer> {
  const server = new TestServer(options);
  await server.start();
  return server;
}
