import { openDB } from "idb";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConversationStore } from "../../../src/store/conversation-store";
import { openDatabase, type Database } from "../../../src/store/database";
import { migrate } from "../../../src/store/migrations";
import type { LocalModelRecord, TabclawDB } from "../../../src/store/schema";
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

/** A version-1 database, built by the real ladder stopped at step 1. */
function openVersion1(): Promise<Database> {
  return openDB<TabclawDB>(name, 1, { upgrade: (database, oldVersion) => migrate(database, oldVersion, 1) });
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
    expect(db.version).toBe(2);
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

  it("builds a new database at version 2 in one go, and reopening changes nothing", async () => {
    db = await openDatabase(name);
    expect(db.version).toBe(2);
    await db.add("audit", { at: 1, kind: "executed", actionId: "a", tool: "t" });
    db.close();
    db = await openDatabase(name);
    expect([...db.objectStoreNames].length).toBe(8);
    expect(await db.count("audit")).toBe(1);
  });
});
