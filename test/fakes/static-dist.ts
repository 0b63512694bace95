import { readFile, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, normalize, sep } from "node:path";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".webmanifest": "application/manifest+json; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".woff2": "font/woff2",
  ".bin": "application/octet-stream",
};

export function contentTypeFor(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? "application/octet-stream";
}

/** Sends a whole body (or only its headers for HEAD). `no-cache` so update tests see new builds at once. */
export function sendBody(
  request: IncomingMessage,
  response: ServerResponse,
  status: number,
  contentType: string,
  body: Uint8Array | string,
  headers: Record<string, string> = {},
): void {
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  response.writeHead(status, {
    "content-type": contentType,
    "content-length": String(bytes.byteLength),
    "cache-control": "no-cache",
    ...headers,
  });
  if (request.method === "HEAD") response.end();
  else response.end(bytes);
}

export function sendNotFound(request: IncomingMessage, response: ServerResponse): void {
  sendBody(request, response, 404, "text/plain; charset=utf-8", "Not found");
}

/** A navigation (as opposed to a script, fetch or image request) gets index.html when nothing matches. */
function isNavigation(request: IncomingMessage): boolean {
  const mode = request.headers["sec-fetch-mode"];
  if (typeof mode === "string") return mode === "navigate";
  return (request.headers.accept ?? "").includes("text/html");
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Serves a built app from `distDir`, with the SPA fallback for navigations. */
export async function serveDist(
  distDir: string,
  pathname: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (request.method !== "GET" && request.method !== "HEAD") {
    sendBody(request, response, 405, "text/plain; charset=utf-8", "Method not allowed", { allow: "GET, HEAD" });
    return;
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    sendNotFound(request, response);
    return;
  }
  const root = normalize(distDir + sep);
  const candidate = normalize(join(root, decoded.endsWith("/") ? `${decoded}index.html` : decoded));
  if (candidate.startsWith(root) && (await isFile(candidate))) {
    sendBody(request, response, 200, contentTypeFor(candidate), await readFile(candidate));
    return;
  }
  const index = join(root, "index.html");
  if (isNavigation(request) && (await isFile(index))) {
    sendBody(request, response, 200, contentTypeFor(index), await readFile(index));
    return;
  }
  sendNotFound(request, response);
}
