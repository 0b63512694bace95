import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Notifier } from "../../../src/app/notifier";
import { RoutinesController, type JobsChannel } from "../../../src/app/routines-controller";
import type { JobsMessage } from "../../../src/routines/jobs-channel";
import { JobStore } from "../../../src/store/job-store";
import { SettingsStore } from "../../../src/store/settings-store";
import { FreshDatabase } from "../store/fresh-database";
import { at, FakeNotifications, job, run } from "./routines-fixtures";

class FakeChannel implements JobsChannel {
  posted: JobsMessage[] = [];
  postMessage(message: JobsMessage) {
    this.posted.push(message);
  }
  addEventListener() {}
}

const now = at("2026-11-24T09:00:00Z");
let fresh: FreshDatabase;
let jobs: JobStore;
let settings: SettingsStore;
let channel: FakeChannel;
let port: FakeNotifications;
let routines: RoutinesController;

beforeEach(async () => {
  fresh = new FreshDatabase();
  const db = await fresh.open();
  jobs = new JobStore(db);
  settings = new SettingsStore(db);
  channel = new FakeChannel();
  port = new FakeNotifications();
  routines = new RoutinesController({
    jobs,
    settings,
    channel,
    notifier: new Notifier({ settings, port, now }),
    now: () => now,
  });
});
afterEach(() => fresh.dispose());

describe("RoutinesController", () => {
  it("lists nothing until the scheduler has created jobs", async () => {
    await routines.refresh();
    expect(routines.loaded).toBe(true);
    expect(routines.rows).toEqual([]);
  });

  it("lists each job with its newest runs first", async () => {
    await jobs.put(job(), now);
    const first = run({ id: "a", startedAt: at("2026-11-22T06:00:00Z") });
    const second = run({ id: "b", startedAt: at("2026-11-23T06:00:00Z"), outcome: "ran", itemsFound: 2 });
    await jobs.startRun(first, job());
    await jobs.startRun(second, job());
    await routines.refresh();
    expect(routines.rows.map((row) => row.runs.map((each) => each.id))).toEqual([["b", "a"]]);
  });

  it("saves an edited schedule and active hours, and tells the scheduler", async () => {
    await jobs.put(job(), now);
    await routines.refresh();
    routines.edit("morning-briefing", { kind: "cron", expression: "*/30 8-18 * * 1-5" });
    routines.edit("morning-briefing", { hoursOn: true, from: "08:00", to: "19:00", days: [5, 1, 3] });
    expect(routines.isDirty("morning-briefing")).toBe(true);
    expect(await routines.saveSchedule("morning-briefing")).toBe(true);
    const stored = await jobs.getJob("morning-briefing");
    expect(stored?.schedule).toEqual({ kind: "cron", expression: "*/30 8-18 * * 1-5" });
    expect(stored?.activeHours).toEqual({ from: "08:00", to: "19:00", days: [1, 3, 5] });
    expect(stored?.nextRunAt).toBeGreaterThan(now);
    expect(channel.posted).toEqual([{ type: "changed" }]);
    expect(routines.isDirty("morning-briefing")).toBe(false);
    expect(routines.wasSaved("morning-briefing")).toBe(true);
  });

  it("an invalid cron shows the ScheduleError message and keeps the draft; nothing is stored or posted", async () => {
    await jobs.put(job(), now);
    await routines.refresh();
    routines.edit("morning-briefing", { kind: "cron", expression: "61 * * * *" });
    expect(await routines.saveSchedule("morning-briefing")).toBe(false);
    expect(routines.problems("morning-briefing").schedule).toMatch(
      /^The cron expression "61 \* \* \* \*" is not valid: .*Write five fields separated by spaces/,
    );
    expect(routines.draft("morning-briefing")).toMatchObject({ kind: "cron", expression: "61 * * * *", time: "07:00" });
    expect((await jobs.getJob("morning-briefing"))?.schedule).toEqual({ kind: "daily", time: "07:00" });
    expect(channel.posted).toEqual([]);
    // Fixing it clears the message.
    routines.edit("morning-briefing", { expression: "0 7 * * *" });
    expect(await routines.saveSchedule("morning-briefing")).toBe(true);
    expect(routines.problems("morning-briefing")).toEqual({});
  });

  it("refuses bad intervals and bad active hours with their own messages", async () => {
    await jobs.put(job(), now);
    await routines.refresh();
    routines.edit("morning-briefing", { kind: "every", minutes: "0", hoursOn: true, from: "25:00", days: [] });
    expect(await routines.saveSchedule("morning-briefing")).toBe(false);
    const problems = routines.problems("morning-briefing");
    expect(problems.schedule).toMatch(/^"Every 0 minutes" is not a usable interval/);
    expect(problems.hours).toMatch(/^Active hours "25:00–19:00" are not two times of day/);
  });

  it("turning a job off and on posts the channel message each time", async () => {
    await jobs.put(job(), now);
    await routines.refresh();
    await routines.setEnabled("morning-briefing", false);
    expect((await jobs.getJob("morning-briefing"))?.enabled).toBe(false);
    expect(routines.rows[0]?.job.enabled).toBe(false);
    await routines.setEnabled("morning-briefing", true);
    expect((await jobs.getJob("morning-briefing"))?.since).toBe(now);
    expect(channel.posted).toEqual([{ type: "changed" }, { type: "changed" }]);
  });

  it("Notify me asks for permission only when turned on; a denial is explained and the switch stays off", async () => {
    await jobs.put(job(), now);
    await routines.refresh();
    expect(port.requests).toBe(0);
    port.answer = "denied";
    expect(await routines.setNotify("morning-briefing", true)).toBe(false);
    expect(port.requests).toBe(1);
    expect(routines.notice("morning-briefing")).toMatch(/blocked/);
    expect(routines.rows[0]?.notify).toBe(false);
  });
});
