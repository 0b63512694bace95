import type { ChatRequest } from "../../../src/engine/chat-engine";
import { ToolRegistry } from "../../../src/core/agent/tool-registry";
import { connectorRegistry } from "../../../src/gate/connector";
import { InMemoryLocks } from "../../../src/gate/execution-locks";
import { Gate } from "../../../src/gate/gate";
import type { RoutineResult } from "../../../src/routines/job-runner";
import type { ScheduledRoutine } from "../../../src/routines/routine";
import { slackDigestJob, slackDigestRoutine } from "../../../src/routines/slack-digest-routine";
import { SLACK_TOOLS } from "../../../src/tools/slack-tools";
import { fetchViaFake, type FakeSlackOptions } from "../../fakes/slack/fake-slack";
import { READ_SCOPES, SlackFixture } from "../connectors/slack/slack-fixture";
import { AnsweringEngine } from "../engine/answering-engine";
import { scheduledTick } from "../routines/scheduled-tick";

/** One thread of a batch as the scripted model answers it. */
export interface ScriptedItem {
  thread: string;
  summary: string;
  needsReply: boolean;
  draftReply?: string;
}

/** Reads the labels (`T1`, …) a digest request's schema allows, and the prompt the model was shown. */
export function labelsOf(request: ChatRequest): string[] {
  const schema = request.responseFormat?.schema;
  if (typeof schema !== "string") return [];
  const parsed = JSON.parse(schema) as {
    properties: { threads: { items: { properties: { thread: { enum: string[] } } } } };
  };
  return parsed.properties.threads.items.properties.thread.enum;
}

/**
 * A TEST DOUBLE of a model for the digest: answers each constrained request through `answer`
 * (by default a plain summary per thread, no reply needed) and reports usage like web-llm; counts
 * calls and tokens, so an idle digest can be shown to cost nothing.
 */
export class DigestEngine extends AnsweringEngine {
  answer: (labels: string[], prompt: string) => ScriptedItem[] | string = (labels) =>
    labels.map((label) => ({ thread: label, summary: `Summary of ${label}.`, needsReply: false }));

  constructor() {
    super("scripted-digest-engine");
  }

  protected override answerFor(request: ChatRequest): string {
    const answer = this.answer(labelsOf(request), request.messages[1]?.content ?? "");
    return typeof answer === "string" ? answer : JSON.stringify({ threads: answer });
  }
}

/**
 * The Slack digest end to end in Node: the routine proposes to a real Gate (IndexedDB through
 * fake-indexeddb, audit log, approvals) whose Slack connector reads the fake Slack, which checks
 * every call against Slack's Web API description.
 */
export class SlackDigestHarness {
  readonly slack = new SlackFixture();
  engine: DigestEngine | undefined;
  #gate: Gate | undefined;
  #routine: ScheduledRoutine | undefined;

  get gate(): Gate {
    if (!this.#gate) throw new Error("start() first");
    return this.#gate;
  }

  get routine(): ScheduledRoutine {
    if (!this.#routine) throw new Error("start() first");
    return this.#routine;
  }

  get now(): number {
    return this.slack.now;
  }

  set now(value: number) {
    this.slack.now = value;
  }

  async start(options: { connected?: boolean; fake?: FakeSlackOptions } = {}): Promise<this> {
    await this.slack.start(options.fake);
    if (options.connected !== false) await this.slack.signIn([...READ_SCOPES, "chat:write"]);
    await this.slack.settings.set("slackChannels", ["C0RELEASE1"]);
    await this.#open();
    return this;
  }

  async #open(): Promise<void> {
    const db = this.slack.database.db;
    this.#gate = await Gate.open({
      db,
      tools: new ToolRegistry(SLACK_TOOLS),
      connectors: connectorRegistry([this.slack.connector]),
      fetch: fetchViaFake(this.slack.fake),
      locks: new InMemoryLocks(),
      now: () => this.now,
      channel: null,
    });
    const gate = this.#gate;
    this.#routine = slackDigestRoutine({
      proposeAction: (action) => gate.propose(action),
      engine: () => this.engine,
      db: () => Promise.resolve(this.slack.database.db),
      keepOpen: true,
    });
  }

  /** One scheduled run as the scheduler makes it: the check, then the run if something is new. */
  async tick(): Promise<RoutineResult> {
    return scheduledTick(this.routine, { job: slackDigestJob("UTC", this.now), now: this.now });
  }

  async stop(): Promise<void> {
    this.#gate?.close();
    await this.slack.stop();
  }
}
