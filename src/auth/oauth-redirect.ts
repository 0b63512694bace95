/**
 * Where OAuth providers send the user back: the app's own page with `?oauth=callback`. A query
 * (not a path) so every static host serves index.html for it; `src/main.ts` sees it before the app
 * starts and hands the parameters to the window that opened the sign-in.
 */

export const OAUTH_CALLBACK_PARAMETER = "oauth";
export const OAUTH_CALLBACK_VALUE = "callback";

/** Same-origin channel the landing page answers on: it works even when the provider cut `window.opener`. */
export const OAUTH_CALLBACK_CHANNEL = "tabclaw-oauth";
export const OAUTH_CALLBACK_MESSAGE = "tabclaw-oauth-callback";

export interface OAuthCallbackMessage {
  type: typeof OAUTH_CALLBACK_MESSAGE;
  /** The provider's parameters, from the query and the fragment, as `URLSearchParams` text. */
  parameters: string;
}

export function isOAuthCallbackMessage(value: unknown): value is OAuthCallbackMessage {
  if (typeof value !== "object" || value === null) return false;
  const message = value as { type?: unknown; parameters?: unknown };
  return message.type === OAUTH_CALLBACK_MESSAGE && typeof message.parameters === "string";
}

/** The redirect URI to register with a provider and send in the authorize request, for an app at `origin`. */
export function oauthRedirectUri(origin: string): string {
  return `${origin}/?${OAUTH_CALLBACK_PARAMETER}=${OAUTH_CALLBACK_VALUE}`;
}

export function isOAuthCallbackUrl(url: URL): boolean {
  return url.pathname === "/" && url.searchParams.get(OAUTH_CALLBACK_PARAMETER) === OAUTH_CALLBACK_VALUE;
}

/**
 * What the provider sent: query parameters (a code flow) and fragment parameters (Google's token
 * flow) together, without Tabclaw's own marker.
 */
export function callbackParameters(url: URL): URLSearchParams {
  const parameters = new URLSearchParams(url.search);
  parameters.delete(OAUTH_CALLBACK_PARAMETER);
  const fragment = new URLSearchParams(url.hash.startsWith("#") ? url.hash.slice(1) : url.hash);
  for (const [name, value] of fragment) parameters.set(name, value);
  return parameters;
}

/** An unguessable `state` for one sign-in (32 random bytes, base64url). */
export function newOAuthState(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
