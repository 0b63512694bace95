import {
  OAuthCancelledError,
  OAuthDeniedError,
  OAuthPopupBlockedError,
  OAuthPopupClosedError,
  OAuthProviderError,
  OAuthStateMismatchError,
  OAuthTimeoutError,
} from "./oauth-errors";
import { isOAuthCallbackMessage, OAUTH_CALLBACK_CHANNEL } from "./oauth-redirect";

export interface OAuthPopupOptions {
  /** How messages name the provider: "Google", "Slack". */
  service?: string;
  /** How long the user has to finish; 5 minutes by default. */
  timeoutMs?: number;
  /** Aborting (a Cancel button) closes the window and rejects with `OAuthCancelledError`. */
  signal?: AbortSignal;
  /** The window that opens the sign-in; this one by default (tests pass their own). */
  opener?: Window;
  /** How often the window's `closed` is looked at. */
  pollMs?: number;
}

export const DEFAULT_OAUTH_TIMEOUT_MS = 5 * 60_000;
const POPUP_WIDTH = 500;
const POPUP_HEIGHT = 650;
/** A window that reads closed while this page has focus for this long was closed by the user. */
const CLOSED_GRACE_MS = 1_000;

function popupFeatures(opener: Window): string {
  const left = Math.max(0, Math.round(opener.screenX + (opener.outerWidth - POPUP_WIDTH) / 2));
  const top = Math.max(0, Math.round(opener.screenY + (opener.outerHeight - POPUP_HEIGHT) / 2));
  return `popup,width=${POPUP_WIDTH},height=${POPUP_HEIGHT},left=${left},top=${top}`;
}

/**
 * Opens `url` (a provider's authorize page) in a sign-in window and resolves with the parameters the
 * provider sent back to Tabclaw's redirect page (query and fragment). Call it straight from a click:
 * browsers block windows opened without one.
 *
 * The answer arrives from `src/auth/oauth-landing.ts` over a same-origin BroadcastChannel and, when
 * the opener link survived, `postMessage` (origin checked). It is taken only if its `state` is
 * `expectedState`; a mismatching answer from this very window rejects, one heard on the channel is
 * another sign-in's (another tab) and is ignored. A provider page with a strict opener policy makes
 * the window read "closed" while it is still open, so "closed" counts only once this page has the
 * focus back (the user closed the window and returned).
 */
export function openOAuthPopup(
  url: URL,
  expectedState: string,
  options: OAuthPopupOptions = {},
): Promise<URLSearchParams> {
  const service = options.service ?? "provider";
  const opener = options.opener ?? window;
  const timeoutMs = options.timeoutMs ?? DEFAULT_OAUTH_TIMEOUT_MS;
  if (options.signal?.aborted) return Promise.reject(new OAuthCancelledError(service));
  // Synchronously, before any await: the click's user activation is what lets the window open.
  const popup = opener.open(url.href, "tabclaw-oauth", popupFeatures(opener));
  if (!popup) return Promise.reject(new OAuthPopupBlockedError(service));
  popup.focus();

  return new Promise<URLSearchParams>((resolve, reject) => {
    const channel = new BroadcastChannel(OAUTH_CALLBACK_CHANNEL);
    let closedSince: number | undefined;

    const finish = (outcome: { parameters: URLSearchParams } | { error: Error }): void => {
      clearInterval(poll);
      clearTimeout(timer);
      channel.close();
      opener.removeEventListener("message", onMessage);
      options.signal?.removeEventListener("abort", onAbort);
      try {
        if (!popup.closed) popup.close();
      } catch {
        // A window in another browsing context group cannot be closed from here; it closes itself.
      }
      if ("error" in outcome) reject(outcome.error);
      else resolve(outcome.parameters);
    };

    const take = (text: string, fromThisWindow: boolean): void => {
      const parameters = new URLSearchParams(text);
      if (parameters.get("state") !== expectedState) {
        if (fromThisWindow) finish({ error: new OAuthStateMismatchError(service) });
        return;
      }
      const error = parameters.get("error");
      if (error === "access_denied") finish({ error: new OAuthDeniedError(service) });
      else if (error !== null) {
        finish({ error: new OAuthProviderError(service, error, parameters.get("error_description") ?? undefined) });
      } else finish({ parameters });
    };

    function onMessage(event: MessageEvent<unknown>): void {
      if (event.origin !== opener.location.origin || !isOAuthCallbackMessage(event.data)) return;
      take(event.data.parameters, event.source === popup);
    }
    channel.onmessage = (event: MessageEvent<unknown>) => {
      if (isOAuthCallbackMessage(event.data)) take(event.data.parameters, false);
    };
    opener.addEventListener("message", onMessage);

    function onAbort(): void {
      finish({ error: new OAuthCancelledError(service) });
    }
    options.signal?.addEventListener("abort", onAbort);

    const poll = setInterval(() => {
      let closed: boolean;
      try {
        closed = popup.closed;
      } catch {
        closed = false;
      }
      if (!closed || !opener.document.hasFocus()) {
        closedSince = undefined;
        return;
      }
      closedSince ??= Date.now();
      // The landing page posts before it closes: a short grace lets that answer win.
      if (Date.now() - closedSince >= CLOSED_GRACE_MS) finish({ error: new OAuthPopupClosedError(service) });
    }, options.pollMs ?? 250);

    const timer = setTimeout(
      () => finish({ error: new OAuthTimeoutError(service, Math.max(1, Math.round(timeoutMs / 60_000))) }),
      timeoutMs,
    );
  });
}
