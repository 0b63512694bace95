import { makeError, type TabclawError } from "../core/errors";

export function isQuotaExceeded(error: unknown): boolean {
  return typeof error === "object" && error !== null && "name" in error && error.name === "QuotaExceededError";
}

export function isTabclawError(error: unknown, name?: string): error is TabclawError {
  return error instanceof Error && "hint" in error && (name === undefined || error.name === name);
}

export function abortedError(modelId: string, what: "download" | "import" = "download"): TabclawError {
  return makeError("DownloadAbortedError", `The ${what} of ${modelId} was cancelled.`);
}

export function throwIfAborted(
  signal: AbortSignal | undefined,
  modelId: string,
  what: "download" | "import" = "download",
): void {
  if (signal?.aborted) throw abortedError(modelId, what);
}

export function storageFullError(name: string): TabclawError {
  return makeError("StorageFullError", `The browser's storage for this site is full; ${name} could not be stored.`);
}

export function integrityError(name: string, detail: string): TabclawError {
  return makeError("DownloadIntegrityError", `${name} is damaged: ${detail}.`);
}

function causeText(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

export function networkError(name: string, cause: unknown): TabclawError {
  return makeError("NetworkError", `The connection failed while fetching ${name} (${causeText(cause)}).`);
}
