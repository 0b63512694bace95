import type { Database } from "./database";
import type { ChatMessageRecord, Conversation } from "./schema";

const UNTITLED = "New conversation";

function newId(): string {
  return crypto.randomUUID();
}

/** Conversations and their messages. Every method is one short IndexedDB transaction. */
export class ConversationStore {
  constructor(private readonly db: Database) {}

  async create(title = UNTITLED, now = Date.now()): Promise<Conversation> {
    const conversation: Conversation = { id: newId(), title, createdAt: now, updatedAt: now };
    await this.db.put("conversations", conversation);
    return conversation;
  }

  /** Newest first. */
  async list(): Promise<Conversation[]> {
    const all = await this.db.getAllFromIndex("conversations", "byUpdated");
    return all.reverse();
  }

  get(id: string): Promise<Conversation | undefined> {
    return this.db.get("conversations", id);
  }

  async rename(id: string, title: string): Promise<void> {
    const trimmed = title.trim();
    if (!trimmed) throw new Error("A conversation needs a name.");
    const tx = this.db.transaction("conversations", "readwrite");
    const conversation = await tx.store.get(id);
    if (!conversation) throw new Error("That conversation no longer exists.");
    await tx.store.put({ ...conversation, title: trimmed.slice(0, 200) });
    await tx.done;
  }

  async delete(id: string): Promise<void> {
    const tx = this.db.transaction(["conversations", "chatMessages"], "readwrite");
    const messages = tx.objectStore("chatMessages");
    const range = IDBKeyRange.bound([id, -Infinity], [id, Infinity]);
    let cursor = await messages.index("byConversation").openCursor(range);
    while (cursor) {
      await cursor.delete();
      cursor = await cursor.continue();
    }
    await tx.objectStore("conversations").delete(id);
    await tx.done;
  }

  messages(conversationId: string): Promise<ChatMessageRecord[]> {
    const range = IDBKeyRange.bound([conversationId, -Infinity], [conversationId, Infinity]);
    return this.db.getAllFromIndex("chatMessages", "byConversation", range);
  }

  /** Saves a message (new or updated) and bumps the conversation; names it after its first question. */
  async saveMessage(message: ChatMessageRecord, now = Date.now()): Promise<void> {
    const tx = this.db.transaction(["conversations", "chatMessages"], "readwrite");
    const conversations = tx.objectStore("conversations");
    const conversation = await conversations.get(message.conversationId);
    if (!conversation) throw new Error("That conversation no longer exists.");
    await tx.objectStore("chatMessages").put(message);
    const title =
      conversation.title === UNTITLED && message.role === "user" ? titleFrom(message.content) : conversation.title;
    await conversations.put({ ...conversation, title, updatedAt: now });
    await tx.done;
  }

  newMessageId(): string {
    return newId();
  }
}

export function titleFrom(text: string): string {
  const line = text.trim().split("\n")[0]?.trim() ?? "";
  if (!line) return UNTITLED;
  return line.length > 60 ? `${line.slice(0, 57)}…` : line;
}
