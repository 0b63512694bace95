import { describe, expect, it } from "vitest";
import { TransferRateEstimator, type DownloadProgress } from "../../../src/models/download-progress";
import { ProgressTracker } from "../../../src/models/progress-tracker";

function manualClock(start = 0): { now: () => number; advance: (ms: number) => void } {
  let time = start;
  return { now: () => time, advance: (ms) => (time += ms) };
}

describe("TransferRateEstimator", () => {
  it("reports a steady 1 MB/s and the time left at that speed", () => {
    const clock = manualClock();
    const rate = new TransferRateEstimator(clock.now);
    for (let second = 0; second <= 10; second++) {
      rate.record(second * 1_000_000);
      if (second < 10) clock.advance(1000);
    }
    expect(rate.bytesPerSecond()).toBeCloseTo(1_000_000, 0);
    expect(rate.secondsLeft(30_000_000)).toBeCloseTo(30, 5);
  });

  it("forgets a burst older than its window", () => {
    const clock = manualClock();
    const rate = new TransferRateEstimator(clock.now, 5000);
    rate.record(0);
    clock.advance(1000);
    rate.record(100_000_000); // a fast first second
    for (let second = 0; second < 10; second++) {
      clock.advance(1000);
      rate.record(100_000_000 + (second + 1) * 100_000);
    }
    expect(rate.bytesPerSecond()).toBeCloseTo(100_000, 0);
  });

  it("falls towards zero while nothing arrives, and then gives no time estimate", () => {
    const clock = manualClock();
    const rate = new TransferRateEstimator(clock.now, 5000);
    rate.record(0);
    clock.advance(1000);
    rate.record(1_000_000);
    clock.advance(3000); // stalled, but the last second of data is still in the window
    expect(rate.bytesPerSecond()).toBeCloseTo(250_000, 0);
    clock.advance(5000);
    expect(rate.bytesPerSecond()).toBe(0);
    expect(rate.secondsLeft(1000)).toBeUndefined();
  });

  it("has no speed before time has passed, and zero seconds left when nothing remains", () => {
    const clock = manualClock();
    const rate = new TransferRateEstimator(clock.now);
    expect(rate.bytesPerSecond()).toBe(0);
    rate.record(5000);
    expect(rate.bytesPerSecond()).toBe(0);
    expect(rate.secondsLeft(0)).toBe(0);
  });
});

describe("ProgressTracker", () => {
  function tracked(minIntervalMs = 100): {
    tracker: ProgressTracker;
    events: DownloadProgress[];
    advance: (ms: number) => void;
  } {
    const clock = manualClock(1000);
    const events: DownloadProgress[] = [];
    const tracker = new ProgressTracker("m", clock.now, (event) => events.push(event), minIntervalMs);
    return { tracker, events, advance: clock.advance };
  }

  it("reports byte updates at most every interval but always reports a finished file", () => {
    const { tracker, events, advance } = tracked(100);
    tracker.setPhase("downloading");
    tracker.plan(1000, 1);
    tracker.startFile("a.bin", 1000);
    const before = events.length;
    // 20 chunks over 400 ms: four intervals of 100 ms at most.
    for (let i = 0; i < 20; i++) {
      tracker.received(25, true);
      advance(20);
    }
    const byteUpdates = events.length - before;
    expect(byteUpdates).toBeGreaterThanOrEqual(3);
    expect(byteUpdates).toBeLessThanOrEqual(4);
    tracker.received(500, true);
    tracker.finishFile();
    expect(events.at(-1)).toMatchObject({ bytesDone: 1000, bytesTotal: 1000, filesDone: 1, filesTotal: 1 });
  });

  it("grows the total when a file of unknown size announces its length or delivers more than announced", () => {
    const { tracker, events } = tracked(0);
    tracker.setPhase("downloading");
    tracker.plan(500, 2);
    tracker.skipFile(500);
    tracker.startFile("lib.wasm", 0);
    tracker.announceSize(300);
    tracker.received(200, true);
    expect(events.at(-1)).toMatchObject({ bytesDone: 700, bytesTotal: 800 });
    tracker.received(250, true); // a compressed transfer: more bytes than its content-length said
    expect(events.at(-1)).toMatchObject({ bytesDone: 950, bytesTotal: 950 });
    tracker.finishFile();
    tracker.setPhase("done");
    expect(events.at(-1)).toMatchObject({ phase: "done", bytesDone: 950, bytesTotal: 950, filesDone: 2 });
    expect(events.at(-1)?.currentFile).toBeUndefined();
  });

  it("does not count bytes that were already at hand towards the speed", () => {
    const { tracker, events, advance } = tracked(0);
    tracker.setPhase("finishing");
    tracker.plan(100_000, 1);
    tracker.startFile("tensor-cache.json", 100_000);
    advance(1000);
    tracker.received(100_000, false);
    expect(events.at(-1)?.bytesPerSecond).toBe(0);
  });
});
