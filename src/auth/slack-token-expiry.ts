import type { StoredToken } from "./token-vault";

/** Refresh this long before the access token expires, so no call meets an expired token. */
export const SLACK_REFRESH_MARGIN_MS = 5 * 60_000;

/** Whether a token should be refreshed before its next use (kept apart from the sign-in code, which loads later). */
export function slackTokenNeedsRefresh(token: StoredToken, now: number): boolean {
  return token.expiresAt !== undefined && token.expiresAt - SLACK_REFRESH_MARGIN_MS <= now;
}
