import type { ProposedAction, ActionOutcome } from "../core/agent/action";
import type { AgentEvent } from "../core/agent/agent-events";
import { todayLabel } from "../core/agent/local-day";
import { CHAT_ROUTINE } from "../core/agent/token-budget";
import { reviveError, type SerializedError } from "../core/errors";
import type { AgentBridge } from "../engine/agent-bridge";
import type { ApprovalRecord } from "../store/approval-record";
import type { ConversationStore } from "../store/conversation-store";
import type { ChatMessageRecord, Conversation } from "../store/schema";
import type { SettingsStore } from "../store/settings-store";
import { askUserTool } from "../tools/ask-user-tool";
import { contextWithOrigins } from "./chat-context";
import { chatNoteText, type NoteStep } from "./chat-note";
import { Observable } from "./observable";
import type { UserQuestions } from "./user-questions";

/** On the next frame in a page; soon, where there are no frames (a test in Node). */
function onNextFrame(callback: () => void): void {
  if (typeof requestAnimationFrame === "function") requestAnimationFrame(callback);
  else setTimeout(callback, 0);
}

/** The page side of the Gate as the chat needs it. */
export interface ChatGate {
  propose(action: ProposedAction): Promise<ActionOutcome>;
  get(id: string): Promise<ApprovalRecord | undefined>;
  /** Heard when approvals change, here or in another tab. */
  subscribe?(listener: () => void): () => void;
}

export interface ChatControllerOptions {
  store: ConversationStore;
  settings: SettingsStore;
  bridge: AgentBridge;
  gate: ChatGate;
  questions: UserQuestions;
  /** The kill switch: while it answers true, `send` refuses (the disabled button is not the only guard). */
  paused?: () => boolean;
  /** IANA zone for "today" in the prompt; the device's by default. */
  timeZone?: string;
  /** Writes the day's note for a finished turn (memory's daily log); none in tests that do not care. */
  addNote?: (text: string, at: number) => Promise<void>;
}

/** The answer being written, and what the run has said about how it ended. */
interface ActiveRun {
  requestId: string;
  message: ChatMessageRecord;
  conversationId: string;
  error: SerializedError | undefined;
  /** The user's message, and the tools the run used, for the day's note. */
  question: string;
  steps: NoteStep[];
  /** Creation time of the entry behind each context item sent, to mark where a compaction cut. */
  origins: number[];
}

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
  streaming: ActiveRun | undefined;
  /** The Gate's records of the open conversation's actions, for their cards. */
  actions: ReadonlyMap<string, ApprovalRecord> = new Map();
  #pendingText = "";
  #publishScheduled = false;
  #lastSaved = 0;
  #lastCreatedAt = 0;
  private readonly store: ConversationStore;
  private readonly settings: SettingsStore;
  private readonly bridge: AgentBridge;
  private readonly gate: ChatGate;
  /** What `ask_user` is waiting on; the composer answers it. */
  readonly questions: UserQuestions;
  private readonly paused: () => boolean;
  readonly #timeZone: string;
  readonly #addNote: ((text: string, at: number) => Promise<void>) | undefined;

  constructor(options: ChatControllerOptions) {
    super();
    this.store = options.store;
    this.settings = options.settings;
    this.bridge = options.bridge;
    this.gate = options.gate;
    this.questions = options.questions;
    this.paused = options.paused ?? (() => false);
    this.#timeZone = options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
    this.#addNote = options.addNote;
    // A question changes what the composer does; views redraw through the chat.
    this.questions.subscribe(() => this.changed());
    this.gate.subscribe?.(() => void this.#refreshActions());
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
    this.actions = await this.#approvalsOf(this.messages);
    await this.settings.set("activeConversationId", id);
    this.changed();
  }

  async #refreshActions(): Promise<void> {
    const conversationId = this.activeId;
    const actions = await this.#approvalsOf(this.messages);
    // Another conversation was opened meanwhile: its own load has the right records.
    if (this.activeId !== conversationId) return;
    this.actions = actions;
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
    if (!content || this.paused()) return;
    // While the agent waits on a question, what the user writes is the answer, not a new turn.
    if (this.streaming && this.questions.answer(content)) return;
    if (this.streaming) return;
    if (!this.activeId) await this.create();
    const conversationId = this.activeId;
    if (!conversationId) return;
    const user = this.#entry(conversationId, { role: "user", content });
    await this.store.saveMessage(user);
    this.messages = [...this.messages, user];
    const answer = this.#entry(conversationId, { role: "assistant", content: "", modelId });
    const requestId = answer.id;
    const run: ActiveRun = {
      requestId,
      message: answer,
      conversationId,
      error: undefined,
      question: content,
      steps: [],
      origins: [],
    };
    this.streaming = run;
    this.conversations = await this.store.list();
    this.changed();

    const { items: context, origins } = contextWithOrigins(this.messages, await this.#approvalsOf(this.messages));
    run.origins = origins;
    const api = await this.bridge.api();
    // Paused while the question was being saved: Stop could not reach an answer that had not started.
    if (this.paused()) {
      answer.finishReason = "abort";
      await this.#finish(run);
      return;
    }
    // If the workers die mid-answer, the call never returns: stop waiting and keep what arrived.
    const crash = this.bridge.crashed();
    const outcome = await Promise.race([
      api.runAgent(
        requestId,
        { context, routine: CHAT_ROUTINE, today: todayLabel(Date.now(), this.#timeZone) },
        this.bridge.callback((event: AgentEvent) => this.#onEvent(run, event)),
        this.bridge.callback((action: ProposedAction) => this.gate.propose(action)),
      ),
      crash.promise.then((message) => ({
        ok: false as const,
        error: { name: "WorkerCrashedError", message: `The model stopped unexpectedly (${message}).` },
      })),
    ]);
    crash.dispose();
    // A question still open belongs to a run that has ended.
    this.questions.dismissAll();
    this.#flush(answer);
    if (!outcome.ok) run.error = outcome.error;
    if (run.error) {
      answer.finishReason = "error";
      const hint = reviveError(run.error).hint;
      answer.error = { name: run.error.name, message: `${run.error.message} ${hint}`.trim() };
    }
    answer.finishReason ??= "stop";
    await this.#finish(run);
    await this.#writeNote(run);
  }

  /** The day's note for a turn the agent handled; a failed note costs the chat nothing. */
  async #writeNote(run: ActiveRun): Promise<void> {
    if (!this.#addNote) return;
    try {
      await this.#addNote(chatNoteText(run.question, run.steps), Date.now());
    } catch {
      // The conversation itself is stored; the note is a summary of it for dreaming.
    }
  }

  /** The chat's one place that ends a run: the answer saved and shown, the composer free again. */
  async #finish(run: ActiveRun): Promise<void> {
    const answer = run.message;
    // An answer with no words and no error (a run that only acted) leaves no empty bubble behind.
    if (answer.content !== "" || answer.error || answer.finishReason === "abort") {
      answer.createdAt = this.#nextCreatedAt();
      await this.store.saveMessage({ ...answer });
      if (this.activeId === run.conversationId) this.messages = [...this.messages, { ...answer }];
    }
    this.streaming = undefined;
    this.conversations = await this.store.list();
    this.changed();
  }

  async #onEvent(run: ActiveRun, event: AgentEvent): Promise<void> {
    switch (event.type) {
      case "token":
        this.#onText(event.text);
        return;
      case "tool_call_proposed": {
        const { action } = event;
        const decision = this.#entry(run.conversationId, {
          role: "assistant",
          kind: action.tool === askUserTool.name ? "question" : "decision",
          content: JSON.stringify({ tool: action.tool, reason: action.reason, arguments: action.arguments }),
          provenance: { kind: "model" },
          actionId: action.id,
        });
        await this.#append(run, decision);
        return;
      }
      case "tool_result": {
        const { item, outcome } = event;
        run.steps.push({ tool: event.action.tool, status: outcome.status });
        const result = this.#entry(run.conversationId, {
          role: "tool",
          kind: "result",
          content: item.content,
          provenance: item.provenance,
          actionId: event.action.id,
          outcome: outcome.status,
        });
        await this.#append(run, result);
        // The Gate has a record now (unless the policy refused it outright): show its card.
        await this.#refreshActions();
        return;
      }
      case "error":
        if (!event.willRetry) run.error = { name: event.error.name, message: event.error.message };
        return;
      case "done":
        this.#onDone(run, event);
        return;
      case "compacted": {
        // Entries from the first kept item on stay in the agent's view; the summary stands for the rest.
        const compactedBefore = run.origins[run.origins.length - event.kept] ?? Date.now();
        const summary = this.#entry(run.conversationId, {
          role: "tool",
          kind: "summary",
          content: event.summary.content,
          provenance: event.summary.provenance,
          compactedBefore,
          savedFacts: event.savedFacts,
        });
        await this.#append(run, summary);
        return;
      }
      case "turn_start":
        return;
    }
  }

  #onDone(run: ActiveRun, done: Extract<AgentEvent, { type: "done" }>): void {
    const answer = run.message;
    if (done.replyUsage) answer.usage = done.replyUsage;
    switch (done.reason) {
      case "answered":
        answer.finishReason = done.message === undefined ? "stop" : "length";
        return;
      case "aborted":
        answer.finishReason = "abort";
        return;
      case "budget":
        run.error = { name: "BudgetExceededError", message: done.message ?? "A daily token budget was reached." };
        return;
      case "frozen":
        run.error = { name: "KillSwitchError", message: done.message ?? "Everything is paused." };
        return;
      case "max_turns":
        run.error = { name: "AgentStepLimitError", message: done.message ?? "The agent took too many steps." };
        return;
      case "error":
        // The run's own summary reads better than the last raw error; the name keeps the hint.
        run.error = {
          name: run.error?.name ?? "AgentError",
          message: done.message ?? run.error?.message ?? "The agent stopped with an error.",
        };
        return;
    }
  }

  /** Saves an entry the run produced and shows it, before the answer that follows it. */
  async #append(run: ActiveRun, entry: ChatMessageRecord): Promise<void> {
    await this.store.saveMessage(entry);
    if (this.activeId === run.conversationId) this.messages = [...this.messages, entry];
    // The answer comes after every step, in the stored order too.
    run.message.createdAt = this.#nextCreatedAt();
    this.changed();
  }

  #entry(
    conversationId: string,
    fields: Omit<ChatMessageRecord, "id" | "conversationId" | "createdAt">,
  ): ChatMessageRecord {
    return { id: this.store.newMessageId(), conversationId, createdAt: this.#nextCreatedAt(), ...fields };
  }

  /** Strictly increasing, so entries written in the same millisecond keep their order when stored. */
  #nextCreatedAt(): number {
    this.#lastCreatedAt = Math.max(Date.now(), this.#lastCreatedAt + 1);
    return this.#lastCreatedAt;
  }

  async #approvalsOf(messages: readonly ChatMessageRecord[]): Promise<Map<string, ApprovalRecord>> {
    const ids = new Set(messages.flatMap((message) => (message.actionId !== undefined ? [message.actionId] : [])));
    const records = await Promise.all([...ids].map((id) => this.gate.get(id)));
    return new Map(records.flatMap((record) => (record ? [[record.id, record] as const] : [])));
  }

  async stop(): Promise<void> {
    if (!this.streaming) return;
    // A run waiting on the user's answer would otherwise wait for ever.
    this.questions.dismissAll();
    const api = await this.bridge.api();
    await api.stop(this.streaming.requestId);
  }

  #onText(text: string): void {
    this.#pendingText += text;
    if (this.#publishScheduled) return;
    this.#publishScheduled = true;
    setTimeout(
      () =>
        onNextFrame(() => {
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
