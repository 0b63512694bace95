import { afterEach, describe, expect, it } from "vitest";
import { openOAuthPopup } from "../../../src/auth/oauth-popup";
import {
  callbackParameters,
  isOAuthCallbackUrl,
  newOAuthState,
  OAUTH_CALLBACK_CHANNEL,
  OAUTH_CALLBACK_MESSAGE,
  oauthRedirectUri,
} from "../../../src/auth/oauth-redirect";

const ORIGIN = "https://tabclaw.example";

/** The parts of a browser window the sign-in needs: a window to open, focus, messages. */
class FakeOpener extends EventTarget {
  readonly location = { origin: ORIGIN };
  readonly screenX = 0;
  readonly screenY = 0;
  readonly outerWidth = 1200;
  readonly outerHeight = 900;
  focused = true;
  readonly document = { hasFocus: () => this.focused };
  opened: { url: string; closed: boolean; close: () => void; focus: () => void } | null = null;
  blockPopups = false;

  open(url: string): FakeOpener["opened"] {
    if (this.blockPopups) return null;
    const popup = {
      url,
      closed: false,
      close: () => {
        popup.closed = true;
      },
      focus: () => undefined,
    };
    this.opened = popup;
    return popup;
  }

  /** What the landing page's `window.opener.postMessage` delivers. */
  post(parameters: string, origin = ORIGIN, source: unknown = this.opened): void {
    const event = new MessageEvent("message", { data: { type: OAUTH_CALLBACK_MESSAGE, parameters }, origin });
    Object.defineProperty(event, "source", { value: source });
    this.dispatchEvent(event);
  }
}

function openWith(opener: FakeOpener, state: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}) {
  return openOAuthPopup(new URL("https://accounts.google.com/o/oauth2/v2/auth?x=1"), state, {
    service: "Google",
    opener: opener as unknown as Window,
    pollMs: 20,
    ...options,
  });
}

/** What the landing page posts on the channel (another realm in the browser, a second channel here). */
function broadcast(parameters: string): void {
  const channel = new BroadcastChannel(OAUTH_CALLBACK_CHANNEL);
  channel.postMessage({ type: OAUTH_CALLBACK_MESSAGE, parameters });
  channel.close();
}

const pending: Promise<unknown>[] = [];
afterEach(async () => {
  await Promise.allSettled(pending.splice(0));
});

describe("openOAuthPopup", () => {
  it("says the browser blocked the window and how to allow it", async () => {
    const opener = new FakeOpener();
    opener.blockPopups = true;
    await expect(openWith(opener, "s")).rejects.toMatchObject({
      name: "OAuthPopupBlockedError",
      message: /Allow pop-ups for this site/,
    });
  });

  it("resolves with the parameters heard on the channel when the state matches, ignoring another sign-in's", async () => {
    const opener = new FakeOpener();
    const state = newOAuthState();
    const result = openWith(opener, state);
    expect(opener.opened?.url).toContain("accounts.google.com");
    broadcast("state=someone-else&access_token=theirs");
    broadcast(`state=${state}&access_token=ours&expires_in=3599`);
    const parameters = await result;
    expect(parameters.get("access_token")).toBe("ours");
    expect(opener.opened?.closed).toBe(true);
  });

  it("takes the opener message from its own window, and ignores another origin's", async () => {
    const opener = new FakeOpener();
    const result = openWith(opener, "abc");
    opener.post("state=abc&access_token=forged", "https://evil.example");
    opener.post("state=abc&access_token=real");
    expect((await result).get("access_token")).toBe("real");
  });

  it("rejects a state mismatch coming from its own window", async () => {
    const opener = new FakeOpener();
    const result = openWith(opener, "expected");
    opener.post("state=other&access_token=x");
    await expect(result).rejects.toMatchObject({ name: "OAuthStateMismatchError" });
  });

  it("turns error=access_denied into a refusal that loses nothing", async () => {
    const opener = new FakeOpener();
    const result = openWith(opener, "abc");
    broadcast("state=abc&error=access_denied");
    await expect(result).rejects.toMatchObject({ name: "OAuthDeniedError", message: /Nothing was connected/ });
  });

  it("names any other provider error", async () => {
    const opener = new FakeOpener();
    const result = openWith(opener, "abc");
    broadcast("state=abc&error=invalid_client&error_description=Unknown+client");
    await expect(result).rejects.toMatchObject({
      name: "OAuthProviderError",
      message: /invalid_client: Unknown client/,
    });
  });

  it("reports a window the user closed once this page has the focus back", async () => {
    const opener = new FakeOpener();
    const result = openWith(opener, "abc");
    opener.opened?.close();
    await expect(result).rejects.toMatchObject({ name: "OAuthPopupClosedError" });
  });

  it("keeps waiting while a window reads closed but this page has no focus (an opener policy cut the link)", async () => {
    const opener = new FakeOpener();
    opener.focused = false;
    const result = openWith(opener, "abc");
    opener.opened?.close();
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    broadcast("state=abc&access_token=late");
    expect((await result).get("access_token")).toBe("late");
  });

  it("times out, and a Cancel closes the window", async () => {
    const first = new FakeOpener();
    first.focused = false;
    await expect(openWith(first, "abc", { timeoutMs: 60 })).rejects.toMatchObject({ name: "OAuthTimeoutError" });
    const second = new FakeOpener();
    const controller = new AbortController();
    const result = openWith(second, "abc", { signal: controller.signal });
    controller.abort();
    await expect(result).rejects.toMatchObject({ name: "OAuthCancelledError" });
    expect(second.opened?.closed).toBe(true);
  });
});

describe("the redirect page", () => {
  it("is the app's own page with ?oauth=callback, and yields query and fragment parameters without the marker", () => {
    const redirect = oauthRedirectUri(ORIGIN);
    expect(redirect).toBe(`${ORIGIN}/?oauth=callback`);
    const landed = new URL(`${redirect}&code=c1&state=s1#access_token=t1&state=s2`);
    expect(isOAuthCallbackUrl(landed)).toBe(true);
    expect(isOAuthCallbackUrl(new URL(`${ORIGIN}/?oauth=other`))).toBe(false);
    const parameters = callbackParameters(landed);
    expect(Object.fromEntries(parameters)).toEqual({ code: "c1", state: "s2", access_token: "t1" });
  });

  it("makes a different unguessable state each time", () => {
    const states = new Set(Array.from({ length: 20 }, () => newOAuthState()));
    expect(states.size).toBe(20);
    expect([...states].every((state) => /^[A-Za-z0-9_-]{43}$/.test(state))).toBe(true);
  });
});
