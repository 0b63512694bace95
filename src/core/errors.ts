/**
 * Errors that cross a worker boundary travel as `{name, message}` and are rebuilt here, so the
 * UI can tell a user what happened and what to do, without string matching in components.
 */

export interface SerializedError {
  name: string;
  message: string;
}

export class TabclawError extends Error {
  /** What the user can do about it, in one sentence. */
  readonly hint: string;
  constructor(name: string, message: string, hint: string) {
    super(message);
    this.name = name;
    this.hint = hint;
  }
}

export const ERROR_HINTS: Record<string, string> = {
  WebGPUUnavailableError:
    "Use a recent Chrome or Edge with hardware acceleration on, or load the app on a device with a GPU.",
  ShaderF16UnsupportedError: "Pick the q4f32 or q0f32 version of this model; this GPU has no 16-bit float shaders.",
  DeviceLostError: "The GPU ran out of memory or was reset. Close other GPU-heavy tabs, or pick a smaller model.",
  ModelLibraryMissingError:
    "The model library (.wasm) could not be fetched. Check the network, or load the model from a folder that contains it.",
  ModelFilesMissingError:
    "A file of this model is missing on this device and could not be fetched. Open Models and resume the download.",
  ModelNotDownloadedError: "Download the model first, or load it from a local folder.",
  ModelNotLoadedError: "Load a model in the Model panel first.",
  ContextWindowExceededError: "Start a new conversation or shorten the message.",
  DownloadAbortedError: "Press Resume download to continue where it stopped.",
  DownloadHttpError: "The model host refused a file. Check the network or the model source in Settings.",
  DownloadIntegrityError: "A file arrived damaged and was discarded. Start the download again.",
  StorageFullError: "Free some space: delete a model you no longer use in the Storage panel.",
  NetworkError: "You appear to be offline. Connect and try again.",
  LocalFolderError: "Pick the folder that holds mlc-chat-config.json, tensor-cache.json and the weight shards.",
  WorkerCrashedError: "Load the model again in Models; what was written so far is kept.",
  BudgetExceededError: "Raise the limit in Settings → Daily token budgets, or wait until it resets.",
  KillSwitchError: "Press Resume at the top right to let Tabclaw work again.",
  AgentStepLimitError: "Ask again in smaller steps, or answer the agent's questions more fully.",
  InvalidDecisionError: "The model could not choose a step it is allowed to take. Ask again, or try a larger model.",
  UnknownError: "Try again. If it keeps happening, reload the page.",
};

export function makeError(name: string, message: string): TabclawError {
  return new TabclawError(name, message, ERROR_HINTS[name] ?? ERROR_HINTS.UnknownError ?? "");
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: "UnknownError", message: String(error) };
}

export function reviveError(serialized: SerializedError): TabclawError {
  return makeError(serialized.name, serialized.message);
}
