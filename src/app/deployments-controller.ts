import { isRepositorySnapshot, WATCH_KEY_PREFIX } from "../connectors/github/github-poll";
import { DEPLOY_WATCH_JOB_ID } from "../routines/deploy-watch-routine";
import type { ApprovalRecord } from "../store/approval-record";
import type { JobRunRecord } from "../store/job-record";
import { ConnectorState } from "../store/connector-state";
import type { Database } from "../store/database";
import { DeploymentStore } from "../store/deployment-store";
import type { SettingsStore } from "../store/settings-store";
import { cardStatus, readCards, type CardsPort, type CardStatus } from "./action-card-status";
import { buildRepositoryBoard, type BoardRow, type RepositoryBoard } from "./deployment-board";
import { Observable } from "./observable";
import { listenForRuns, readRoutineStatus, RunNowState, type RoutineStatus, type RunsChannel } from "./routine-status";

/** GitHub's connection as the board needs it: whether a token is set (Settings → GitHub's controller). */
export interface GitHubConnection {
  readonly status: "disconnected" | "connected" | "needs_reconnect";
  subscribe(listener: () => void): () => void;
}

export interface DeploymentsControllerOptions {
  db: Database;
  settings: Pick<SettingsStore, "get">;
  /** The Gate: the re-run cards' records, and a word whenever one is decided. */
  gate: CardsPort;
  github?: GitHubConnection;
  /** The jobs channel (the real BroadcastChannel when not given). */
  channel?: RunsChannel;
  /** Runs the watch's job now (the agent worker's `runJobNow`) and returns its run: "Check now". */
  runNow?: () => Promise<JobRunRecord>;
}

/**
 * The deployments board's state: per watched repository, the latest runs and deployments with
 * what the watch made of each failure (the model's verdict, the re-run card and where it stands),
 * and when the watch last ran. It reads IndexedDB again when the watch finishes a run (announced
 * on the jobs channel), when a card is decided (the Gate), and when the GitHub settings change.
 */
export class DeploymentsController extends Observable {
  #boards: RepositoryBoard[] = [];
  #watched: string[] = [];
  #watch: RoutineStatus = { scheduled: false, enabled: false };
  #cards = new Map<string, ApprovalRecord>();
  #loaded = false;
  #error: string | undefined;
  #generation = 0;
  /** Card reads may overlap too: only the newest may write. */
  #cardReads = 0;
  #channel: RunsChannel | undefined;
  #unsubscribe: (() => void)[] = [];
  readonly #runNow: RunNowState;

  constructor(private readonly options: DeploymentsControllerOptions) {
    super();
    this.#runNow = new RunNowState("deployment watch", options.runNow);
  }

  /** Running the job at once: whether it can, whether it is, and what the last such run said. */
  get runNowState(): RunNowState {
    return this.#runNow;
  }

  /** Runs the job now; the rows follow when the run is announced on the jobs channel, and once more here. */
  async runNow(): Promise<void> {
    await this.#runNow.start(() => this.changed());
    await this.refresh();
  }

  get boards(): readonly RepositoryBoard[] {
    return this.#boards;
  }

  /** The repositories chosen in Settings → GitHub. */
  get watched(): readonly string[] {
    return this.#watched;
  }

  get watch(): RoutineStatus {
    return this.#watch;
  }

  get connection(): GitHubConnection["status"] | undefined {
    return this.options.github?.status;
  }

  get loaded(): boolean {
    return this.#loaded;
  }

  get error(): string | undefined {
    return this.#error;
  }

  /** Where a row's re-run card stands; undefined when the watch proposed none. */
  rerunStatus(row: Pick<BoardRow, "rerunActionId">): CardStatus | undefined {
    if (row.rerunActionId === undefined) return undefined;
    return cardStatus(
      this.#cards.get(row.rerunActionId),
      "The re-run of the failed jobs",
      "You approved the re-run; it was started.",
    );
  }

  /** Starts following the watch's runs, the Gate and the settings; reads the board. Idempotent. */
  async init(): Promise<void> {
    if (this.#unsubscribe.length === 0) {
      this.#channel = listenForRuns(DEPLOY_WATCH_JOB_ID, () => void this.refresh(), this.options.channel);
      // A decided card changes only its line; the rows come from the routine's runs.
      this.#unsubscribe.push(this.options.gate.subscribe(() => void this.#refreshCards()));
      if (this.options.github) this.#unsubscribe.push(this.options.github.subscribe(() => void this.refresh()));
    }
    await this.refresh();
  }

  async refresh(): Promise<void> {
    const generation = ++this.#generation;
    ++this.#cardReads;
    try {
      const { db } = this.options;
      const watched = await this.options.settings.get("githubRepositories");
      const state = new ConnectorState(db);
      const store = new DeploymentStore(db);
      const [boards, watch] = await Promise.all([
        Promise.all(
          watched.map(async (repository) =>
            buildRepositoryBoard(
              repository,
              await state.get(`${WATCH_KEY_PREFIX}${repository.toLowerCase()}`, isRepositorySnapshot),
              await store.forRepository(repository, 40),
            ),
          ),
        ),
        readRoutineStatus(db, DEPLOY_WATCH_JOB_ID),
      ]);
      const ids = boards.flatMap((board) => board.rows.flatMap((row) => row.rerunActionId ?? []));
      const cards = await readCards(this.options.gate, ids);
      if (generation !== this.#generation) return;
      this.#watched = [...watched];
      this.#boards = boards;
      this.#watch = watch;
      this.#cards = cards;
      this.#loaded = true;
      this.#error = undefined;
    } catch (error) {
      if (generation !== this.#generation) return;
      this.#error = `The deployments board could not be read: ${error instanceof Error ? error.message : String(error)}`;
    }
    this.changed();
  }

  /** Reads again only where the cards stand (a decision in Approvals, here or in another tab). */
  async #refreshCards(): Promise<void> {
    const generation = this.#generation;
    const read = ++this.#cardReads;
    try {
      const cards = await readCards(
        this.options.gate,
        this.#boards.flatMap((board) => board.rows.flatMap((row) => row.rerunActionId ?? [])),
      );
      if (generation !== this.#generation || read !== this.#cardReads) return;
      this.#cards = cards;
    } catch {
      // The next full refresh reads them again.
      return;
    }
    this.changed();
  }

  dispose(): void {
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    this.#channel?.close();
    this.#channel = undefined;
  }
}
