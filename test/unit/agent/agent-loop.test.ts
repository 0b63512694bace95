import { describe, expect, it, vi } from "vitest";
import type { ActionOutcome, ProposedAction } from "../../../src/core/agent/action";
import type { AgentEvent } from "../../../src/core/agent/agent-events";
import { runAgent, type EngineCallReport, type RunAgentOptions } from "../../../src/core/agent/agent-loop";
import { modelMessage, userMessage, type ContextItem } from "../../../src/core/agent/context-item";
import { buildSystemPrompt } from "../../../src/core/agent/system-prompt";
import { TokenBudget, type BudgetGuard } from "../../../src/core/agent/token-budget";
import { defineTool } from "../../../src/core/agent/tool";
import { ToolRegistry } from "../../../src/core/agent/tool-registry";
import { applyLabel, askUser, memorySearch, readEmail, sendEmail } from "./product-tools";
import { decisionText, scriptedStream, type ScriptStep } from "./scripted-stream";

const registry = new ToolRegistry([readEmail, sendEmail, applyLabel, memorySearch, askUser]);
const mailResult: ActionOutcome = {
  status: "executed",
  result: { content: "From: bob@corp.example\nLunch at 12?", trusted: false, source: "gmail:1890ab" },
};

function unlimitedBudget(): BudgetGuard & { recorded: number[] } {
  const recorded: number[] = [];
  return { recorded, check: () => ({ ok: true, remaining: 1e9 }), record: (tokens) => recorded.push(tokens) };
}

async function collect(events: AsyncIterable<AgentEvent>): Promise<AgentEvent[]> {
  const all: AgentEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

function setup(steps: ScriptStep[], overrides: Partial<RunAgentOptions> = {}) {
  const engine = scriptedStream(steps);
  const proposed: ProposedAction[] = [];
  let ids = 0;
  const options: RunAgentOptions = {
    stream: engine.stream,
    registry,
    context: [userMessage("What did Bob write?")],
    proposeAction: (action) => {
      proposed.push(action);
      return Promise.resolve(mailResult);
    },
    budget: unlimitedBudget(),
    newActionId: () => `action-${++ids}`,
    now: () => 1_700_000_000_000,
    ...overrides,
  };
  return { engine, proposed, options, run: () => collect(runAgent(options)) };
}

const types = (events: AgentEvent[]): string[] => events.map((event) => event.type);
const last = (events: AgentEvent[]): AgentEvent | undefined => events.at(-1);

describe("the agent loop", () => {
  it("answers: one constrained decision, then a streamed reply", async () => {
    const budget = unlimitedBudget();
    const reports: EngineCallReport[] = [];
    const { engine, run } = setup(
      [
        { text: decisionText("reply"), usage: { promptTokens: 300, completionTokens: 5 } },
        { text: "Bob asked about lunch.", usage: { promptTokens: 310, completionTokens: 6 } },
      ],
      { budget, today: "Tuesday 2026-11-24", onEngineCall: (report) => reports.push(report) },
    );
    const events = await run();
    expect(types(events)).toEqual(["turn_start", "token", "token", "token", "token", "token", "done"]);
    const tokens = events.flatMap((event) => (event.type === "token" ? [event.text] : []));
    expect(tokens.join("")).toBe("Bob asked about lunch.");
    expect(last(events)).toEqual({
      type: "done",
      reason: "answered",
      usage: { promptTokens: 610, completionTokens: 11, engineCalls: 2 },
      replyUsage: { promptTokens: 310, completionTokens: 6 },
      added: [modelMessage("Bob asked about lunch.")],
    });
    expect(budget.recorded).toEqual([305, 316]);
    const latencyMs = expect.any(Number) as unknown;
    expect(reports).toEqual([
      { promptTokens: 300, completionTokens: 5, estimated: false, outcome: "completed", latencyMs },
      { promptTokens: 310, completionTokens: 6, estimated: false, outcome: "completed", latencyMs },
    ]);

    const [decision, reply] = engine.requests;
    expect(decision?.responseFormat).toEqual({ type: "json_object", schema: registry.decisionSchema() });
    expect(decision?.maxTokens).toBe(512);
    expect(decision?.messages[0]?.content).toBe(
      buildSystemPrompt({ tools: registry.list(), mode: "decide", today: "Tuesday 2026-11-24" }),
    );
    expect(reply?.responseFormat).toBeUndefined();
    expect(reply?.maxTokens).toBe(1024);
    expect(reply?.messages[0]?.content).toBe(
      buildSystemPrompt({ tools: registry.list(), mode: "reply", today: "Tuesday 2026-11-24" }),
    );
  });

  it("proposes a tool call to the gate and feeds the result back with its provenance", async () => {
    const { engine, proposed, run } = setup([
      { text: decisionText("read_email", { message_id: "1890ab" }, "The user asked about Bob's mail.") },
      { text: decisionText("reply") },
      { text: "Lunch at 12." },
    ]);
    const events = await run();
    expect(types(events)).toEqual([
      "turn_start",
      "tool_call_proposed",
      "tool_result",
      "turn_start",
      "token",
      "token",
      "token",
      "done",
    ]);
    expect(proposed).toHaveLength(1);
    expect(proposed[0]).toEqual({
      id: "action-1",
      tool: "read_email",
      effect: "read",
      connector: "gmail",
      scope: "https://www.googleapis.com/auth/gmail.readonly",
      arguments: { message_id: "1890ab" },
      reason: "The user asked about Bob's mail.",
      preview: { title: "Read an email", fields: [{ label: "Message", value: "1890ab" }] },
      taint: {
        tainted: false,
        sources: [],
        reasons: [],
        argumentSources: [{ path: "message_id", origin: "model", untrustedSources: [], inUserMessages: false }],
      },
      proposedAt: 1_700_000_000_000,
    });
    const result = events.find((event) => event.type === "tool_result");
    const resultItem: ContextItem = {
      content: "From: bob@corp.example\nLunch at 12?",
      provenance: { kind: "tool", tool: "read_email", trusted: false, source: "gmail:1890ab" },
      actionId: "action-1",
    };
    expect(result).toEqual({ type: "tool_result", action: proposed[0], outcome: mailResult, item: resultItem });
    const done = last(events);
    expect(done?.type === "done" && done.added).toEqual([
      modelMessage(decisionText("read_email", { message_id: "1890ab" }, "The user asked about Bob's mail.")),
      resultItem,
      modelMessage("Lunch at 12."),
    ]);
    // The next decision sees the result fenced as untrusted data.
    expect(engine.requests[1]?.messages.at(-1)).toEqual({
      role: "tool",
      content:
        '[read_email result]\n<untrusted source="gmail:1890ab">\nFrom: bob@corp.example\nLunch at 12?\n</untrusted>',
    });
  });

  it("marks an action tainted when untrusted content entered before it, and traces its arguments", async () => {
    const { proposed, run } = setup(
      [
        { text: decisionText("read_email", { message_id: "1890ab" }) },
        { text: decisionText("send_email", { to: ["bob@corp.example"], subject: "Re: lunch", body: "Yes!" }) },
        { text: decisionText("reply") },
        { text: "Drafted a reply; it waits for your approval." },
      ],
      {
        proposeAction: (action) => {
          proposed.push(action);
          return Promise.resolve(
            action.effect === "read" ? mailResult : { status: "pending", message: "waiting for approval" },
          );
        },
      },
    );
    const events = await run();
    expect(proposed[1]?.taint).toMatchObject({
      tainted: true,
      sources: ["gmail:1890ab"],
      reasons: [
        { kind: "context", sources: ["gmail:1890ab"] },
        { kind: "argument", path: "to[0]", sources: ["gmail:1890ab"] },
      ],
    });
    const pendingNote = events.find((event) => event.type === "tool_result" && event.outcome.status === "pending");
    expect(pendingNote?.type === "tool_result" && pendingNote.item.content).toBe(
      "Proposed; waiting for the user's approval (waiting for approval). It has not happened yet.",
    );
    expect(last(events)).toMatchObject({ type: "done", reason: "answered" });
  });

  it("lets neither side upgrade trust: a declared-untrusted tool or an untrusted report makes the result untrusted", async () => {
    const trustedReport: ActionOutcome = { status: "executed", result: { content: "mail text", trusted: true } };
    const first = setup(
      [{ text: decisionText("read_email", { message_id: "1" }) }, { text: decisionText("reply") }, { text: "ok" }],
      {
        proposeAction: () => Promise.resolve(trustedReport),
      },
    );
    const untrustedReport: ActionOutcome = {
      status: "executed",
      result: { content: "a fact", trusted: false, source: "memory:fact/9" },
    };
    const second = setup(
      [{ text: decisionText("memory_search", { query: "bob" }) }, { text: decisionText("reply") }, { text: "ok" }],
      {
        proposeAction: () => Promise.resolve(untrustedReport),
      },
    );
    const itemOf = (events: AgentEvent[]) => events.find((event) => event.type === "tool_result");
    const firstItem = itemOf(await first.run());
    const secondItem = itemOf(await second.run());
    expect(firstItem?.type === "tool_result" && firstItem.item.provenance).toEqual({
      kind: "tool",
      tool: "read_email",
      trusted: false,
    });
    expect(secondItem?.type === "tool_result" && secondItem.item.provenance).toEqual({
      kind: "tool",
      tool: "memory_search",
      trusted: false,
      source: "memory:fact/9",
    });
  });

  it("turns a malformed decision into an error event and retries once with feedback", async () => {
    const { engine, run } = setup([
      { text: '{"tool":"read_email","reason":"x","arguments":{"message_id":', finishReason: "length" },
      { text: decisionText("reply") },
      { text: "Done." },
    ]);
    const events = await run();
    expect(types(events)).toEqual(["turn_start", "error", "token", "done"]);
    expect(events[1]).toMatchObject({
      type: "error",
      willRetry: true,
      error: {
        kind: "invalid_decision",
        name: "InvalidDecisionError",
        raw: expect.stringContaining("read_email") as unknown,
      },
    });
    const retry = engine.requests[1];
    expect(retry?.messages.at(-1)?.content).toMatch(
      /^\[Tabclaw\] Your last answer was rejected: the decision is not valid JSON .*Answer again with one valid JSON object\.$/,
    );
    // The feedback is for the retry only; it does not stay in the conversation.
    expect(engine.requests[2]?.messages.some((message) => message.content.includes("was rejected"))).toBe(false);
    expect(last(events)).toMatchObject({ type: "done", reason: "answered" });
  });

  it("ends with an error after the retry also breaks the schema, without calling the gate", async () => {
    const proposeAction = vi.fn<(action: ProposedAction) => Promise<ActionOutcome>>();
    const { run } = setup(
      [
        { text: decisionText("wire_money", { amount: 1000 }) },
        { text: decisionText("send_email", { to: "everyone", subject: "x", body: "y" }) },
      ],
      { proposeAction },
    );
    const events = await run();
    expect(types(events)).toEqual(["turn_start", "error", "error", "done"]);
    expect(events.slice(1, 3).map((event) => event.type === "error" && [event.willRetry, event.error.message])).toEqual(
      [
        [true, 'there is no tool named "wire_money"'],
        [false, "the arguments of send_email are invalid: arguments.to expected an array, got a string"],
      ],
    );
    expect(last(events)).toMatchObject({
      reason: "error",
      message: "The model gave no valid decision, even after a retry.",
    });
    expect(proposeAction).not.toHaveBeenCalled();
  });

  it("reports an engine failure as events, never as a rejection", async () => {
    const failure = Object.assign(new Error("No model is loaded."), { name: "ModelNotLoadedError" });
    const { run } = setup([{ throws: failure }]);
    const events = await run();
    expect(events.slice(1)).toEqual([
      {
        type: "error",
        error: { kind: "engine", name: "ModelNotLoadedError", message: "No model is loaded." },
        willRetry: false,
      },
      {
        type: "done",
        reason: "error",
        message: "No model is loaded.",
        usage: { promptTokens: expect.any(Number) as unknown, completionTokens: 0, engineCalls: 1 },
        added: [],
      },
    ]);
  });

  it("keeps what was shown when a reply is stopped", async () => {
    const controller = new AbortController();
    const { options } = setup(
      [{ text: decisionText("reply") }, { text: "Bob asked whether you are free for lunch at noon.", chunkSize: 4 }],
      { signal: controller.signal },
    );
    const events: AgentEvent[] = [];
    for await (const event of runAgent(options)) {
      events.push(event);
      if (events.filter((item) => item.type === "token").length === 3) controller.abort();
    }
    const done = last(events);
    expect(done).toMatchObject({ type: "done", reason: "aborted" });
    expect(done?.type === "done" && done.added).toEqual([modelMessage("Bob asked wh")]);
  });

  it("keeps what was shown when the engine fails mid-reply", async () => {
    let calls = 0;
    const failing = scriptedStream([{ text: decisionText("reply") }]);
    const { run } = setup([], {
      stream: async function* (request) {
        calls += 1;
        if (calls === 1) {
          yield* failing.stream(request);
          return;
        }
        yield { kind: "delta", text: "Bob asked" };
        throw Object.assign(new Error("The GPU device was lost."), { name: "DeviceLostError" });
      },
    });
    const events = await run();
    expect(events.at(-2)).toMatchObject({ type: "error", error: { kind: "engine", name: "DeviceLostError" } });
    const done = last(events);
    expect(done?.type === "done" && [done.reason, done.added]).toEqual(["error", [modelMessage("Bob asked")]]);
  });

  it("treats an engine that throws on stop as stopped, not failed", async () => {
    const controller = new AbortController();
    const { run } = setup([], {
      signal: controller.signal,
      stream: async function* () {
        yield { kind: "delta", text: '{"tool":' };
        await Promise.resolve(controller.abort());
        throw Object.assign(new Error("The operation was aborted."), { name: "AbortError" });
      },
    });
    const events = await run();
    expect(types(events)).toEqual(["turn_start", "done"]);
    expect(last(events)).toMatchObject({ reason: "aborted" });
  });

  it("stops before any engine call when aborted already, and while waiting for the gate", async () => {
    const aborted = new AbortController();
    aborted.abort();
    const early = setup([], { signal: aborted.signal });
    expect(types(await early.run())).toEqual(["done"]);
    expect(early.engine.requests).toHaveLength(0);

    const waiting = new AbortController();
    const late = setup([{ text: decisionText("send_email", { to: ["a@b.c"], subject: "s", body: "b" }) }], {
      signal: waiting.signal,
      proposeAction: () => {
        setTimeout(() => waiting.abort(), 0);
        return new Promise<ActionOutcome>(() => undefined);
      },
    });
    const events = await late.run();
    expect(types(events)).toEqual(["turn_start", "tool_call_proposed", "done"]);
    expect(last(events)).toMatchObject({ reason: "aborted" });
  });

  it("checks the budget before every engine call and stops with its message", async () => {
    const budget = new TokenBudget({ timeZone: "UTC", now: () => Date.parse("2026-11-24T20:00:00Z") });
    budget.record("chat", 149_500);
    const { engine, run } = setup([{ text: decisionText("reply") }], { budget: budget.guard("chat") });
    const events = await run();
    expect(types(events)).toEqual(["turn_start", "done"]);
    expect(last(events)).toMatchObject({
      reason: "budget",
      message: expect.stringMatching(
        /^Stopped: the daily token budget for chat would be exceeded\. 149,500 of 150,000/,
      ) as unknown,
    });
    expect(engine.requests).toHaveLength(0);
  });

  it("stops before the reply call when the decision used up the budget", async () => {
    let calls = 0;
    const budget: BudgetGuard = {
      check: () => (++calls === 1 ? { ok: true, remaining: 1_000 } : { ok: false, refusal: refusal("Out of tokens.") }),
      record: () => undefined,
    };
    const { engine, run } = setup([{ text: decisionText("reply") }], { budget });
    expect(last(await run())).toMatchObject({ reason: "budget", message: "Out of tokens." });
    expect(engine.requests).toHaveLength(1);
  });

  it("stops after maxTurns decisions without an answer", async () => {
    const steps = [1, 2, 3].map((n) => ({ text: decisionText("memory_search", { query: `topic ${n}` }) }));
    const { run } = setup(steps, {
      maxTurns: 3,
      proposeAction: () => Promise.resolve({ status: "executed", result: { content: "nothing", trusted: true } }),
    });
    const events = await run();
    expect(events.filter((event) => event.type === "turn_start")).toHaveLength(3);
    expect(last(events)).toMatchObject({ reason: "max_turns", message: "Stopped after 3 steps without an answer." });
  });

  it("ends frozen when the gate reports the kill switch", async () => {
    const { run } = setup([{ text: decisionText("apply_label", { message_id: "1", label: "Later" }) }], {
      proposeAction: () => Promise.resolve({ status: "frozen", message: "The kill switch is on." }),
    });
    expect(last(await run())).toMatchObject({ reason: "frozen", message: "The kill switch is on." });
  });

  it("turns a throwing gate into an error event and a failed outcome, and goes on", async () => {
    const { run } = setup(
      [{ text: decisionText("memory_search", { query: "bob" }) }, { text: decisionText("reply") }, { text: "Sorry." }],
      {
        proposeAction: () =>
          Promise.reject(Object.assign(new Error("Gate unreachable"), { name: "WorkerCrashedError" })),
      },
    );
    const events = await run();
    expect(events.find((event) => event.type === "error")).toEqual({
      type: "error",
      error: { kind: "gate", name: "WorkerCrashedError", message: "Gate unreachable" },
      willRetry: false,
    });
    const result = events.find((event) => event.type === "tool_result");
    expect(result?.type === "tool_result" && result.item.content).toBe("Failed: Gate unreachable");
    expect(last(events)).toMatchObject({ reason: "answered" });
  });

  it("does not pass the same call to the gate twice in one run", async () => {
    const send = decisionText("send_email", { to: ["a@b.c"], subject: "s", body: "b" });
    const { proposed, run } = setup(
      [{ text: send }, { text: send }, { text: decisionText("reply") }, { text: "Waiting." }],
      {
        proposeAction: (action) => {
          proposed.push(action);
          return Promise.resolve({ status: "pending", message: "waiting for approval" });
        },
      },
    );
    const events = await run();
    expect(proposed).toHaveLength(1);
    expect(events.find((event) => event.type === "error")).toMatchObject({
      error: {
        kind: "repeated_action",
        message: "send_email was already proposed with these arguments in this run (pending).",
      },
    });
  });

  it("shows the raw arguments when a tool's preview throws", async () => {
    const broken = defineTool({
      name: "broken_preview",
      description: "A tool whose preview throws.",
      effect: "write",
      resultTrust: "trusted",
      argumentsSchema: {
        type: "object",
        properties: { n: { type: "integer" } },
        required: ["n"],
        additionalProperties: false,
      },
      preview: () => {
        throw new Error("bug");
      },
    });
    const { proposed, run } = setup(
      [{ text: decisionText("broken_preview", { n: 7 }) }, { text: decisionText("reply") }, { text: "ok" }],
      {
        registry: new ToolRegistry([broken]),
      },
    );
    await run();
    expect(proposed[0]?.preview).toEqual({
      title: "broken_preview (raw arguments: its preview failed)",
      fields: [{ label: "n", value: "7" }],
    });
  });

  it("refuses a conversation that does not end with something to answer", async () => {
    for (const context of [[], [userMessage("Hi"), modelMessage("Hello!")]]) {
      const { engine, run } = setup([], { context });
      const events = await run();
      expect(types(events)).toEqual(["error", "done"]);
      expect(events[0]).toMatchObject({ error: { kind: "context" } });
      expect(engine.requests).toHaveLength(0);
    }
  });

  it("records an estimate, never zero, when the engine reports no usage", async () => {
    const budget = unlimitedBudget();
    const { run } = setup(
      [
        { text: decisionText("reply"), usage: null },
        { text: "12345678", usage: null },
      ],
      { budget },
    );
    const done = last(await run());
    expect(done?.type === "done" && done.usage.engineCalls).toBe(2);
    expect(done?.type === "done" && done.usage.completionTokens).toBe(Math.ceil(16 / 4) + 2);
    expect(budget.recorded).toHaveLength(2);
    expect(budget.recorded.every((tokens) => tokens > 0)).toBe(true);
  });
});

function refusal(message: string) {
  return {
    budget: "routine" as const,
    routine: "chat",
    limit: 1,
    used: 1,
    remaining: 0,
    requested: 1,
    resetsAt: 0,
    message,
  };
}
