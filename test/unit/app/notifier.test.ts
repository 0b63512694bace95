import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Notifier } from "../../../src/app/notifier";
import { SettingsStore } from "../../../src/store/settings-store";
import { FreshDatabase } from "../store/fresh-database";
import { at, FakeNotifications, job, run } from "./routines-fixtures";

const start = at("2026-11-24T05:00:00Z");
let fresh: FreshDatabase;
let settings: SettingsStore;
let port: FakeNotifications;

beforeEach(async () => {
  fresh = new FreshDatabase();
  settings = new SettingsStore(await fresh.open());
  port = new FakeNotifications();
});
afterEach(() => fresh.dispose());

describe("Notifier", () => {
  it("asks for permission only when a job is turned on, and says what to do when it is denied", async () => {
    const notifier = new Notifier({ settings, port, now: start });
    await notifier.check([job()], [run({ outcome: "ran", itemsFound: 3 })]);
    expect(port.requests).toBe(0);
    port.answer = "denied";
    const answer = await notifier.setEnabled("morning-briefing", true);
    expect(port.requests).toBe(1);
    expect(answer.ok).toBe(false);
    expect(answer.ok ? "" : answer.message).toMatch(/blocked.*allow notifications in the site settings/);
    expect(await settings.get("notifyJobs")).toEqual([]);
    // Denied stays denied: the browser would not ask again, so neither does Tabclaw.
    await notifier.setEnabled("morning-briefing", true);
    expect(port.requests).toBe(1);
  });

  it("notifies a run that found something or failed once, across reloads, and not runs with nothing new", async () => {
    const notifier = new Notifier({ settings, port, now: start });
    expect(await notifier.setEnabled("morning-briefing", true)).toEqual({ ok: true });
    expect(await settings.get("notifyJobs")).toEqual(["morning-briefing"]);
    const runs = [
      run({ id: "a", outcome: "ran", itemsFound: 3 }),
      run({ id: "b", outcome: "nothing-new" }),
      run({ id: "c", outcome: "failed", error: { name: "Error", message: "offline" } }),
      run({ id: "d", outcome: "running", finishedAt: undefined }),
      run({ id: "e", jobId: "dreaming", outcome: "ran", itemsFound: 2 }),
      run({
        id: "f",
        outcome: "ran",
        itemsFound: 9,
        startedAt: at("2026-11-23T04:00:00Z"),
        finishedAt: at("2026-11-23T04:01:00Z"),
      }),
    ];
    expect((await notifier.check([job()], runs)).map((found) => found.id)).toEqual(["a", "c"]);
    expect(port.shown).toEqual([
      { title: "Morning briefing: 3 new items", body: "", tag: "tabclaw-run-a" },
      { title: "Morning briefing failed", body: "offline", tag: "tabclaw-run-c" },
    ]);
    expect(await notifier.check([job()], runs)).toEqual([]);
    await fresh.reopen();
    const reloaded = new Notifier({ settings: new SettingsStore(fresh.db), port, now: start });
    expect(await reloaded.check([job()], runs)).toEqual([]);
    expect(port.shown).toHaveLength(2);
  });

  it("turning a job off stops its notifications", async () => {
    const notifier = new Notifier({ settings, port, now: start });
    await notifier.setEnabled("morning-briefing", true);
    await notifier.setEnabled("morning-briefing", false);
    expect(await notifier.check([job()], [run({ outcome: "ran", itemsFound: 1 })])).toEqual([]);
  });
});
