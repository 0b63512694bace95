/** Placeholder until the PWA work lands: registration through workbox-window goes here. */
export function registerServiceWorker(): void {}
