/**
 * The fake Slack for a browser test file: started before each test with the app's OAuth redirect
 * registered, and closed after it once it has seen only requests Slack's API description allows.
 */
import { afterEach, beforeEach, expect } from "vitest";
import { oauthRedirectUri } from "../../../src/auth/oauth-redirect";
import { startFakeSlack, type FakeSlack } from "../../fakes/slack/fake-slack";
import type { BrowserSuite } from "./suite";

/** Gives each test a fresh fake Slack (through `use`) that accepts the app's redirect URI. */
export function useFakeSlack(suite: BrowserSuite, use: (fake: FakeSlack) => void): void {
  let current: FakeSlack | undefined;
  beforeEach(async () => {
    current = await startFakeSlack({ redirectUris: [oauthRedirectUri(suite.server.origin)] });
    use(current);
  });
  afterEach(async () => {
    if (!current) return;
    const fake = current;
    current = undefined;
    expect(fake.violations).toEqual([]);
    await fake.close();
  });
}
