import { openDB } from "idb";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConversationStore } from "../../../src/store/conversation-store";
import { openDatabase, type Database } from "../../../src/store/database";
import { migrate } from "../../../src/store/migrations";
import type { ApprovalRecord } from "../../../src/store/approval-record";
import type { DailyNoteRecord, FactRecord, MemoryRevisionRecord } from "../../../src/store/memory-record";
import type { JobRecord } from "../../../src/store/job-record";
import type { MailRecord } from "../../../src/store/mail-record";
import { DB_VERSION, type LocalModelRecord, type TabclawDB } from "../../../src/store/schema";
import { KillSwitch } from "../../../src/store/kill-switch";
import { SettingsStore } from "../../../src/store/settings-store";
import { deleteDatabase } from "./fresh-database";

let name: string;
let db: Database | undefined;

beforeEach(() => {
  name = `tabclaw-migration-${crypto.randomUUID()}`;
});

afterEach(async () => {
  db?.close();
  db = undefined;
  await deleteDatabase(name);
});

/** A database at an older version, built by the real ladder stopped at that step. */
function openVersion(version: number): Promise<Database> {
  return openDB<TabclawDB>(name, version, {
    upgrade: (database, oldVersion) => migrate(database, oldVersion, version),
  });
}

function openVersion1(): Promise<Database> {
  return openVersion(1);
}

const folderModel = {
  model_id: "my-local-model",
  model: "folder://my-local-model",
  model_lib: "folder://my-local-model/lib.wasm",
  addedAt: 5,
  folderName: "my-local-model",
  totalBytes: 1234,
} as unknown as LocalModelRecord;

const V2_STORES = ["approvals", "audit", "budgets", "usage"];

function indexesOf(database: Database, store: "approvals" | "audit" | "usage"): string[] {
  return [...database.transaction(store).store.indexNames].sort();
}

describe("schema version 2", () => {
  it("upgrades a version-1 database with data, keeping all of it, and adds the safety stores", async () => {
    db = await openVersion1();
    expect([...db.objectStoreNames].sort()).toEqual(["chatMessages", "conversations", "localModels", "settings"]);
    const conversations = new ConversationStore(db);
    const conversation = await conversations.create("Trip", 1);
    const question = {
      id: "m1",
      conversationId: conversation.id,
      role: "user" as const,
      content: "Where to?",
      createdAt: 2,
    };
    const answer = {
      ...question,
      id: "m2",
      role: "assistant" as const,
      content: "Lisbon.",
      createdAt: 3,
      finishReason: "stop" as const,
    };
    await conversations.saveMessage(question, 2);
    await conversations.saveMessage(answer, 3);
    const settings = new SettingsStore(db);
    await settings.set("selectedModelId", "SmolLM2-135M-Instruct-q0f16-MLC");
    await settings.set("modelSizes", { "SmolLM2-135M-Instruct-q0f16-MLC": 270_000_000 });
    await db.put("localModels", folderModel);
    db.close();

    db = await openDatabase(name);
    expect(db.version).toBe(DB_VERSION);
    const upgraded = new ConversationStore(db);
    expect(await upgraded.list()).toEqual([{ ...conversation, updatedAt: 3 }]);
    expect(await upgraded.messages(conversation.id)).toEqual([question, answer]);
    const upgradedSettings = new SettingsStore(db);
    expect(await upgradedSettings.get("selectedModelId")).toBe("SmolLM2-135M-Instruct-q0f16-MLC");
    expect(await upgradedSettings.get("modelSizes")).toEqual({ "SmolLM2-135M-Instruct-q0f16-MLC": 270_000_000 });
    expect(await upgradedSettings.get("killSwitch")).toBe(false);
    expect(await db.get("localModels", "my-local-model")).toEqual(folderModel);

    expect([...db.objectStoreNames].filter((store) => V2_STORES.includes(store)).sort()).toEqual(V2_STORES);
    expect(indexesOf(db, "approvals")).toEqual(["byProposed", "byStatus"]);
    expect(indexesOf(db, "audit")).toEqual(["byAction"]);
    expect(indexesOf(db, "usage")).toEqual(["byAt", "byRoutine"]);
    expect(db.transaction("audit").store.autoIncrement).toBe(true);
    expect(db.transaction("budgets").store.keyPath).toBe("day");
  });
});

const V3_STORES = ["facts", "memoryRevisions", "notes", "profile"];

const approval: ApprovalRecord = {
  id: "act-1",
  action: {
    id: "act-1",
    tool: "send_email",
    effect: "send",
    connector: "gmail",
    arguments: { to: ["a@example.com"], subject: "Hi", body: "Hello" },
    reason: "The user asked.",
    preview: { title: "Send an email", fields: [{ label: "Subject", value: "Hi" }], recipients: ["a@example.com"] },
    taint: { tainted: false, sources: [], reasons: [], argumentSources: [] },
    proposedAt: 10,
  },
  status: "executed",
  proposedAt: 10,
  why: "Sends always ask.",
  decidedAt: 11,
  decidedBy: "user",
  startedAt: 11,
  finishedAt: 12,
  result: { content: "Sent.", trusted: true },
};

describe("schema version 3", () => {
  it("upgrades a version-2 database with data, keeping all of it, and adds the memory stores", async () => {
    db = await openVersion(2);
    expect(db.version).toBe(2);
    const conversations = new ConversationStore(db);
    const conversation = await conversations.create("Plans", 1);
    const message = { id: "m1", conversationId: conversation.id, role: "user" as const, content: "Hi", createdAt: 2 };
    await conversations.saveMessage(message, 2);
    await new KillSwitch(db).set(true, 3);
    await db.put("localModels", folderModel);
    await db.put("approvals", approval);
    const auditSeq = await db.add("audit", { at: 12, kind: "executed", actionId: "act-1", tool: "send_email" });
    const usage = {
      at: 13,
      routine: "chat",
      modelId: "m",
      promptTokens: 100,
      completionTokens: 20,
      estimated: false,
      latencyMs: 900,
      outcome: "completed" as const,
    };
    const usageKey = await db.add("usage", usage);
    await db.put("budgets", { day: "2026-05-01", used: { chat: 120 } });
    db.close();

    db = await openDatabase(name);
    expect(db.version).toBe(DB_VERSION);
    const upgraded = new ConversationStore(db);
    expect(await upgraded.list()).toEqual([{ ...conversation, updatedAt: 2 }]);
    expect(await upgraded.messages(conversation.id)).toEqual([message]);
    expect(await new KillSwitch(db).isOn()).toBe(true);
    expect(await db.get("localModels", "my-local-model")).toEqual(folderModel);
    expect(await db.get("approvals", "act-1")).toEqual(approval);
    expect(
      await db.getAllFromIndex("approvals", "byStatus", IDBKeyRange.bound(["executed", 0], ["executed", 99])),
    ).toEqual([approval]);
    expect(await db.get("audit", auditSeq)).toEqual({
      at: 12,
      kind: "executed",
      actionId: "act-1",
      tool: "send_email",
    });
    expect(await db.get("usage", usageKey)).toEqual(usage);
    expect(await db.get("budgets", "2026-05-01")).toEqual({ day: "2026-05-01", used: { chat: 120 } });

    expect([...db.objectStoreNames].filter((store) => V3_STORES.includes(store)).sort()).toEqual(V3_STORES);
    expect([...db.transaction("notes").store.indexNames]).toEqual(["byDay"]);
    expect([...db.transaction("facts").store.indexNames]).toEqual(["byUpdated"]);
    expect([...db.transaction("memoryRevisions").store.indexNames]).toEqual(["byCreated"]);
    expect(db.transaction("profile").store.keyPath).toBeNull();
    // The new audit entries keep counting from where version 2 stopped.
    expect(await db.add("audit", { at: 14, kind: "executed", actionId: "act-2", tool: "t" })).toBe(auditSeq + 1);
  });

  it("builds a new database at the current version in one go, and reopening changes nothing", async () => {
    db = await openDatabase(name);
    expect(db.version).toBe(DB_VERSION);
    await db.add("audit", { at: 1, kind: "executed", actionId: "a", tool: "t" });
    await db.put("profile", { text: "# USER", updated: 1 }, "user");
    db.close();
    db = await openDatabase(name);
    expect([...db.objectStoreNames].length).toBe(19);
    expect(await db.count("audit")).toBe(1);
    expect(await db.get("profile", "user")).toEqual({ text: "# USER", updated: 1 });
  });
});

describe("schema version 4", () => {
  it("upgrades a version-3 database with memory, keeping all of it, and adds the routine stores", async () => {
    db = await openVersion(3);
    expect(db.version).toBe(3);
    const conversations = new ConversationStore(db);
    const conversation = await conversations.create("Week", 1);
    await db.put("approvals", approval);
    // Partial records: the upgrade must keep whatever is stored, field for field.
    await db.put("notes", { id: "n1", day: "2026-11-24", at: 5, text: "Call Ana" } as unknown as DailyNoteRecord);
    const fact = { id: "f1", text: "Ana is my sister", updated: 6 } as unknown as FactRecord;
    await db.put("facts", fact);
    await db.put("profile", { text: "# USER", updated: 7 }, "user");
    await db.put("memoryRevisions", { id: "rev1", createdAt: 8 } as unknown as MemoryRevisionRecord);
    await db.put("budgets", { day: "2026-11-24", used: { chat: 50 } });
    db.close();

    db = await openDatabase(name);
    expect(db.version).toBe(DB_VERSION);
    expect(await new ConversationStore(db).list()).toEqual([conversation]);
    expect(await db.get("approvals", "act-1")).toEqual(approval);
    expect(await db.get("notes", "n1")).toMatchObject({ text: "Call Ana" });
    expect(await db.getAllFromIndex("facts", "byUpdated")).toEqual([fact]);
    expect(await db.get("profile", "user")).toEqual({ text: "# USER", updated: 7 });
    expect(await db.get("memoryRevisions", "rev1")).toEqual({ id: "rev1", createdAt: 8 });
    expect(await db.get("budgets", "2026-11-24")).toEqual({ day: "2026-11-24", used: { chat: 50 } });

    expect(db.transaction("jobs").store.keyPath).toBe("id");
    expect(db.transaction("jobRuns").store.keyPath).toBe("id");
    expect([...db.transaction("jobRuns").store.indexNames].sort()).toEqual(["byJob", "byStarted"]);
  });
});

describe("schema version 5", () => {
  it("upgrades a version-4 database with jobs, keeping them, and adds mail, imports and connector state", async () => {
    db = await openVersion(4);
    const job = { id: "dreaming", routine: "dreaming", title: "Dreaming" } as unknown as JobRecord;
    await db.put("jobs", job);
    db.close();

    db = await openDatabase(name);
    expect(db.version).toBe(DB_VERSION);
    expect(await db.get("jobs", "dreaming")).toEqual(job);
    expect([...db.transaction("mail").store.indexNames].sort()).toEqual(["byCategory", "byReceived", "byStatus"]);
    expect([...db.transaction("mailImports").store.indexNames]).toEqual(["byStarted"]);
    // A mail filed under its triage category is found by the category index; an untriaged one is not.
    const mail = (id: string, category?: string) =>
      ({
        id,
        receivedAt: 1,
        status: category ? "triaged" : "new",
        ...(category && { triage: { category } }),
      }) as unknown as MailRecord;
    await db.put("mail", mail("a", "newsletter"));
    await db.put("mail", mail("b"));
    expect(
      await db.getAllKeysFromIndex(
        "mail",
        "byCategory",
        IDBKeyRange.bound(["newsletter", 0], ["newsletter", Infinity]),
      ),
    ).toEqual(["a"]);
    expect(await db.getAllKeysFromIndex("mail", "byStatus", IDBKeyRange.bound(["new", 0], ["new", Infinity]))).toEqual([
      "b",
    ]);
    await db.put("connectorState", { historyId: "7" }, "gmail");
    expect(await db.get("connectorState", "gmail")).toEqual({ historyId: "7" });
  });
});

describe("schema version 6", () => {
  it("upgrades a version-5 database with mail, keeping it, and adds the deployments board and Slack threads", async () => {
    db = await openVersion(5);
    const stored = { id: "local:1", receivedAt: 1, status: "new" } as unknown as MailRecord;
    await db.put("mail", stored);
    db.close();

    db = await openDatabase(name);
    expect(db.version).toBe(DB_VERSION);
    expect(await db.get("mail", "local:1")).toEqual(stored);
    expect([...db.transaction("deployments").store.indexNames]).toEqual(["byRepository"]);
    expect([...db.transaction("slackThreads").store.indexNames]).toEqual(["byUpdated"]);
  });
});
