import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { MailRecord } from "../../../src/store/mail-record";
import { MailStore } from "../../../src/store/mail-store";
import { FreshDatabase } from "./fresh-database";

function mail(id: string, receivedAt: number, fields: Partial<MailRecord> = {}): MailRecord {
  return {
    id,
    source: "local",
    sourceId: "import-1",
    to: [],
    cc: [],
    subject: `Mail ${id}`,
    receivedAt,
    ruleHeaders: {},
    text: "",
    snippet: "",
    attachments: [],
    labels: [],
    bodyLoaded: true,
    status: "new",
    storedAt: 0,
    ...fields,
  };
}

let fresh: FreshDatabase;
let store: MailStore;

beforeEach(async () => {
  fresh = new FreshDatabase();
  store = new MailStore(await fresh.open());
});

afterEach(() => fresh.dispose());

describe("MailStore", () => {
  it("keeps the first copy of a mail imported twice, with its triage", async () => {
    expect(await store.addNew([mail("a", 1), mail("b", 2)])).toEqual({ stored: ["a", "b"], duplicates: 0 });
    await store.setTriage("a", { category: "newsletter", decidedBy: "rule", ruleId: "list-unsubscribe", at: 5 });
    expect(await store.addNew([mail("a", 1), mail("c", 3)])).toEqual({ stored: ["c"], duplicates: 1 });
    expect((await store.get("a"))?.triage?.category).toBe("newsletter");
  });

  it("lists untriaged mail and each category newest first, and counts both", async () => {
    await store.addNew([mail("old", 1), mail("mid", 2), mail("new", 3)]);
    await store.setTriage("mid", { category: "urgent", decidedBy: "model", at: 4 });
    expect((await store.untriaged()).map((m) => m.id)).toEqual(["new", "old"]);
    expect((await store.inCategory("urgent")).map((m) => m.id)).toEqual(["mid"]);
    expect((await store.recent(2)).map((m) => m.id)).toEqual(["new", "mid"]);
    const counts = await store.counts();
    expect(counts.urgent).toBe(1);
    expect(counts.new).toBe(2);
    expect(counts.fyi).toBe(0);
    expect(await store.countUntriaged()).toBe(2);
  });

  it("survives a reload", async () => {
    await store.addNew([mail("a", 1)]);
    store = new MailStore(await fresh.reopen());
    expect((await store.get("a"))?.subject).toBe("Mail a");
  });
});
