import { isRepositorySnapshot, WATCH_KEY_PREFIX } from "../connectors/github/github-poll";
import { DEPLOY_WATCH_JOB_ID } from "../routines/deploy-watch-routine";
import { ConnectorState } from "../store/connector-state";
import type { Database } from "../store/database";
import { DeploymentStore } from "../store/deployment-store";
import type { SettingsStore } from "../store/settings-store";
import { cardStatus, type CardStatus } from "./action-card-status";
import { buildRepositoryBoard, type BoardRow, type RepositoryBoard } from "./deployment-board";
import { RoutineBoardController, type RoutineBoardSources } from "./routine-board-controller";
import type { RoutineStatus } from "./routine-status";

/** GitHub's connection as the board needs it: whether a token is set (Settings → GitHub's controller). */
export interface GitHubConnection {
  readonly status: "disconnected" | "connected" | "needs_reconnect";
  subscribe(listener: () => void): () => void;
}

/** The board's sources (its runs are "Check now"), the settings it reads and GitHub's connection. */
export interface DeploymentsControllerOptions extends Omit<RoutineBoardSources, "connection"> {
  settings: Pick<SettingsStore, "get">;
  github?: GitHubConnection;
}

/** What the board reads: the repositories chosen in Settings → GitHub, and per repository its runs and deployments. */
interface DeploymentsSnapshot {
  watched: string[];
  boards: RepositoryBoard[];
}

/**
 * The deployments board's state: per watched repository, the latest runs and deployments with
 * what the watch made of each failure (the model's verdict, the re-run card and where it stands),
 * and when the watch last ran. It reads IndexedDB again when the watch finishes a run (announced
 * on the jobs channel), when a card is decided (the Gate), and when the GitHub settings change.
 */
export class DeploymentsController extends RoutineBoardController<DeploymentsSnapshot> {
  constructor(private readonly options: DeploymentsControllerOptions) {
    super(
      { jobId: DEPLOY_WATCH_JOB_ID, routineName: "deployment watch", boardName: "The deployments board" },
      {
        db: options.db,
        gate: options.gate,
        connection: options.github,
        channel: options.channel,
        runNow: options.runNow,
      },
      { watched: [], boards: [] },
    );
  }

  get boards(): readonly RepositoryBoard[] {
    return this.board.boards;
  }

  /** The repositories chosen in Settings → GitHub. */
  get watched(): readonly string[] {
    return this.board.watched;
  }

  get watch(): RoutineStatus {
    return this.routine;
  }

  get connection(): GitHubConnection["status"] | undefined {
    return this.options.github?.status;
  }

  /** Where a row's re-run card stands; undefined when the watch proposed none. */
  rerunStatus(row: Pick<BoardRow, "rerunActionId">): CardStatus | undefined {
    if (row.rerunActionId === undefined) return undefined;
    return cardStatus(
      this.card(row.rerunActionId),
      "The re-run of the failed jobs",
      "You approved the re-run; it was started.",
    );
  }

  protected override async readBoard(db: Database): Promise<DeploymentsSnapshot> {
    const watched = await this.options.settings.get("githubRepositories");
    const state = new ConnectorState(db);
    const store = new DeploymentStore(db);
    const boards = await Promise.all(
      watched.map(async (repository) =>
        buildRepositoryBoard(
          repository,
          await state.get(`${WATCH_KEY_PREFIX}${repository.toLowerCase()}`, isRepositorySnapshot),
          await store.forRepository(repository, 40),
        ),
      ),
    );
    return { watched: [...watched], boards };
  }

  protected override cardIds(snapshot: DeploymentsSnapshot): string[] {
    return snapshot.boards.flatMap((board) => board.rows.flatMap((row) => row.rerunActionId ?? []));
  }
}
