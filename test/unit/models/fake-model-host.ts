/**
 * A model host for tests: serves bytes by URL in small chunks, counts every request, honours the
 * request's AbortSignal mid-body like a browser's fetch, and can fail a file with an HTTP status or
 * drop the connection part-way through it.
 */

interface HostedFile {
  body: Uint8Array;
  status: number;
  /** Send no content-length, as a compressed or chunked response does. */
  omitLength: boolean;
  /** Error the body (a dropped connection) after this many bytes. */
  dropAfterBytes?: number;
}

export interface ServeOptions {
  status?: number;
  omitLength?: boolean;
  dropAfterBytes?: number;
}

function abortError(): DOMException {
  return new DOMException("The operation was aborted.", "AbortError");
}

export class FakeModelHost {
  private readonly files = new Map<string, HostedFile>();
  readonly requests: string[] = [];
  chunkSize = 256;
  /** Runs before each chunk is sent; a test may abort its controller here to cancel mid-file. */
  beforeChunk: ((url: string, sentBytes: number) => void) | undefined;
  /** Refuse every request as if offline. */
  offline = false;

  serve(url: string, body: Uint8Array, options: ServeOptions = {}): void {
    const file: HostedFile = { body, status: options.status ?? 200, omitLength: options.omitLength ?? false };
    if (options.dropAfterBytes !== undefined) file.dropAfterBytes = options.dropAfterBytes;
    this.files.set(new URL(url).href, file);
  }

  requestCount(url: string): number {
    const key = new URL(url).href;
    return this.requests.filter((requested) => requested === key).length;
  }

  readonly fetch: typeof fetch = (input, init) =>
    new Promise<Response>((resolve) => resolve(this.respond(input, init)));

  private respond(input: RequestInfo | URL, init: RequestInit | undefined): Response {
    const url = new Request(input).url;
    this.requests.push(url);
    const signal = init?.signal ?? undefined;
    if (signal?.aborted) throw abortError();
    if (this.offline) throw new TypeError("Failed to fetch");
    const file = this.files.get(url);
    if (!file) return new Response("Not Found", { status: 404 });
    if (file.status !== 200) return new Response(`HTTP ${file.status}`, { status: file.status });
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull: (controller) => {
        this.beforeChunk?.(url, sent);
        if (signal?.aborted) return controller.error(abortError());
        if (file.dropAfterBytes !== undefined && sent >= file.dropAfterBytes) {
          return controller.error(new TypeError("network error"));
        }
        if (sent >= file.body.byteLength) return controller.close();
        const end = Math.min(sent + this.chunkSize, file.body.byteLength, file.dropAfterBytes ?? Infinity);
        controller.enqueue(file.body.slice(sent, end));
        sent = end;
      },
    });
    const headers: Record<string, string> = {};
    if (!file.omitLength) headers["content-length"] = String(file.body.byteLength);
    return new Response(body, { status: 200, headers });
  }
}
