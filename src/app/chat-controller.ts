import { reviveError } from "../core/errors";
import type { AgentBridge } from "../engine/agent-bridge";
import type { ChatChunk, ChatTurn } from "../engine/chat-engine";
import type { ConversationStore } from "../store/conversation-store";
import type { ChatMessageRecord, Conversation } from "../store/schema";
import type { SettingsStore } from "../store/settings-store";
import { Observable } from "./observable";

const SYSTEM_PROMPT =
  "You are Tabclaw, a private assistant running entirely on the user's own device. Answer clearly and concisely. Use Markdown when it helps.";

/** How often a streaming answer is written to IndexedDB, so a closed tab loses little. */
const SAVE_EVERY_MS = 1500;
/** How often new text is shown while streaming: smooth to the eye, light on the main thread. */
const PUBLISH_EVERY_MS = 100;

/**
 * Conversations and the answer being streamed. Tokens are gathered and published at most every
 * PUBLISH_EVERY_MS, on an animation frame, so a fast model never floods the main thread with renders.
 */
export class ChatController extends Observable {
  conversations: Conversation[] = [];
  activeId: string | undefined;
  messages: ChatMessageRecord[] = [];
  streaming: { requestId: string; message: ChatMessageRecord } | undefined;
  #pendingText = "";
  #publishScheduled = false;
  #lastSaved = 0;

  constructor(
    private readonly store: ConversationStore,
    private readonly settings: SettingsStore,
    private readonly bridge: AgentBridge,
    /** The kill switch: while it answers true, `send` refuses (the disabled button is not the only guard). */
    private readonly paused: () => boolean = () => false,
  ) {
    super();
  }

  async init(): Promise<void> {
    this.conversations = await this.store.list();
    const saved = await this.settings.get("activeConversationId");
    const active = this.conversations.find((conversation) => conversation.id === saved) ?? this.conversations[0];
    if (active) await this.open(active.id);
    this.changed();
  }

  async open(id: string): Promise<void> {
    this.activeId = id;
    this.messages = await this.store.messages(id);
    await this.settings.set("activeConversationId", id);
    this.changed();
  }

  async create(): Promise<void> {
    const conversation = await this.store.create();
    this.conversations = await this.store.list();
    await this.open(conversation.id);
  }

  async rename(id: string, title: string): Promise<void> {
    await this.store.rename(id, title);
    this.conversations = await this.store.list();
    this.changed();
  }

  async remove(id: string): Promise<void> {
    if (this.streaming && this.activeId === id) await this.stop();
    await this.store.delete(id);
    this.conversations = await this.store.list();
    if (this.activeId === id) {
      this.activeId = undefined;
      this.messages = [];
      await this.settings.set("activeConversationId", undefined);
      const next = this.conversations[0];
      if (next) await this.open(next.id);
    }
    this.changed();
  }

  async send(text: string, modelId: string): Promise<void> {
    const content = text.trim();
    if (!content || this.streaming || this.paused()) return;
    if (!this.activeId) await this.create();
    const conversationId = this.activeId;
    if (!conversationId) return;
    const user: ChatMessageRecord = {
      id: this.store.newMessageId(),
      conversationId,
      role: "user",
      content,
      createdAt: Date.now(),
    };
    await this.store.saveMessage(user);
    this.messages = [...this.messages, user];
    const answer: ChatMessageRecord = {
      id: this.store.newMessageId(),
      conversationId,
      role: "assistant",
      content: "",
      createdAt: Date.now() + 1,
      modelId,
    };
    const requestId = answer.id;
    this.streaming = { requestId, message: answer };
    this.conversations = await this.store.list();
    this.changed();

    const history: ChatTurn[] = [
      { role: "system", content: SYSTEM_PROMPT },
      ...this.messages
        .filter((message) => message.content && !message.error)
        .map((message) => ({ role: message.role, content: message.content })),
    ];
    const api = await this.bridge.api();
    // Paused while the question was being saved: Stop could not reach an answer that had not started.
    if (this.paused()) {
      answer.finishReason = "abort";
      await this.store.saveMessage({ ...answer });
      if (this.activeId === conversationId) this.messages = [...this.messages, { ...answer }];
      this.streaming = undefined;
      this.changed();
      return;
    }
    // If the workers die mid-answer, the call never returns: stop waiting and keep what arrived.
    const crash = this.bridge.crashed();
    const outcome = await Promise.race([
      api.chat(
        requestId,
        { messages: history },
        this.bridge.callback((chunk: ChatChunk) => this.#onChunk(answer, chunk)),
      ),
      crash.promise.then((message) => ({
        ok: false as const,
        error: { name: "WorkerCrashedError", message: `The model stopped unexpectedly (${message}).` },
      })),
    ]);
    crash.dispose();
    this.#flush(answer);
    if (!outcome.ok) {
      answer.finishReason = "error";
      answer.error = outcome.error;
      const hint = reviveError(outcome.error).hint;
      answer.error = { name: outcome.error.name, message: `${outcome.error.message} ${hint}`.trim() };
    }
    answer.finishReason ??= "stop";
    await this.store.saveMessage({ ...answer });
    if (this.activeId === conversationId) this.messages = [...this.messages, { ...answer }];
    this.streaming = undefined;
    this.conversations = await this.store.list();
    this.changed();
  }

  async stop(): Promise<void> {
    if (!this.streaming) return;
    const api = await this.bridge.api();
    await api.stop(this.streaming.requestId);
  }

  #onChunk(answer: ChatMessageRecord, chunk: ChatChunk): void {
    if (chunk.kind === "done") {
      answer.finishReason = chunk.finishReason === "tool_calls" ? "stop" : chunk.finishReason;
      if (chunk.usage) answer.usage = chunk.usage;
      return;
    }
    this.#pendingText += chunk.text;
    if (this.#publishScheduled) return;
    this.#publishScheduled = true;
    setTimeout(
      () =>
        requestAnimationFrame(() => {
          this.#publishScheduled = false;
          // Into the answer streaming now: the answer that scheduled this may have ended since, and
          // the text waiting is then the next answer's first words.
          if (this.streaming) this.#flush(this.streaming.message);
          this.changed();
        }),
      PUBLISH_EVERY_MS,
    );
  }

  #flush(answer: ChatMessageRecord): void {
    if (this.#pendingText) {
      answer.content += this.#pendingText;
      this.#pendingText = "";
    }
    const now = Date.now();
    if (now - this.#lastSaved > SAVE_EVERY_MS && answer.content) {
      this.#lastSaved = now;
      // Partial answers are saved as they grow: a closed tab keeps what was already written.
      void this.store.saveMessage({ ...answer, finishReason: answer.finishReason ?? "abort" });
    }
  }
}
