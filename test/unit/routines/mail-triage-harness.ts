import type { ChatEngine, ChatRequest } from "../../../src/engine/chat-engine";
import { connectorRegistry } from "../../../src/gate/connector";
import { InMemoryLocks } from "../../../src/gate/execution-locks";
import { Gate } from "../../../src/gate/gate";
import { mailTriageJob } from "../../../src/routines/default-jobs";
import type { RoutineResult } from "../../../src/routines/job-runner";
import { mailTriageRoutine } from "../../../src/routines/mail-triage-routine";
import type { ScheduledRoutine } from "../../../src/routines/routine";
import type { Database } from "../../../src/store/database";
import type { MailRecord } from "../../../src/store/mail-record";
import { MailStore } from "../../../src/store/mail-store";
import { SettingsStore } from "../../../src/store/settings-store";
import { gateToolRegistry } from "../../../src/tools/gate-tools";
import { fetchViaFake } from "../../fakes/google/start-fake-google";
import { scriptedStream, type ScriptedResponse } from "../agent/scripted-stream";
import { GmailFixture } from "../connectors/gmail/gmail-fixture";
import { scheduledTick } from "./scheduled-tick";

export const START = Date.parse("2026-11-24T09:00:00Z");

/** What the scripted model says to one triage request, given the mail as the prompt shows it. */
export type TriageScript = (prompt: string, request: ChatRequest) => ScriptedResponse;

/** A triage answer as the model would emit it under the triage schema. */
export function triageAnswer(category: string, summary: string, draftReply = ""): ScriptedResponse {
  return { text: JSON.stringify({ summary, category, draftReply }) };
}

/**
 * A TEST DOUBLE of a model for triage: `script` picks each answer from the prompt (so a test does
 * not depend on which mail is asked first). Built on the scripted stream, which keeps web-llm's
 * request rules and reports usage as web-llm does.
 */
export function triageEngine(script: TriageScript): { engine: ChatEngine; requests: ChatRequest[] } {
  const steps = Array.from(
    { length: 500 },
    () => (request: ChatRequest) => script(request.messages.at(-1)?.content ?? "", request),
  );
  const stream = scriptedStream(steps);
  return {
    requests: stream.requests,
    engine: {
      loadedModelId: "scripted-triage-model",
      stream: stream.stream,
      load: () => Promise.resolve(),
      unload: () => Promise.resolve(),
    },
  };
}

/**
 * Mail triage end to end in Node: the routine with real stores (fake-indexeddb), proposing to a
 * real Gate whose real Gmail connector talks to the fake Google, and a scripted model.
 */
export class TriageHarness {
  readonly gmail = new GmailFixture();
  now = START;
  engine: ChatEngine | undefined;
  requests: ChatRequest[] = [];
  announced = 0;
  #gate: Gate | undefined;
  #routine: ScheduledRoutine | undefined;

  async start(): Promise<this> {
    await this.gmail.start();
    const viaFake = fetchViaFake(this.gmail.fake);
    this.#gate = await Gate.open({
      db: this.db,
      tools: gateToolRegistry(),
      connectors: connectorRegistry([this.gmail.connector]),
      fetch: (input, init) => {
        this.gmail.beforeRequest?.(input instanceof Request ? input.url : String(input));
        return viaFake(input, init);
      },
      locks: new InMemoryLocks(),
      now: () => this.now,
      channel: null,
    });
    this.#routine = mailTriageRoutine({
      db: () => Promise.resolve(this.db),
      keepOpen: true,
      engine: () => this.engine,
      announce: () => (this.announced += 1),
      now: () => this.now,
      timeZone: "UTC",
    });
    return this;
  }

  get db(): Database {
    return this.gmail.database.db;
  }

  get gate(): Gate {
    if (!this.#gate) throw new Error("start() first");
    return this.#gate;
  }

  get routine(): ScheduledRoutine {
    if (!this.#routine) throw new Error("start() first");
    return this.#routine;
  }

  get mail(): MailStore {
    return new MailStore(this.db);
  }

  get settings(): SettingsStore {
    return new SettingsStore(this.db);
  }

  /** Loads the scripted model. */
  useModel(script: TriageScript): void {
    const { engine, requests } = triageEngine(script);
    this.engine = engine;
    this.requests = requests;
  }

  async seed(mails: readonly MailRecord[]): Promise<void> {
    await this.mail.addNew(mails);
  }

  /**
   * One run as the scheduler makes it: the check, then the run if something is new. `page: false`
   * is a worker started without a page (no Gate to propose to).
   */
  async tick(options: { page?: boolean; signal?: AbortSignal } = {}): Promise<RoutineResult> {
    const job = mailTriageJob("UTC", START);
    const propose =
      options.page === false
        ? {}
        : { proposeAction: (action: Parameters<Gate["propose"]>[0]) => this.gate.propose(action) };
    return scheduledTick(this.routine, { job, now: this.now, ...propose }, options.signal);
  }

  async stop(): Promise<void> {
    this.#gate?.close();
    await this.gmail.stop();
  }
}
