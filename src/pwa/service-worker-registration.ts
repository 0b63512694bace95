/// <reference types="vite/client" />
import { Workbox } from "workbox-window";
import { updateState } from "./update-state";
import { watchWaitingWorkers } from "./watch-waiting-workers";

const UPDATE_CHECK_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Registers the Workbox service worker that precaches the app, so it starts offline. Production builds only:
 * in development a service worker would serve stale modules. New versions are offered through `updateState`.
 */
export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !("serviceWorker" in navigator)) return;
  const workbox = new Workbox("/sw.js", { scope: "/" });
  updateState.connect(workbox);
  // register() waits for the load event, so the first load's downloads are not slowed by precaching.
  workbox
    .register()
    .then((registration) => {
      if (!registration) return;
      watchWaitingWorkers(registration, (worker) => updateState.offer(worker));
      setInterval(() => void updateState.checkForUpdate(), UPDATE_CHECK_INTERVAL_MS);
      document.addEventListener("visibilitychange", () => {
        if (document.visibilityState === "visible") void updateState.checkForUpdate();
      });
    })
    .catch((error: unknown) => {
      // Some private windows refuse service workers; the app still works online.
      console.warn("Tabclaw: service worker registration failed; the app will not work offline.", error);
    });
}
