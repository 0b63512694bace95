import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ChatController } from "../../../src/app/chat-controller";
import { fileDownloadsConnector } from "../../../src/app/file-downloads";
import { UserQuestions } from "../../../src/app/user-questions";
import { serializeError } from "../../../src/core/errors";
import { runAgentTurn } from "../../../src/engine/agent-turn";
import type { AgentBridge } from "../../../src/engine/agent-bridge";
import type { ChatEngine } from "../../../src/engine/chat-engine";
import { connectorRegistry } from "../../../src/gate/connector";
import { Gate } from "../../../src/gate/gate";
import { MemoryStore } from "../../../src/memory/memory-store";
import { ConversationStore } from "../../../src/store/conversation-store";
import { SettingsStore } from "../../../src/store/settings-store";
import { chatToolRegistry } from "../../../src/tools/chat-tools";
import type { AgentApi } from "../../../workers/agent-api";
import { decisionText, scriptedStream, type ScriptStep, type ScriptedStream } from "../agent/scripted-stream";
import { FreshDatabase } from "../store/fresh-database";

let fresh: FreshDatabase;

beforeEach(async () => {
  fresh = new FreshDatabase();
  await fresh.open();
});

afterEach(async () => {
  await fresh.dispose();
});

interface Saved {
  filename: string;
  text: string;
}

/**
 * The chat as the page runs it, in Node: the real controller, Gate, connectors, stores and agent
 * run, with the worker boundary replaced by direct calls and the model by a script (a TEST DOUBLE).
 */
async function chatWith(steps: readonly ScriptStep[], options: { contextWindow?: number } = {}) {
  const script: ScriptedStream = scriptedStream(steps);
  const engine: ChatEngine = {
    loadedModelId: "test-model",
    stream: script.stream,
    load: () => Promise.resolve(),
    unload: () => Promise.resolve(),
  };
  const saved: Saved[] = [];
  const questions = new UserQuestions();
  const gate = await Gate.open({
    db: fresh.db,
    tools: chatToolRegistry(),
    connectors: connectorRegistry([
      questions.connector(),
      fileDownloadsConnector((filename, blob) => {
        void blob.text().then((text) => saved.push({ filename, text }));
      }),
    ]),
    channel: null,
  });
  const running = new Map<string, AbortController>();
  const api: Pick<AgentApi, "runAgent" | "stop"> = {
    async runAgent(requestId, request, onEvent, proposeAction) {
      const controller = new AbortController();
      running.set(requestId, controller);
      try {
        await runAgentTurn({
          engine,
          db: fresh.db,
          registry: chatToolRegistry(),
          request,
          onEvent,
          proposeAction,
          signal: controller.signal,
          ...(options.contextWindow !== undefined ? { contextWindow: options.contextWindow } : {}),
        });
        return { ok: true, value: undefined };
      } catch (error) {
        return { ok: false, error: serializeError(error) };
      }
    },
    stop(requestId) {
      running.get(requestId)?.abort();
    },
  };
  const bridge = {
    api: () => Promise.resolve(api),
    callback: <T>(fn: T) => fn,
    crashed: () => ({ promise: new Promise<string>(() => undefined), dispose: () => undefined }),
  } as unknown as AgentBridge;
  const settings = new SettingsStore(fresh.db);
  const store = new ConversationStore(fresh.db);
  const notes: string[] = [];
  const chat = new ChatController({
    store,
    settings,
    bridge,
    gate,
    questions,
    timeZone: "UTC",
    addNote: (text) => {
      notes.push(text);
      return Promise.resolve();
    },
  });
  await chat.init();
  return { chat, gate, script, saved, questions, settings, store, notes };
}

/** Waits until `condition` holds, checking after each macrotask. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 1));
  expect(condition()).toBe(true);
}

const shown = (chat: ChatController) =>
  chat.messages.map((message) => [message.kind ?? "text", message.role, message.outcome ?? ""]);

describe("the chat runs the agent", () => {
  it("answers a plain question: one decision, one streamed answer, both calls recorded as chat usage", async () => {
    const { chat, script } = await chatWith([{ text: decisionText("reply") }, { text: "Hello there." }]);
    await chat.send("Hi", "test-model");
    expect(shown(chat)).toEqual([
      ["text", "user", ""],
      ["text", "assistant", ""],
    ]);
    const answer = chat.messages[1];
    expect(answer?.content).toBe("Hello there.");
    expect(answer?.finishReason).toBe("stop");
    expect(answer?.usage?.completionTokens).toBeGreaterThan(0);
    expect(script.requests[0]?.responseFormat?.type).toBe("json_object");
    expect(script.requests[0]?.messages[0]?.content).toContain("Today is");
    const usage = await fresh.db.getAll("usage");
    expect(usage.map((record) => [record.routine, record.modelId, record.outcome])).toEqual([
      ["chat", "test-model", "completed"],
      ["chat", "test-model", "completed"],
    ]);
  });

  it("keeps a proposed file waiting for approval, runs it once when approved, and tells the model next turn", async () => {
    const args = { filename: "plan.md", content: "# Plan\n- buy milk" };
    const { chat, gate, saved, script, notes } = await chatWith([
      { text: decisionText("save_file", args, "The user asked for a file.") },
      { text: decisionText("reply") },
      { text: "I have proposed saving plan.md; approve it above." },
      { text: decisionText("reply") },
      { text: "Done." },
    ]);
    await chat.send("Write my plan to a file", "test-model");
    expect(shown(chat)).toEqual([
      ["text", "user", ""],
      ["decision", "assistant", ""],
      ["result", "tool", "pending"],
      ["text", "assistant", ""],
    ]);
    expect(saved).toEqual([]);
    // The day's note: the user's words and the tools used, nothing anyone else wrote.
    expect(notes).toEqual(['Asked: "Write my plan to a file"; Tabclaw used save_file (pending)']);
    const [pending] = await gate.pending();
    expect(pending?.action.preview.destination).toBe("plan.md");
    expect(pending?.action.preview.body).toBe(args.content);
    expect(chat.messages[1]?.actionId).toBe(pending?.id);

    const id = pending?.id ?? "";
    const first = await gate.approve(id);
    const second = await gate.approve(id);
    expect(first.ok).toBe(true);
    expect(second).toMatchObject({ ok: false, problem: "not_pending" });
    await until(() => saved.length === 1);
    expect(saved).toEqual([{ filename: "plan.md", text: args.content }]);

    await chat.send("Thanks", "test-model");
    const context = script.requests[3]?.messages.map((message) => message.content).join("\n") ?? "";
    expect(context).toContain('The user approved this action. It ran: Saved "plan.md"');
    expect(context).not.toContain("waiting for the user's approval");
  });

  it("asks the user through ask_user: the next message answers it and the run goes on", async () => {
    const { chat, questions, script } = await chatWith([
      { text: decisionText("ask_user", { question: "Which colour?" }) },
      { text: decisionText("reply") },
      { text: "Blue it is." },
    ]);
    const sending = chat.send("Paint the fence", "test-model");
    await until(() => questions.current !== undefined);
    expect(questions.current?.question).toBe("Which colour?");
    await chat.send("Blue", "test-model");
    await sending;
    expect(shown(chat)).toEqual([
      ["text", "user", ""],
      ["question", "assistant", ""],
      ["result", "tool", "executed"],
      ["text", "assistant", ""],
    ]);
    expect(chat.messages[2]?.provenance).toEqual({ kind: "tool", tool: "ask_user", trusted: true, source: "user" });
    expect(script.requests[1]?.messages.at(-1)?.content).toContain("Blue");
    expect(chat.messages[3]?.content).toBe("Blue it is.");
  });

  it("Stop while a question waits closes the question and ends the run as stopped", async () => {
    const { chat, questions } = await chatWith([{ text: decisionText("ask_user", { question: "Which colour?" }) }]);
    const sending = chat.send("Paint the fence", "test-model");
    await until(() => questions.current !== undefined);
    await chat.stop();
    await sending;
    expect(questions.current).toBeUndefined();
    expect(chat.streaming).toBeUndefined();
    expect(chat.messages.at(-1)?.finishReason).toBe("abort");
  });

  it("stops before calling the model when today's chat budget is spent, and says which budget and when it resets", async () => {
    const { chat, script, settings } = await chatWith([{ text: decisionText("reply") }, { text: "Hello." }]);
    await settings.set("budgetLimits", { totalPerDay: 200_000, chatPerDay: 10, routinePerDay: 20_000, perRoutine: {} });
    await chat.send("Hi", "test-model");
    expect(script.requests).toEqual([]);
    const answer = chat.messages.at(-1);
    expect(answer?.finishReason).toBe("error");
    expect(answer?.error?.name).toBe("BudgetExceededError");
    expect(answer?.error?.message).toMatch(/daily token budget for chat would be exceeded.*resets at/s);
    const audit = await fresh.db.getAll("audit");
    expect(audit.map((entry) => entry.kind)).toContain("budget");
  });

  it("a model that cannot produce a valid decision twice ends with a plain message and what to do", async () => {
    const { chat } = await chatWith([{ text: "Sure! Here you go" }, { text: '{"tool":"launch_rockets"}' }]);
    await chat.send("Hi", "test-model");
    const answer = chat.messages.at(-1);
    expect(answer?.finishReason).toBe("error");
    expect(answer?.error).toEqual({
      name: "InvalidDecisionError",
      message:
        "The model gave no valid decision, even after a retry. The model could not choose a step it is allowed to take. Ask again, or try a larger model.",
    });
  });

  it("a conversation too long for the model: facts saved to memory first, then summarised, and the next turn starts from the summary", async () => {
    const compaction = JSON.stringify({
      summary: "The user planned a trip to Lisbon with Ana.",
      facts: [{ text: "Ana lives in Lisbon", importance: 4 }],
    });
    const { chat, store, script } = await chatWith(
      [
        { text: compaction },
        { text: decisionText("reply") },
        { text: "Have a good trip." },
        { text: decisionText("reply") },
        { text: "Yes." },
      ],
      { contextWindow: 2048 },
    );
    await chat.create();
    const conversationId = chat.activeId ?? "";
    let at = Date.now() - 100_000;
    for (let turn = 0; turn < 12; turn += 1) {
      for (const role of ["user", "assistant"] as const) {
        at += 10;
        await store.saveMessage({
          id: `old-${turn}-${role}`,
          conversationId,
          role,
          content: `${role} ${turn} ${"w ".repeat(200)}`,
          createdAt: at,
        });
      }
    }
    await chat.open(conversationId);
    await chat.send("Anything else for the trip?", "test-model");

    const [compactionRequest] = script.requests;
    expect(compactionRequest?.messages[0]?.content).toContain("memory keeper");
    const facts = await new MemoryStore(fresh.db).listFacts();
    expect(facts.map((fact) => [fact.text, fact.origin, fact.provenance])).toEqual([
      ["Ana lives in Lisbon", "compaction", { trust: "trusted" }],
    ]);
    const summary = chat.messages.find((message) => message.kind === "summary");
    expect(summary).toMatchObject({
      savedFacts: 1,
      content: "Summary of the earlier conversation: The user planned a trip to Lisbon with Ana.",
    });
    // The decision after the cut saw the summary first and the newest messages, not the oldest.
    const decision = script.requests[1]?.messages.map((message) => message.content) ?? [];
    expect(decision[1]).toContain("Summary of the earlier conversation");
    expect(decision.join("\n")).not.toContain("user 0 ");
    expect(decision.at(-1)).toBe("Anything else for the trip?");

    // The next turn starts from the stored summary without summarising again.
    await chat.send("Thanks", "test-model");
    const next = script.requests[3]?.messages.map((message) => message.content) ?? [];
    expect(script.requests).toHaveLength(5);
    expect(next[1]).toContain("Summary of the earlier conversation");
    expect(next.join("\n")).not.toContain("user 0 ");
  });

  it("a reload shows the run's steps in the order they happened", async () => {
    const { chat, store } = await chatWith([
      { text: decisionText("save_file", { filename: "a.txt", content: "A" }) },
      { text: decisionText("reply") },
      { text: "Proposed." },
    ]);
    await chat.send("Save A", "test-model");
    const conversationId = chat.activeId ?? "";
    const reloaded = (await store.messages(conversationId)).map((message) => message.kind ?? "text");
    expect(reloaded).toEqual(["text", "decision", "result", "text"]);
  });
});
