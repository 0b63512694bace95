import { NO_WEBGPU, type DeviceCapabilities } from "../core/device-capabilities";

/** Reads the WebGPU adapter once. Never throws: a missing or failing adapter is a result. */
export async function probeDevice(nav: Navigator = navigator): Promise<DeviceCapabilities> {
  const deviceMemory = (nav as Navigator & { deviceMemory?: number }).deviceMemory;
  const memory = deviceMemory === undefined ? {} : { deviceMemoryGiB: deviceMemory };
  if (!("gpu" in nav) || !nav.gpu) {
    return { ...NO_WEBGPU, ...memory, reason: "This browser does not offer WebGPU." };
  }
  try {
    const adapter = await nav.gpu.requestAdapter({ powerPreference: "high-performance" });
    if (!adapter) {
      return { ...NO_WEBGPU, ...memory, reason: "WebGPU is present but no GPU adapter is available." };
    }
    const info = adapter.info;
    return {
      webgpu: true,
      shaderF16: adapter.features.has("shader-f16"),
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
      adapterName: [info.vendor, info.architecture, info.description].filter(Boolean).join(" ") || "WebGPU adapter",
      ...memory,
    };
  } catch (error) {
    return { ...NO_WEBGPU, ...memory, reason: `The GPU adapter could not be read: ${String(error)}` };
  }
}
