/** What the WebGPU adapter offers, reduced to what decides whether a model can run. */
export interface DeviceCapabilities {
  webgpu: boolean;
  shaderF16: boolean;
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  /** Adapter description for the UI ("SwiftShader", "Apple M2", …). */
  adapterName: string;
  /** `navigator.deviceMemory` in GiB when the browser reports it. */
  deviceMemoryGiB?: number;
  /** Why WebGPU is missing, when it is. */
  reason?: string;
}

export const NO_WEBGPU: DeviceCapabilities = {
  webgpu: false,
  shaderF16: false,
  maxStorageBufferBindingSize: 0,
  maxBufferSize: 0,
  adapterName: "",
};
