import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SlackThreadRecord } from "../../../src/store/slack-thread-record";
import { SLACK_THREADS_KEPT, SlackThreadStore } from "../../../src/store/slack-thread-store";
import { FreshDatabase } from "./fresh-database";

function thread(id: string, updatedAt: number, fields: Partial<SlackThreadRecord> = {}): SlackThreadRecord {
  const [channelId = "C0GENERAL1", threadTs = "1764000000.000100"] = id.split("/");
  return {
    id,
    channelId,
    channelName: "#general",
    threadTs,
    reason: "channel",
    summary: "Lunch plans.",
    needsReply: false,
    latestTs: threadTs,
    updatedAt,
    summaryState: "summarised",
    ...fields,
  };
}

let fresh: FreshDatabase;
let store: SlackThreadStore;

beforeEach(async () => {
  fresh = new FreshDatabase();
  store = new SlackThreadStore(await fresh.open());
});

afterEach(() => fresh.dispose());

describe("SlackThreadStore", () => {
  it("lists threads newest first and finds those still waiting for a summary", async () => {
    await store.putAll([
      thread("C0GENERAL1/1764000000.000100", 100),
      thread("D0BOBALICE/1764000100.000100", 300, {
        summary: "",
        summaryState: "pending",
        summaryProblem: "No model was loaded.",
      }),
      thread("C0RELEASE1/1764000200.000100", 200, { summary: "", summaryState: "pending" }),
    ]);
    expect((await store.recent()).map((record) => record.updatedAt)).toEqual([300, 200, 100]);
    expect((await store.recent(1)).map((record) => record.id)).toEqual(["D0BOBALICE/1764000100.000100"]);
    expect((await store.awaitingSummary()).map((record) => record.id)).toEqual([
      "D0BOBALICE/1764000100.000100",
      "C0RELEASE1/1764000200.000100",
    ]);
    expect(await store.countAwaitingSummary()).toBe(2);
    const many = await store.getMany(["C0GENERAL1/1764000000.000100", "C0NOPE0001/1"]);
    expect([...many.keys()]).toEqual(["C0GENERAL1/1764000000.000100"]);
  });

  it("replaces a thread by its id and keeps it across a reload", async () => {
    await store.put(thread("C0GENERAL1/1764000000.000100", 100, { summaryState: "pending", summary: "" }));
    await store.put(thread("C0GENERAL1/1764000000.000100", 200, { summary: "Lunch at 12:30.", needsReply: true }));
    store = new SlackThreadStore(await fresh.reopen());
    expect(await store.recent()).toEqual([
      thread("C0GENERAL1/1764000000.000100", 200, { summary: "Lunch at 12:30.", needsReply: true }),
    ]);
    expect(await store.awaitingSummary()).toEqual([]);
  });

  it("keeps at most its cap, dropping the threads untouched longest", async () => {
    const records = Array.from({ length: SLACK_THREADS_KEPT + 2 }, (_, index) =>
      thread(`C0GENERAL1/${1764000000 + index}.000100`, 1_000 + index),
    );
    await store.putAll(records);
    const kept = await store.recent();
    expect(kept).toHaveLength(SLACK_THREADS_KEPT);
    expect(kept.at(-1)?.updatedAt).toBe(1_002);
    await store.clear();
    expect(await store.recent()).toEqual([]);
  });
});
