import type { ApprovalRecord } from "../store/approval-record";
import type { Database } from "../store/database";
import type { JobRunRecord } from "../store/job-record";
import { readCards, type CardsPort } from "./action-card-status";
import { Observable } from "./observable";
import { listenForRuns, readRoutineStatus, RunNowState, type RoutineStatus, type RunsChannel } from "./routine-status";

/** What a routine's board is built on: where it reads, the cards it shows, and what makes it read again. */
export interface RoutineBoardSources {
  db: Database;
  /** The Gate: the cards' records, and a word whenever one is decided. */
  gate: CardsPort;
  /** The service's connection (its Settings controller): the board reads again when it changes. */
  connection?: { subscribe(listener: () => void): () => void } | undefined;
  /** The jobs channel (the real BroadcastChannel when not given). */
  channel?: RunsChannel | undefined;
  /** Runs the routine's job now (the agent worker's `runJobNow`) and returns its run. */
  runNow?: (() => Promise<JobRunRecord>) | undefined;
}

/** Which routine a board shows, and how it names it. */
export interface RoutineBoardIdentity {
  jobId: string;
  /** As the run-now report names it: "deployment watch". */
  routineName: string;
  /** As a read failure names the board: "The deployments board". */
  boardName: string;
}

/**
 * A routine's board (the deployments board, the Slack digest): what the routine stored, when it
 * last ran, where each card it proposed stands, and "run it now". Read again when the routine
 * finishes a run (announced on the jobs channel), when the service's connection changes, and, for
 * the cards alone, when one is decided. Reads may overlap: only the newest writes.
 */
export abstract class RoutineBoardController<Board> extends Observable {
  #board: Board;
  #routine: RoutineStatus = { scheduled: false, enabled: false };
  #cards = new Map<string, ApprovalRecord>();
  #loaded = false;
  #error: string | undefined;
  #generation = 0;
  /** Card reads may overlap too: only the newest may write. */
  #cardReads = 0;
  #channel: RunsChannel | undefined;
  #unsubscribe: (() => void)[] = [];
  readonly #runNow: RunNowState;

  protected constructor(
    private readonly identity: RoutineBoardIdentity,
    private readonly sources: RoutineBoardSources,
    empty: Board,
  ) {
    super();
    this.#board = empty;
    this.#runNow = new RunNowState(identity.routineName, sources.runNow);
  }

  /** Reads what the board shows (the routine's status is read alongside). */
  protected abstract readBoard(db: Database): Promise<Board>;

  /** The ids of the cards the board shows. */
  protected abstract cardIds(board: Board): string[];

  protected get board(): Board {
    return this.#board;
  }

  /** A card's record, once read; undefined when it is not (or no longer) stored. */
  protected card(id: string): ApprovalRecord | undefined {
    return this.#cards.get(id);
  }

  /** When the routine last ran and what it said; when it runs next. */
  protected get routine(): RoutineStatus {
    return this.#routine;
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

  get loaded(): boolean {
    return this.#loaded;
  }

  get error(): string | undefined {
    return this.#error;
  }

  /** Starts following the routine's runs, the Gate and the connection; reads the board. Idempotent. */
  async init(): Promise<void> {
    if (this.#unsubscribe.length === 0) {
      this.#channel = listenForRuns(this.identity.jobId, () => void this.refresh(), this.sources.channel);
      // A decided card changes only its line; the rows come from the routine's runs.
      this.#unsubscribe.push(this.sources.gate.subscribe(() => void this.#refreshCards()));
      if (this.sources.connection) this.#unsubscribe.push(this.sources.connection.subscribe(() => void this.refresh()));
    }
    await this.refresh();
  }

  async refresh(): Promise<void> {
    const generation = ++this.#generation;
    ++this.#cardReads;
    try {
      const { db } = this.sources;
      const [board, routine] = await Promise.all([this.readBoard(db), readRoutineStatus(db, this.identity.jobId)]);
      const cards = await readCards(this.sources.gate, this.cardIds(board));
      if (generation !== this.#generation) return;
      this.#board = board;
      this.#routine = routine;
      this.#cards = cards;
      this.#loaded = true;
      this.#error = undefined;
    } catch (error) {
      if (generation !== this.#generation) return;
      this.#error = `${this.identity.boardName} could not be read: ${error instanceof Error ? error.message : String(error)}`;
    }
    this.changed();
  }

  /** Reads again only where the cards stand (a decision in Approvals, here or in another tab). */
  async #refreshCards(): Promise<void> {
    const generation = this.#generation;
    const read = ++this.#cardReads;
    try {
      const cards = await readCards(this.sources.gate, this.cardIds(this.#board));
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
