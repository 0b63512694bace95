import type { IDBPDatabase } from "idb";
import type { TabclawDB } from "./schema";

/**
 * The migration ladder: each step takes the database from version N-1 to N. Steps run in
 * order inside the upgrade transaction, so a user several versions behind climbs them all.
 */
export function migrate(db: IDBPDatabase<TabclawDB>, oldVersion: number): void {
  if (oldVersion < 1) {
    db.createObjectStore("settings");
    const conversations = db.createObjectStore("conversations", { keyPath: "id" });
    conversations.createIndex("byUpdated", "updatedAt");
    const messages = db.createObjectStore("chatMessages", { keyPath: "id" });
    messages.createIndex("byConversation", ["conversationId", "createdAt"]);
    db.createObjectStore("localModels", { keyPath: "model_id" });
  }
}
