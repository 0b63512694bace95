import "fake-indexeddb/auto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConversationStore, titleFrom } from "../../../src/store/conversation-store";
import { openDatabase, type Database } from "../../../src/store/database";
import type { ChatMessageRecord } from "../../../src/store/schema";
import { SettingsStore } from "../../../src/store/settings-store";

let db: Database;
let name: string;

beforeEach(async () => {
  name = `tabclaw-test-${crypto.randomUUID()}`;
  db = await openDatabase(name);
});

afterEach(async () => {
  db.close();
  await new Promise<void>((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(new Error(`could not delete ${name}`));
  });
});

function message(conversationId: string, role: "user" | "assistant", content: string, at: number): ChatMessageRecord {
  return { id: crypto.randomUUID(), conversationId, role, content, createdAt: at };
}

describe("conversations in IndexedDB", () => {
  it("keeps messages in order and names a conversation after its first question", async () => {
    const store = new ConversationStore(db);
    const conversation = await store.create(undefined, 1);
    await store.saveMessage(message(conversation.id, "user", "What is WebGPU?\nAnd why?", 10), 10);
    await store.saveMessage(message(conversation.id, "assistant", "A GPU API for the web.", 11), 11);
    const messages = await store.messages(conversation.id);
    expect(messages.map((item) => item.content)).toEqual(["What is WebGPU?\nAnd why?", "A GPU API for the web."]);
    expect((await store.get(conversation.id))?.title).toBe("What is WebGPU?");
  });

  it("survives reopening the database (a page reload)", async () => {
    const store = new ConversationStore(db);
    const conversation = await store.create();
    await store.saveMessage(message(conversation.id, "user", "remember me", 5));
    db.close();
    db = await openDatabase(name);
    const reopened = new ConversationStore(db);
    expect((await reopened.list()).map((item) => item.id)).toEqual([conversation.id]);
    expect((await reopened.messages(conversation.id))[0]?.content).toBe("remember me");
  });

  it("lists the most recently used conversation first", async () => {
    const store = new ConversationStore(db);
    const older = await store.create("older", 1);
    const newer = await store.create("newer", 2);
    expect((await store.list()).map((item) => item.title)).toEqual(["newer", "older"]);
    await store.saveMessage(message(older.id, "user", "bump", 3), 3);
    expect((await store.list()).map((item) => item.id)).toEqual([older.id, newer.id]);
  });

  it("renames, refusing an empty name", async () => {
    const store = new ConversationStore(db);
    const conversation = await store.create();
    await store.rename(conversation.id, "  Trip planning  ");
    expect((await store.get(conversation.id))?.title).toBe("Trip planning");
    await expect(store.rename(conversation.id, "   ")).rejects.toThrow(/needs a name/);
    expect((await store.get(conversation.id))?.title).toBe("Trip planning");
  });

  it("deletes a conversation with its messages and nothing else", async () => {
    const store = new ConversationStore(db);
    const gone = await store.create("gone");
    const kept = await store.create("kept");
    await store.saveMessage(message(gone.id, "user", "a", 1));
    await store.saveMessage(message(kept.id, "user", "b", 2));
    await store.delete(gone.id);
    expect(await store.get(gone.id)).toBeUndefined();
    expect(await store.messages(gone.id)).toEqual([]);
    expect((await store.messages(kept.id)).map((item) => item.content)).toEqual(["b"]);
  });

  it("updates a streamed answer in place rather than duplicating it", async () => {
    const store = new ConversationStore(db);
    const conversation = await store.create();
    const answer = message(conversation.id, "assistant", "partial", 1);
    await store.saveMessage(answer);
    await store.saveMessage({ ...answer, content: "partial and complete", finishReason: "stop" });
    const messages = await store.messages(conversation.id);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.content).toBe("partial and complete");
  });

  it("refuses to save into a deleted conversation", async () => {
    const store = new ConversationStore(db);
    const conversation = await store.create();
    await store.delete(conversation.id);
    await expect(store.saveMessage(message(conversation.id, "user", "late", 1))).rejects.toThrow(/no longer exists/);
  });

  it("shortens long first lines for titles", () => {
    expect(titleFrom("x".repeat(100))).toHaveLength(58);
    expect(titleFrom("   ")).toBe("New conversation");
  });
});

describe("settings", () => {
  it("returns defaults until set, and forgets a value set to undefined", async () => {
    const settings = new SettingsStore(db);
    expect(await settings.get("modelMirror")).toBeUndefined();
    expect(await settings.get("modelSizes")).toEqual({});
    await settings.set("modelMirror", "https://mirror.example/");
    expect(await settings.get("modelMirror")).toBe("https://mirror.example/");
    await settings.set("modelMirror", undefined);
    expect(await settings.get("modelMirror")).toBeUndefined();
  });
});
