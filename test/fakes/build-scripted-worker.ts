import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { build } from "vite";
import { BUILD_DIR, PROJECT_ROOT } from "./paths";

export const SCRIPTED_WORKER_FILE = join(BUILD_DIR, "scripted-model.worker.js");

const ENTRY = join(PROJECT_ROOT, "test", "fakes", "scripted-model.worker.ts");
const STAMP_FILE = `${SCRIPTED_WORKER_FILE}.stamp`;

/** Everything the bundle is made from; a change in any of them means a rebuild. */
async function inputsHash(): Promise<string> {
  const hash = createHash("sha256");
  const fakes = join(PROJECT_ROOT, "test", "fakes");
  const files = [
    ...(await readdir(fakes)).filter((name) => name.endsWith(".ts")).map((name) => join(fakes, name)),
    join(PROJECT_ROOT, "workers", "port-engine-handler.ts"),
    join(PROJECT_ROOT, "node_modules", "@mlc-ai", "web-llm", "package.json"),
    join(PROJECT_ROOT, "node_modules", "vite", "package.json"),
  ].sort();
  for (const file of files) hash.update(file).update(await readFile(file));
  return hash.digest("hex");
}

async function buildOnce(): Promise<string> {
  const stamp = await inputsHash();
  if (existsSync(SCRIPTED_WORKER_FILE) && existsSync(STAMP_FILE) && (await readFile(STAMP_FILE, "utf8")) === stamp) {
    return SCRIPTED_WORKER_FILE;
  }
  // Build into a private folder and rename, so a half-written bundle is never served.
  const outDir = join(BUILD_DIR, `scripted-worker-${process.pid}`);
  await build({
    configFile: false,
    root: PROJECT_ROOT,
    logLevel: "warn",
    publicDir: false,
    build: {
      outDir,
      emptyOutDir: true,
      copyPublicDir: false,
      target: "es2022",
      minify: false,
      sourcemap: false,
      reportCompressedSize: false,
      lib: { entry: ENTRY, formats: ["es"], fileName: () => "scripted-model.worker.js" },
      // One self-contained module: a module worker cannot resolve chunk imports we do not serve.
      rolldownOptions: { output: { codeSplitting: false } },
    },
  });
  await mkdir(BUILD_DIR, { recursive: true });
  await rename(join(outDir, "scripted-model.worker.js"), SCRIPTED_WORKER_FILE);
  await rm(outDir, { recursive: true, force: true });
  await writeFile(STAMP_FILE, stamp);
  return SCRIPTED_WORKER_FILE;
}

let pending: Promise<string> | undefined;

/**
 * Bundles test/fakes/scripted-model.worker.ts (web-llm included) into one ES module at
 * test/.build/scripted-model.worker.js and returns its path. Cached on disk by the hash of its
 * inputs and in memory per process, so calling it from every test file costs one build per change.
 */
export function buildScriptedWorker(): Promise<string> {
  pending ??= buildOnce().catch((error: unknown) => {
    pending = undefined;
    throw error;
  });
  return pending;
}
