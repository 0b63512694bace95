import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Folders the fakes read from and write to, resolved from this file so any working directory works. */
export const PROJECT_ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** Build output of the test helpers (git-ignored). */
export const BUILD_DIR = join(PROJECT_ROOT, "test", ".build");
/** The app as `vite build` leaves it. */
export const DEFAULT_DIST_DIR = join(PROJECT_ROOT, "dist");
