import { defineConfig } from "vite";

export default defineConfig({
  build: {
    target: "es2022",
    manifest: true,
    sourcemap: true,
    chunkSizeWarningLimit: 8000,
  },
  worker: {
    format: "es",
  },
  preview: {
    host: "127.0.0.1",
  },
  server: {
    host: "127.0.0.1",
  },
});
