import { describe, expect, it } from "vitest";
import { WakeLockHolder, type HeldLock, type WakeLockPort } from "../../../src/app/wake-lock";

class FakePage implements WakeLockPort {
  shown = true;
  requests = 0;
  locks: { released: boolean; release(): Promise<void> }[] = [];
  #listeners: (() => void)[] = [];
  request = (): Promise<HeldLock> => {
    this.requests += 1;
    const lock = {
      released: false,
      release: () => {
        lock.released = true;
        return Promise.resolve();
      },
    };
    this.locks.push(lock);
    return Promise.resolve(lock);
  };
  visible() {
    return this.shown;
  }
  onVisibilityChange(listener: () => void) {
    this.#listeners.push(listener);
  }
  /** The browser lets go of the lock when the page is hidden. */
  setVisible(shown: boolean) {
    this.shown = shown;
    if (!shown) for (const lock of this.locks) lock.released = true;
    for (const listener of this.#listeners) listener();
  }
}

describe("WakeLockHolder", () => {
  it("holds the lock while wanted, asks again when the page is visible again, lets go when the run ends", async () => {
    const page = new FakePage();
    const holder = new WakeLockHolder(page);
    await holder.want(true);
    await holder.want(true);
    expect(page.requests).toBe(1);
    expect(holder.held).toBe(true);
    page.setVisible(false);
    expect(holder.held).toBe(false);
    page.setVisible(true);
    await holder.want(true);
    expect(page.requests).toBe(2);
    expect(holder.held).toBe(true);
    await holder.want(false);
    expect(holder.held).toBe(false);
    expect(page.locks.every((lock) => lock.released)).toBe(true);
  });

  it("does nothing where the browser has no Screen Wake Lock", async () => {
    const holder = new WakeLockHolder({ request: undefined, visible: () => true, onVisibilityChange: () => {} });
    await holder.want(true);
    expect(holder.held).toBe(false);
  });
});
