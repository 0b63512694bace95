/**
 * web-llm's error classes are not exported, so the scripted engine rebuilds them by name with the
 * messages of @mlc-ai/web-llm 0.2.86 (lib/index.js). What crosses the worker boundary is the
 * handler's `err.toString()`, "Name: message", exactly as with the real engine.
 */
const MESSAGES: Record<string, string> = {
  WebGPUNotAvailableError:
    "WebGPU is not supported in your current environment, but it is necessary to run the WebLLM engine. " +
    "Please make sure that your browser supports WebGPU and that it is enabled in your browser settings. " +
    "You can also consult your browser's compatibility chart to see if it supports WebGPU. " +
    "For more information about WebGPU support in your browser, visit https://webgpureport.org/",
  WebGPUNotFoundError: "Cannot find WebGPU in the environment",
  ShaderF16SupportError:
    "This model requires WebGPU extension shader-f16, which is not enabled in this browser. " +
    'You can try to launch Chrome Canary in command line with flag "--enable-dawn-features=allow_unsafe_apis".',
  DeviceLostError:
    "The WebGPU device was lost while loading the model. This issue often occurs due to running out of memory " +
    "(OOM). To resolve this, try reloading with a model that has fewer parameters or uses a smaller context length.",
  ModelNotLoadedError:
    "Model not loaded before trying to complete ChatCompletionRequest. Please ensure you have called " +
    "MLCEngine.reload(model) to load the model before initiating APIs, " +
    "or initialize your engine using CreateMLCEngine() with a valid model configuration.",
};

/** Errors web-llm throws before reading any weight; the rest surface at the end of a reload. */
export const EARLY_RELOAD_ERRORS: ReadonlySet<string> = new Set([
  "WebGPUNotAvailableError",
  "WebGPUNotFoundError",
  "ShaderF16SupportError",
  "FeatureSupportError",
  "MissingModelError",
  "ModelNotFoundError",
]);

/** `"DeviceLostError"` or `"DeviceLostError: custom message"` → an Error whose toString() is web-llm's. */
export function webLlmError(spec: string): Error {
  const colon = spec.indexOf(":");
  const name = (colon === -1 ? spec : spec.slice(0, colon)).trim();
  const message = colon === -1 ? (MESSAGES[name] ?? `Scripted ${name}`) : spec.slice(colon + 1).trim();
  const error = new Error(message);
  error.name = name;
  return error;
}

export function modelNotFoundError(modelId: string): Error {
  return webLlmError(
    `ModelNotFoundError: Cannot find model record in appConfig for ${modelId}. Please check if the model ID is ` +
      "correct and included in the model_list configuration.",
  );
}

export function featureSupportError(feature: string): Error {
  return webLlmError(
    `FeatureSupportError: This model requires feature ${feature}, which is not yet supported by this browser.`,
  );
}

export function contextWindowSizeExceededError(promptTokens: number, contextWindowSize: number): Error {
  return webLlmError(
    "ContextWindowSizeExceededError: Prompt tokens exceed context window size: number of prompt tokens: " +
      `${promptTokens}; context window size: ${contextWindowSize}\nConsider shortening the prompt, or increase ` +
      "`context_window_size`, or using sliding window via `sliding_window_size`.",
  );
}

/** The error `WebWorkerMLCEngine` gets for a request the test double does not script. */
export function notScriptedError(what: string): Error {
  return new Error(`ScriptedEngine (a test double) does not implement ${what}.`);
}

/** web-llm's MissingModelWasmError, whose `name` is "MissingModelError". */
export function missingModelWasmError(modelId: string): Error {
  return webLlmError(
    `MissingModelError: Missing \`model_lib\` for the model with ID "${modelId}". Please ensure that \`model_lib\` ` +
      "is provided in `model_list` for each model. This URL is essential for downloading the WASM library " +
      "necessary to run the model.",
  );
}
