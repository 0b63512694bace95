import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ChatController } from "../../../src/app/chat-controller";
import { UserQuestions } from "../../../src/app/user-questions";
import type { AgentBridge } from "../../../src/engine/agent-bridge";
import { ConversationStore } from "../../../src/store/conversation-store";
import { SettingsStore } from "../../../src/store/settings-store";
import { FreshDatabase } from "../store/fresh-database";

let fresh: FreshDatabase;

beforeEach(async () => {
  fresh = new FreshDatabase();
  await fresh.open();
});

afterEach(async () => {
  await fresh.dispose();
});

/** A bridge that counts what reaches the workers; `chat` must never be called in these tests. */
function countingBridge(onApi: () => void = () => undefined) {
  const calls = { api: 0, chat: 0 };
  const api = {
    runAgent: () => {
      calls.chat++;
      return Promise.resolve({ ok: true as const, value: undefined });
    },
    stop: () => undefined,
  };
  const bridge = {
    api: () => {
      calls.api++;
      onApi();
      return Promise.resolve(api);
    },
  } as unknown as AgentBridge;
  return { bridge, calls };
}

function chatController(
  database: FreshDatabase,
  bridge: AgentBridge,
  paused: () => boolean,
  store = new ConversationStore(database.db),
): ChatController {
  // The Gate is never reached in these tests: nothing gets as far as the agent.
  const gate = { propose: () => Promise.reject(new Error("unreachable")), get: () => Promise.resolve(undefined) };
  return new ChatController({
    store,
    settings: new SettingsStore(database.db),
    bridge,
    gate,
    questions: new UserQuestions(),
    paused,
  });
}

describe("ChatController while paused", () => {
  it("refuses to send: nothing is saved and the workers are not asked", async () => {
    const { bridge, calls } = countingBridge();
    const store = new ConversationStore(fresh.db);
    const chat = chatController(fresh, bridge, () => true, store);
    await chat.init();
    await chat.send("Hello?", "some-model");
    expect(calls).toEqual({ api: 0, chat: 0 });
    expect(chat.messages).toEqual([]);
    expect(await store.list()).toEqual([]);
  });

  it("does not start an answer when paused while the question was being saved", async () => {
    let paused = false;
    // The user presses Pause just as the question is saved, before the answer reaches the worker.
    const { bridge, calls } = countingBridge(() => (paused = true));
    const chat = chatController(fresh, bridge, () => paused);
    await chat.init();
    await chat.send("Hello?", "some-model");
    expect(calls.chat).toBe(0);
    expect(chat.streaming).toBeUndefined();
    expect(chat.messages.map((message) => [message.role, message.finishReason])).toEqual([
      ["user", undefined],
      ["assistant", "abort"],
    ]);
  });
});
