import type { AuditEvent, AuditedRequest } from "../store/audit-entry";

/** `fetch`'s shape, narrowed to what connectors pass. */
export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * The only network access a connector gets. Every call writes exactly one `request` entry to
 * the audit log (method, host, path, status, response bytes), before the caller sees the response.
 */
export type AuditedFetch = FetchFunction;

/** Where request entries go: `AuditLog` in the app. */
export interface RequestAuditor {
  append(event: AuditEvent): Promise<unknown>;
}

export interface AuditedFetchOptions {
  auditor: RequestAuditor;
  fetch: FetchFunction;
  /** The action the requests are made for, named on each entry. */
  actionId?: string;
  tool?: string;
}

/** Method, host and path of a request: the URL's query and fragment are dropped (they can hold tokens). */
export function describeRequest(
  input: string | URL | Request,
  init?: RequestInit,
): Omit<AuditedRequest, "status" | "bytes"> {
  const url = new URL(input instanceof Request ? input.url : input, globalThis.location?.href);
  const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
  return { method, host: url.host, path: url.pathname };
}

/** Counts a body's bytes from a clone, so the connector still reads the original untouched. */
async function bodyBytes(response: Response): Promise<number> {
  const body = response.clone().body;
  if (!body) return 0;
  const reader = body.getReader();
  let bytes = 0;
  try {
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) bytes += chunk.value.byteLength;
  } catch {
    // The body broke off: the bytes that arrived are what was received.
  }
  return bytes;
}

export function createAuditedFetch(options: AuditedFetchOptions): AuditedFetch {
  const about = {
    ...(options.actionId !== undefined ? { actionId: options.actionId } : {}),
    ...(options.tool !== undefined ? { tool: options.tool } : {}),
  };
  return async (input, init) => {
    const described = describeRequest(input, init);
    let response: Response | undefined;
    try {
      response = await options.fetch(input, init);
    } finally {
      // Also when the request failed: an attempt is a request. Status 0 means no response came.
      const status = response?.status ?? 0;
      const bytes = response ? await bodyBytes(response) : 0;
      await options.auditor.append({ kind: "request", ...about, request: { ...described, status, bytes } });
    }
    return response;
  };
}
