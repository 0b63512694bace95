import {
  callbackParameters,
  isOAuthCallbackUrl,
  OAUTH_CALLBACK_CHANNEL,
  OAUTH_CALLBACK_MESSAGE,
  type OAuthCallbackMessage,
} from "./oauth-redirect";

/**
 * Runs first in `src/main.ts`. In a sign-in window that the provider sent back to Tabclaw, it takes
 * the app element out before the app's modules define it (so no database, worker or service worker
 * starts here), hands the provider's parameters to the opener, scrubs them from the address bar and
 * history (they can hold a token), and closes the window.
 */
function landOAuthCallback(): boolean {
  const url = new URL(window.location.href);
  if (!isOAuthCallbackUrl(url)) return false;
  document.querySelector("tabclaw-app")?.remove();
  const message: OAuthCallbackMessage = {
    type: OAUTH_CALLBACK_MESSAGE,
    parameters: callbackParameters(url).toString(),
  };
  window.history.replaceState(null, "", "/");
  // Both ways: the channel reaches the opener even when the provider's opener policy cut `window.opener`.
  const channel = new BroadcastChannel(OAUTH_CALLBACK_CHANNEL);
  channel.postMessage(message);
  channel.close();
  const opener: unknown = window.opener;
  if (opener && typeof (opener as Window).postMessage === "function") {
    (opener as Window).postMessage(message, window.location.origin);
  }
  const note = document.createElement("p");
  note.textContent = "Back in Tabclaw. This window closes by itself; if it stays open, you can close it.";
  document.body.append(note);
  window.close();
  return true;
}

/** True in a sign-in window that has landed: the app must not start in it. */
export const landedOAuthCallback = landOAuthCallback();
