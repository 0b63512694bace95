import { makeError, type TabclawError } from "../core/errors";

/**
 * web-llm's worker client rejects with the handler's `err.toString()`, i.e. "Name: message".
 * This maps web-llm's error names (and the browser errors that surface through it) onto
 * Tabclaw's typed errors, which carry a hint for the user.
 */
const WEBLLM_TO_TABCLAW: Record<string, string> = {
  WebGPUNotAvailableError: "WebGPUUnavailableError",
  WebGPUNotFoundError: "WebGPUUnavailableError",
  ShaderF16SupportError: "ShaderF16UnsupportedError",
  FeatureSupportError: "ShaderF16UnsupportedError",
  DeviceLostError: "DeviceLostError",
  MissingModelWasmError: "ModelLibraryMissingError",
  // web-llm 0.2.86 names its MissingModelWasmError instances "MissingModelError".
  MissingModelError: "ModelLibraryMissingError",
  ModelNotLoadedError: "ModelNotLoadedError",
  WorkerEngineModelNotLoadedError: "ModelNotLoadedError",
  EngineNotLoadedError: "ModelNotLoadedError",
  ContextWindowSizeExceededError: "ContextWindowExceededError",
  NetworkError: "NetworkError",
};

function splitNameAndMessage(text: string): { name: string; message: string } {
  const match = /^([A-Za-z][A-Za-z0-9]*(?:Error|Exception)):\s*([\s\S]*)$/.exec(text.trim());
  if (match?.[1] !== undefined) return { name: match[1], message: match[2] ?? "" };
  return { name: "UnknownError", message: text };
}

export function mapEngineError(error: unknown): TabclawError {
  const raw =
    error instanceof Error ? { name: error.name, message: error.message } : splitNameAndMessage(String(error));
  const fromName = WEBLLM_TO_TABCLAW[raw.name];
  if (fromName !== undefined) return makeError(fromName, raw.message);
  if (/fetch|network/i.test(raw.message) && /model_lib|\.wasm/i.test(raw.message)) {
    return makeError("ModelLibraryMissingError", raw.message);
  }
  // web-llm fetches a file it does not find in its cache with Cache.add(); a failure there means a
  // model file is missing on this device and could not be fetched either.
  if (/Failed to execute 'add' on 'Cache'/i.test(raw.message)) return makeError("ModelFilesMissingError", raw.message);
  if (/Failed to fetch|NetworkError|Request failed/i.test(raw.message)) return makeError("NetworkError", raw.message);
  return makeError(raw.name === "Error" ? "UnknownError" : raw.name, raw.message);
}
