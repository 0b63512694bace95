import type { ChatChunk, ChatEngine, ChatRequest } from "../../../src/engine/chat-engine";
import { ApprovalStore } from "../../../src/store/approval-store";
import type { Database } from "../../../src/store/database";
import { JobStore } from "../../../src/store/job-store";
import type { Clock } from "../../../src/routines/clock";
import { defaultJobs } from "../../../src/routines/default-jobs";
import { deployWatchRoutine } from "../../../src/routines/deploy-watch-routine";
import { dreamingRoutine } from "../../../src/routines/dreaming-routine";
import type { JobLocks } from "../../../src/routines/job-lock";
import { mailTriageRoutine } from "../../../src/routines/mail-triage-routine";
import { morningBriefingRoutine } from "../../../src/routines/morning-briefing-routine";
import { RoutineRegistry } from "../../../src/routines/routine";
import { Scheduler } from "../../../src/routines/scheduler";
import { slackDigestRoutine } from "../../../src/routines/slack-digest-routine";
import type { JobRunRecord } from "../../../src/store/job-record";

export const ZONE = "Europe/Berlin";

/** An engine that counts calls and answers every one with an empty proposal (a TEST DOUBLE). */
export class CountingEngine implements ChatEngine {
  calls = 0;
  readonly requests: ChatRequest[] = [];
  tokens = 0;
  loadedModelId: string | undefined;

  constructor(loaded = "test-model") {
    this.loadedModelId = loaded;
  }

  load(modelId: string): Promise<void> {
    this.loadedModelId = modelId;
    return Promise.resolve();
  }

  unload(): Promise<void> {
    this.loadedModelId = undefined;
    return Promise.resolve();
  }

  async *stream(request: ChatRequest): AsyncIterable<ChatChunk> {
    this.calls += 1;
    this.requests.push(request);
    this.tokens += 30;
    await Promise.resolve();
    yield { kind: "delta", text: JSON.stringify({ operations: [] }) };
    yield { kind: "done", finishReason: "stop", usage: { promptTokens: 20, completionTokens: 10 } };
  }
}

export interface HarnessOptions {
  db: Database;
  clock: Clock;
  locks: JobLocks;
  engine: CountingEngine;
  paused?: () => Promise<boolean>;
  maxSleepMs?: number;
}

/** The worker's scheduler, wired as in workers/agent-api.ts, over one test database. */
export function buildScheduler(options: HarnessOptions): {
  scheduler: Scheduler;
  store: JobStore;
  runs: JobRunRecord[];
} {
  const store = new JobStore(options.db);
  const approvals = new ApprovalStore(options.db);
  const runs: JobRunRecord[] = [];
  const routines = new RoutineRegistry([
    dreamingRoutine({
      db: () => Promise.resolve(options.db),
      keepOpen: true,
      engine: () => (options.engine.loadedModelId ? options.engine : undefined),
      timeZone: ZONE,
      now: () => options.clock.now(),
    }),
    morningBriefingRoutine({
      runsBetween: (range) => store.runsBetween(range),
      waitingApprovals: async () => (await approvals.waiting()).length,
    }),
    mailTriageRoutine({
      db: () => Promise.resolve(options.db),
      keepOpen: true,
      engine: () => (options.engine.loadedModelId ? options.engine : undefined),
      now: () => options.clock.now(),
      timeZone: ZONE,
    }),
    // No page here: the watch and the digest cannot reach GitHub or Slack, as in a worker with no tab.
    deployWatchRoutine({ db: () => Promise.resolve(options.db), keepOpen: true, engine: () => undefined }),
    slackDigestRoutine({ db: () => Promise.resolve(options.db), keepOpen: true, engine: () => undefined }),
  ]);
  const scheduler = new Scheduler({
    clock: options.clock,
    locks: options.locks,
    ledger: store,
    routines,
    isPaused: options.paused ?? (() => Promise.resolve(false)),
    modelLoaded: () => options.engine.loadedModelId !== undefined,
    defaultJobs: (now) => Promise.resolve(defaultJobs({ enabled: true, time: "03:00" }, ZONE, now)),
    onRun: (run) => runs.push(run),
    ...(options.maxSleepMs !== undefined ? { maxSleepMs: options.maxSleepMs } : {}),
  });
  return { scheduler, store, runs };
}
