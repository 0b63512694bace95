import { afterEach, beforeEach, expect } from "vitest";
import { SlackFixture } from "./slack-fixture";

/**
 * Gives each test a freshly started Slack fixture (through `use`) and stops it after the test,
 * once the fake Slack has seen only requests its API description allows.
 */
export function useSlackFixture(use: (fixture: SlackFixture) => void): void {
  let current: SlackFixture | undefined;
  beforeEach(async () => {
    current = await new SlackFixture().start();
    use(current);
  });
  afterEach(async () => {
    if (!current) return;
    const fixture = current;
    current = undefined;
    expect(fixture.fake.violations).toEqual([]);
    await fixture.stop();
  });
}
