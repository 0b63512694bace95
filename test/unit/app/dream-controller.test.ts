import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DreamController, localDreamLock, type DreamPort } from "../../../src/app/dream-controller";
import { Observable } from "../../../src/app/observable";
import { writeJournalEntry, type DreamJournalEntry } from "../../../src/memory/dream-journal-store";
import type { DreamRequest } from "../../../src/memory/dream-run";
import { TRUSTED } from "../../../src/memory/fact-rules";
import { MemoryStore } from "../../../src/memory/memory-store";
import { SettingsStore } from "../../../src/store/settings-store";
import { FreshDatabase } from "../store/fresh-database";

const ZONE = "Europe/Berlin";
const HOUR = 3_600_000;

class FakeModels extends Observable {
  load: { kind: string } = { kind: "idle" };
  ready(): void {
    this.load = { kind: "ready" };
    this.changed();
  }
}

class FakePause extends Observable {
  paused = false;
  set(on: boolean): void {
    this.paused = on;
    this.changed();
  }
}

function entry(at: number): DreamJournalEntry {
  return {
    id: `run-${at}`,
    at,
    day: "2026-11-23",
    trigger: "schedule",
    status: "nothing_new",
    message: "",
    reasons: [],
    notes: [],
    notesRead: 0,
    notesLeft: 0,
    tokens: 0,
    merges: [],
  };
}

let fresh: FreshDatabase;
beforeEach(async () => {
  fresh = new FreshDatabase();
  await fresh.open();
});
afterEach(async () => {
  await fresh.dispose();
});

function setUp(now: number) {
  const models = new FakeModels();
  const pause = new FakePause();
  const requests: DreamRequest[] = [];
  const timers: number[] = [];
  const port: DreamPort = {
    dream: async (request) => {
      requests.push(request);
      const done = { ...entry(now), id: `dream-${requests.length}` };
      await writeJournalEntry(fresh.db, done);
      return { ok: true, value: done };
    },
  };
  const controller = new DreamController({
    db: fresh.db,
    settings: new SettingsStore(fresh.db),
    port: () => Promise.resolve(port),
    models,
    pause,
    lock: localDreamLock(),
    timeZone: ZONE,
    now: () => now,
    setTimer: (_fn, ms) => timers.push(ms),
    clearTimer: () => undefined,
  });
  return { controller, models, pause, requests, timers };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe("the dream controller", () => {
  it("a missed night runs once, when a model is loaded and nothing is paused", async () => {
    const now = Date.parse("2026-11-24T09:00:00Z");
    await writeJournalEntry(fresh.db, entry(now - 5 * 24 * HOUR));
    const { controller, models, pause, requests } = setUp(now);
    pause.set(true);
    await controller.init();
    expect(controller.due).toBe(true);
    models.ready();
    await settle();
    expect(requests).toHaveLength(0);
    pause.set(false);
    await settle();
    expect(requests).toEqual([{ timeZone: ZONE, trigger: "schedule" }]);
    expect(controller.due).toBe(false);
    // The next is tomorrow at 03:00 Berlin (02:00 UTC).
    expect(controller.nextDue).toBe(Date.parse("2026-11-25T02:00:00Z"));
    models.ready();
    await settle();
    expect(requests).toHaveLength(1);
  });

  it("sets one timer for the next night when nothing is due, and none when dreaming is off", async () => {
    const now = Date.parse("2026-11-24T09:00:00Z");
    await writeJournalEntry(fresh.db, entry(now - HOUR));
    const { controller, timers } = setUp(now);
    await controller.init();
    expect(controller.due).toBe(false);
    expect(timers).toEqual([HOUR]);
    await controller.saveSettings(false, "03:00");
    expect(controller.nextDue).toBeUndefined();
    expect(timers).toHaveLength(1);
    expect(await controller.saveSettings(true, "3am")).toMatchObject({ ok: false });
  });

  it("a fresh install with notes only from today does not dream at once", async () => {
    const now = Date.parse("2026-11-24T09:00:00Z");
    await new MemoryStore(fresh.db).addNote(
      { text: "hello", at: now - HOUR, origin: "chat", provenance: TRUSTED },
      ZONE,
    );
    const { controller, models, requests } = setUp(now);
    await controller.init();
    models.ready();
    await settle();
    expect(controller.due).toBe(false);
    expect(requests).toHaveLength(0);
  });

  it("Dream now explains what blocks it", async () => {
    const { controller, models, requests } = setUp(Date.parse("2026-11-24T09:00:00Z"));
    await controller.init();
    expect(await controller.dreamNow()).toBeUndefined();
    expect(controller.message).toContain("load one first");
    models.ready();
    await controller.dreamNow();
    expect(requests).toEqual([{ timeZone: ZONE, trigger: "manual" }]);
  });
});
