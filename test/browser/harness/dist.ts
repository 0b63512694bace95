import { existsSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_DIST_DIR } from "../../fakes/paths";

/**
 * The built app that browser tests run against: `TABCLAW_DIST` or `<project>/dist`. Browser tests
 * never build it themselves (`npm run test:browser` runs `vite build` first); a missing build is a
 * setup error, reported as such rather than as a failing app.
 */
export function requireDist(distDir = process.env.TABCLAW_DIST ?? DEFAULT_DIST_DIR): string {
  if (!existsSync(join(distDir, "index.html"))) {
    throw new Error(
      `No built app at ${distDir} (index.html missing). Run \`npm run test:browser\`, which runs ` +
        "`vite build` first, or run `npx vite build` before `vitest run --project browser`.",
    );
  }
  return distDir;
}
