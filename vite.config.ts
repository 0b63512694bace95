import { defineConfig } from "vite";
import { VitePWA } from "vite-plugin-pwa";

const MIB = 1024 * 1024;

export default defineConfig({
  resolve: {
    alias: [
      // The package's "module" entry is an ES5 build; the ES2017 build is half the size in the first-load bundle.
      { find: /^workbox-window$/, replacement: "workbox-window/build/workbox-window.prod.mjs" },
    ],
  },
  plugins: [
    VitePWA({
      strategies: "generateSW",
      filename: "sw.js",
      // A new version waits until the user accepts it (src/pwa/update-state.ts).
      registerType: "prompt",
      // The CSP forbids inline script: src/pwa/service-worker-registration.ts registers the worker itself.
      injectRegister: false,
      manifest: {
        id: "/",
        name: "Tabclaw",
        short_name: "Tabclaw",
        description: "A private AI agent that runs on your own GPU",
        start_url: "/",
        scope: "/",
        display: "standalone",
        lang: "en",
        theme_color: "#1d4ed8",
        background_color: "#ffffff",
        icons: [
          { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
          { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
          { src: "/icons/icon-maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
          { src: "/icons/icon.svg", sizes: "any", type: "image/svg+xml", purpose: "any" },
        ],
      },
      workbox: {
        // Every JS chunk, worker chunks included, so the app starts and chats offline once a model is stored.
        globPatterns: ["**/*.{js,css,html,wasm}"],
        // The web-llm chunk is several MB; the default 2 MiB limit would leave it out (and fail the build).
        maximumFileSizeToCacheInBytes: 16 * MIB,
        navigateFallback: "/index.html",
        // Only deletes caches named "*-precache-*" for this scope; web-llm's "webllm/*" caches are never touched.
        cleanupOutdatedCaches: true,
        // No runtime caching: model weights live in web-llm's own caches and go straight to the network.
        // A waiting worker activates only when the user accepts the update, and then the page reloads.
        clientsClaim: false,
        skipWaiting: false,
      },
    }),
  ],
  build: {
    target: "es2022",
    manifest: true,
    sourcemap: true,
    chunkSizeWarningLimit: 8000,
    rolldownOptions: {
      output: {
        codeSplitting: {
          // Everything the page imports statically stays in one file: left alone, modules it shares
          // with lazily loaded views and connectors become a handful of small chunks, each compressed
          // on its own (more bytes and more requests before the page starts).
          groups: [{ name: "index", tags: ["$initial"] }],
        },
      },
    },
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
