import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
}

export interface FirstLoadReport {
  files: string[];
  gzipBytes: number;
  containsWebLlm: boolean;
}

/** Strings that survive minification and occur only in web-llm's bundle (its catalog and runtime). */
const WEBLLM_MARKERS = ["binary-mlc-llm-libs", "WebGPU is not supported in your current environment", "tvmjs"];

/**
 * The JavaScript a page loads before it is interactive: the HTML entry's chunk and everything it
 * imports statically. Worker chunks and dynamic imports are not part of it.
 */
export function measureFirstLoad(distDir: string): FirstLoadReport {
  const manifest = JSON.parse(readFileSync(join(distDir, ".vite", "manifest.json"), "utf8")) as Record<
    string,
    ManifestChunk
  >;
  const entry = manifest["index.html"];
  if (!entry) throw new Error("dist/.vite/manifest.json has no index.html entry: run `vite build` first.");
  const seen = new Set<string>();
  const visit = (key: string): void => {
    if (seen.has(key)) return;
    seen.add(key);
    for (const imported of manifest[key]?.imports ?? []) visit(imported);
  };
  visit("index.html");
  const files = [...seen]
    .map((key) => manifest[key]?.file)
    .filter((file): file is string => file?.endsWith(".js") ?? false);
  let gzipBytes = 0;
  let containsWebLlm = false;
  for (const file of files) {
    const source = readFileSync(join(distDir, file));
    gzipBytes += gzipSync(source, { level: 9 }).length;
    const text = source.toString("utf8");
    if (WEBLLM_MARKERS.some((marker) => text.includes(marker))) containsWebLlm = true;
  }
  return { files, gzipBytes, containsWebLlm };
}
