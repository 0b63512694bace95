import { ToolRegistry } from "../../../src/core/agent/tool-registry";
import { connectorRegistry } from "../../../src/gate/connector";
import { InMemoryLocks } from "../../../src/gate/execution-locks";
import { Gate } from "../../../src/gate/gate";
import { githubConnector } from "../../../src/connectors/github/github-connector";
import { deployWatchJob, deployWatchRoutine } from "../../../src/routines/deploy-watch-routine";
import type { ScheduledRoutine } from "../../../src/routines/routine";
import type { RoutineResult } from "../../../src/routines/job-runner";
import type { JobRecord } from "../../../src/store/job-record";
import { ConnectorState } from "../../../src/store/connector-state";
import { SettingsStore } from "../../../src/store/settings-store";
import { GITHUB_TOOLS } from "../../../src/tools/github-tools";
import { FakeGitHub, startFakeGitHub } from "../../fakes/github/fake-github";
import { fetchViaFake } from "../../fakes/github/fetch-via-fake";
import { AnsweringEngine } from "../engine/answering-engine";
import { scheduledTick } from "../routines/scheduled-tick";
import { FreshDatabase } from "../store/fresh-database";

export const TOKEN = "github_pat_11WATCH";
export const START = Date.parse("2026-11-24T09:00:00Z");

/**
 * A TEST DOUBLE of a model for verdicts: answers every constrained request with the next scripted
 * JSON and reports usage like web-llm; counts calls and tokens so idle runs can be shown to cost 0.
 */
export class VerdictEngine extends AnsweringEngine {
  readonly #answers: string[];

  constructor(answers: string[] = []) {
    super("scripted-verdict-engine");
    this.#answers = [...answers];
  }

  protected override answerFor(): string {
    return (
      this.#answers.shift() ?? '{"cause":"Unknown","kind":"unclear","nextStep":"Read the log","severity":"medium"}'
    );
  }
}

export function watchJob(now: number): JobRecord {
  return deployWatchJob("UTC", now);
}

/**
 * The deployment watch end to end in Node: the routine proposes to a real Gate (IndexedDB through
 * fake-indexeddb, the audit log, approvals), whose GitHub connector talks to the fake GitHub.
 */
export class DeployWatchHarness {
  /** A clock to follow instead of `now` (the scheduler's fake clock, in the benchmark). */
  clock: { now(): number } | undefined;
  #now = START;
  readonly fresh = new FreshDatabase();
  readonly repositories: string[] = [];
  #fake: FakeGitHub | undefined;
  #gate: Gate | undefined;
  #routine: ScheduledRoutine | undefined;
  engine: VerdictEngine | undefined;

  get now(): number {
    return this.clock?.now() ?? this.#now;
  }

  set now(value: number) {
    this.#now = value;
  }

  get fake(): FakeGitHub {
    if (!this.#fake) throw new Error("start() first");
    return this.#fake;
  }

  get gate(): Gate {
    if (!this.#gate) throw new Error("start() first");
    return this.#gate;
  }

  get routine(): ScheduledRoutine {
    if (!this.#routine) throw new Error("start() first");
    return this.#routine;
  }

  async start(): Promise<this> {
    this.#fake = await startFakeGitHub({ now: () => this.now });
    await this.fresh.open();
    await this.#openGate();
    return this;
  }

  /** A reload: the database and the Gate open again; the routine starts afresh. */
  async reload(): Promise<void> {
    this.gate.close();
    await this.fresh.reopen();
    await this.#openGate();
  }

  async #openGate(): Promise<void> {
    const db = this.fresh.db;
    const connector = githubConnector({
      token: () => TOKEN,
      repositories: () => Promise.resolve([...this.repositories]),
      state: new ConnectorState(db),
      now: () => this.now,
      sleep: () => Promise.resolve(),
    });
    this.#gate = await Gate.open({
      db,
      tools: new ToolRegistry(GITHUB_TOOLS),
      connectors: connectorRegistry([connector]),
      fetch: fetchViaFake(this.fake),
      locks: new InMemoryLocks(),
      now: () => this.now,
      channel: null,
    });
    const gate = this.#gate;
    this.#routine = deployWatchRoutine({
      proposeAction: (action) => gate.propose(action),
      engine: () => this.engine,
      db: () => Promise.resolve(this.fresh.db),
      keepOpen: true,
    });
  }

  /** A repository with CI, watched (in the setting the routine reads too), and the token reaching it. */
  async seed(repository: string): Promise<void> {
    const state = this.fake.state;
    state.addRepository(repository);
    state.addWorkflow(repository, { name: "CI", file: "ci.yml" });
    state.addRun(repository, { workflow: "CI", title: "Green start" });
    state.addDeployment(repository, { environment: "production", state: "success" });
    this.repositories.push(repository);
    await new SettingsStore(this.fresh.db).set("githubRepositories", [...this.repositories]);
  }

  grant(): void {
    this.fake.state.addToken(TOKEN, {
      repositories: [...this.repositories],
      permissions: { actions: "write", deployments: "read" },
    });
  }

  /** One scheduled run as the scheduler makes it: the check, then the run if something is new. */
  async tick(): Promise<RoutineResult> {
    return scheduledTick(this.routine, { job: watchJob(START), now: this.now });
  }

  async stop(): Promise<void> {
    this.#gate?.close();
    await this.#fake?.close();
    await this.fresh.dispose();
  }
}
