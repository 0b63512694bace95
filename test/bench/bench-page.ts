import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { build } from "vite";
import { BUILD_DIR } from "../fakes/paths";
import { serveDist } from "../fakes/static-dist";

/** Builds a bench page (and its worker) from `root` into test/.build/<name>: never part of the app's dist. */
export async function buildBenchPage(root: string, name: string): Promise<string> {
  const outDir = join(BUILD_DIR, name);
  await build({
    configFile: false,
    root,
    logLevel: "warn",
    publicDir: false,
    build: { outDir, emptyOutDir: true, target: "es2022", sourcemap: false, reportCompressedSize: false },
    worker: { format: "es" },
  });
  return outDir;
}

/** Serves a built bench page on a free local port. */
export async function serveBenchPage(dir: string): Promise<{ origin: string; server: Server }> {
  const server = createServer((request, response) => {
    const { pathname } = new URL(request.url ?? "/", "http://127.0.0.1");
    void serveDist(dir, pathname, request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, server };
}
