import type { IncomingMessage, ServerResponse } from "node:http";

/** Request headers worth asserting on; the rest are left out to keep the log readable. */
const LOGGED_HEADERS = [
  "range",
  "accept",
  "content-type",
  "if-none-match",
  "if-modified-since",
  "cache-control",
  "sec-fetch-mode",
  "sec-fetch-dest",
  "service-worker",
] as const;

export type LoggedHeader = (typeof LOGGED_HEADERS)[number];

/** One request as the test server saw it, completed when the response ends or the socket closes. */
export interface RequestLogEntry {
  id: number;
  method: string;
  /** Path and query, e.g. `/hub/mlc-ai/…/resolve/main/params_shard_3.bin`. */
  path: string;
  headers: Partial<Record<LoggedHeader, string>>;
  /** 0 until the status line is sent. */
  status: number;
  /** Body bytes written to the socket. */
  bytesSent: number;
  /** True once the whole response was sent; false if it was cut (by a fault, or the client went away). */
  completed: boolean;
  /** True once the exchange is over, either way. */
  finished: boolean;
  startedAt: number;
  finishedAt?: number;
}

type Waiter = { predicate: (entry: RequestLogEntry) => boolean; resolve: (entry: RequestLogEntry) => void };

export class RequestLog {
  readonly #entries: RequestLogEntry[] = [];
  #waiters: Waiter[] = [];
  #nextId = 1;

  /** Starts an entry for `request`; call `finish` once the response is over. */
  begin(request: IncomingMessage): RequestLogEntry {
    const headers: Partial<Record<LoggedHeader, string>> = {};
    for (const name of LOGGED_HEADERS) {
      const value = request.headers[name];
      if (typeof value === "string") headers[name] = value;
    }
    const entry: RequestLogEntry = {
      id: this.#nextId++,
      method: request.method ?? "GET",
      path: request.url ?? "/",
      headers,
      status: 0,
      bytesSent: 0,
      completed: false,
      finished: false,
      startedAt: Date.now(),
    };
    this.#entries.push(entry);
    this.#notify(entry);
    return entry;
  }

  /** Ties an entry to its response: counts body bytes, `completed` on finish, `finished` on close. */
  track(entry: RequestLogEntry, response: ServerResponse): void {
    const count = (chunk: unknown): void => {
      if (typeof chunk === "string") entry.bytesSent += Buffer.byteLength(chunk);
      else if (chunk instanceof Uint8Array) entry.bytesSent += chunk.byteLength;
    };
    const write = response.write.bind(response);
    const end = response.end.bind(response);
    response.write = ((chunk: unknown, ...rest: unknown[]) => {
      count(chunk);
      return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof response.write;
    response.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (typeof chunk !== "function") count(chunk);
      return (end as (...args: unknown[]) => ServerResponse)(chunk, ...rest);
    }) as typeof response.end;
    response.once("finish", () => {
      entry.status = response.statusCode;
      entry.completed = true;
    });
    response.once("close", () => {
      entry.status = response.statusCode;
      entry.finished = true;
      entry.finishedAt = Date.now();
      this.#notify(entry);
    });
  }

  /** A snapshot, oldest first. */
  entries(): RequestLogEntry[] {
    return this.#entries.map((entry) => ({ ...entry, headers: { ...entry.headers } }));
  }

  clear(): void {
    this.#entries.length = 0;
  }

  /** Resolves with the first logged request (past or future) that matches; checked on start and on finish. */
  waitFor(predicate: (entry: RequestLogEntry) => boolean, timeoutMs: number): Promise<RequestLogEntry> {
    const found = this.#entries.find(predicate);
    if (found) return Promise.resolve({ ...found });
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve: (entry) => {
          clearTimeout(timer);
          resolve({ ...entry });
        },
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error(`No matching request within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  #notify(entry: RequestLogEntry): void {
    const matched = this.#waiters.filter((waiter) => waiter.predicate(entry));
    if (matched.length === 0) return;
    this.#waiters = this.#waiters.filter((waiter) => !matched.includes(waiter));
    for (const waiter of matched) waiter.resolve(entry);
  }
}
