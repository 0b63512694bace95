/**
 * The WebGPU facts web-llm's engine reads from the real adapter: the scripted engine asks the same
 * adapter, so feature and limit checks (shader-f16 on SwiftShader) behave as with the real engine.
 */
export interface GpuFacts {
  features: ReadonlySet<string>;
  maxStorageBufferBindingSize: number;
  vendor: string;
  /** Empty on SwiftShader; web-llm then labels the GPU by vendor. */
  description: string;
}

export type GpuProbe = () => Promise<GpuFacts | undefined>;

/** Reads the adapter the way tvmjs `detectGPUDevice` does; undefined when there is none. */
export const navigatorGpuProbe: GpuProbe = async () => {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) return undefined;
  const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  if (!adapter) return undefined;
  return {
    features: new Set(adapter.features),
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    vendor: adapter.info.vendor,
    description: adapter.info.description,
  };
};

/** A fixed GPU, for the scripted engine in Node: SwiftShader's figures. */
export function fixedGpuProbe(facts: Partial<GpuFacts> = {}): GpuProbe {
  return () =>
    Promise.resolve({
      features: new Set<string>(),
      maxStorageBufferBindingSize: 2 ** 30,
      vendor: "google",
      description: "",
      ...facts,
    });
}
