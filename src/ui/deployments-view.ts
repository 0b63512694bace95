import { LitElement, html, nothing, type TemplateResult } from "lit";
import { customElement, property } from "lit/decorators.js";
import { repeat } from "lit/directives/repeat.js";
import { isFailedRow, type BoardRow, type RepositoryBoard } from "../app/deployment-board";
import type { DeploymentsController } from "../app/deployments-controller";
import {
  boardStyles,
  cardLine,
  externalLink,
  routineLine,
  runNowControl,
  setupNote,
  timeOf,
} from "./routine-board-parts";
import { FollowController } from "./follow-controller";
import { panelStyles, sharedStyles } from "./shared-styles";

const RUN_WORDS: Record<string, string> = {
  success: "passed",
  failure: "failed",
  timed_out: "timed out",
  startup_failure: "failed to start",
  cancelled: "cancelled",
  skipped: "skipped",
  neutral: "neutral",
  action_required: "needs action",
  stale: "stale",
};

const STATUS_WORDS: Record<string, string> = {
  queued: "queued",
  in_progress: "running",
  waiting: "waiting",
  requested: "requested",
  pending: "pending",
  success: "deployed",
  failure: "failed",
  error: "failed",
  inactive: "inactive",
  none: "no status yet",
};

/** What a row's state is, in a word, as GitHub reports it. */
function stateWord(row: BoardRow): string {
  if (row.kind === "run" && row.status === "completed")
    return RUN_WORDS[row.conclusion ?? ""] ?? row.conclusion ?? "completed";
  return STATUS_WORDS[row.status] ?? row.status.replace(/_/g, " ");
}

function stateClass(row: BoardRow): string {
  if (isFailedRow(row)) return "tag bad";
  if ((row.kind === "run" && row.conclusion === "success") || (row.kind === "deployment" && row.status === "success"))
    return "tag good";
  return "tag";
}

/**
 * Deployments: per repository chosen in Settings → GitHub, the latest workflow runs and
 * deployments with their status, branch, commit and a link to GitHub; for a failure, the model's
 * verdict (marked as its judgement), and the re-run card with the way to it in Approvals; when the
 * deployment watch last ran. Empty states say what to set up.
 * @property deployments - the deployments controller
 */
@customElement("tabclaw-deployments-view")
export class DeploymentsView extends LitElement {
  static override styles = [sharedStyles, panelStyles, boardStyles];

  @property({ attribute: false }) deployments: DeploymentsController | undefined;

  constructor() {
    super();
    new FollowController(
      this,
      () => this.deployments,
      (deployments) => void deployments.init(),
    );
  }

  override render() {
    const board = this.deployments;
    if (!board) return nothing;
    return html`<h2>Deployments</h2>
      <p class="intro muted">
        The deployment watch checks the repositories you chose every few minutes (an unchanged repository costs GitHub
        no rate limit and the model no token). When a run or a deployment fails, the model reads the end of the log and
        gives its verdict; re-running failed jobs is only ever proposed, on a card in Approvals.
      </p>
      ${routineLine(board.watch, "deployment watch", "deploy-watch-status")}
      ${runNowControl(board.runNowState, "Check now", "Checking…", () => void board.runNow(), "deploy-watch-notice")}
      ${board.error ? html`<p class="error" role="alert">${board.error}</p>` : nothing} ${this.#setup(board)}
      ${repeat(
        board.boards,
        (repository) => repository.repository,
        (repository) => this.#repository(repository),
      )}`;
  }

  /** What to set up, when something is missing: a token, repositories, a fresh sign-in. */
  #setup(board: DeploymentsController) {
    if (!board.loaded) return nothing;
    const note = (paused: boolean, text: TemplateResult) =>
      setupNote(this, "GitHub", "deployments-setup", paused, text);
    if (board.connection === "needs_reconnect")
      return note(
        true,
        html`GitHub refused the token, so the watch is paused. Give Tabclaw a new fine-grained token in Settings →
        GitHub.`,
      );
    if (board.watched.length === 0)
      return note(
        false,
        html`No repository is watched yet. In Settings → GitHub, paste a fine-grained personal access token (read access
        to Actions and Deployments; write access to Actions to re-run jobs) and choose the repositories to watch.`,
      );
    if (board.connection === "disconnected")
      return note(
        false,
        html`Tabclaw has no GitHub token in this tab, so the watch cannot check ${board.watched.join(", ")}. Paste your
        token in Settings → GitHub (turn on “Keep sign-ins after reload” to keep it).`,
      );
    return nothing;
  }

  #repository(repository: RepositoryBoard) {
    const headingId = `repo-${repository.repository.replace(/[^A-Za-z0-9_-]/g, "-")}`;
    return html`<section
      aria-labelledby=${headingId}
      data-testid="deployments-repository"
      data-repository=${repository.repository}
    >
      <h3 id=${headingId}>${repository.repository}</h3>
      <p class="muted meta">
        ${
          repository.polledAt !== undefined
            ? html`<span>Checked ${timeOf(repository.polledAt)}.</span>`
            : html`<span>Not checked yet: the watch's first check of this repository is still to come.</span>`
        }
        ${externalLink(
          `https://github.com/${repository.repository}/actions`,
          "Actions on GitHub",
          `Actions on GitHub: ${repository.repository}`,
        )}
      </p>
      ${
        repository.rows.length === 0
          ? html`<p class="empty muted">No workflow runs or deployments seen yet.</p>`
          : html`<ul class="rows">
              ${repeat(
                repository.rows,
                (row) => row.id,
                (row) => html`<li>${this.#row(row)}</li>`,
              )}
            </ul>`
      }
    </section>`;
  }

  #row(row: BoardRow) {
    const board = this.deployments;
    const failed = isFailedRow(row);
    const what = row.kind === "run" ? `${row.title} on ${row.branch ?? "?"}` : `Deployment to ${row.title}`;
    const rerun = board?.rerunStatus(row);
    return html`<article
      data-testid="deployment-row"
      data-id=${row.id}
      data-state=${stateWord(row)}
      data-attention=${String(failed)}
      aria-label=${`${what}: ${stateWord(row)}`}
    >
      <h4><span>${what}</span><span class=${stateClass(row)}>${stateWord(row)}</span></h4>
      <p class="meta muted">
        ${row.kind === "deployment" && row.branch ? html`<span>Ref ${row.branch}</span>` : nothing}
        ${row.sha ? html`<span>Commit <code>${row.sha.slice(0, 7)}</code></span>` : nothing}
        ${row.attempt !== undefined && row.attempt > 1 ? html`<span>Attempt ${row.attempt}</span>` : nothing}
        <span>Updated ${timeOf(row.updatedAt)}</span>
        ${externalLink(row.url, "View on GitHub", `View on GitHub: ${what}`)}
      </p>
      ${row.detail ? html`<p class="meta"><span class="others">“${row.detail}”</span></p>` : nothing}
      ${
        row.failedJobs.length > 0 && failed
          ? html`<p class="meta">Failed jobs: ${row.failedJobs.join(", ")}</p>`
          : nothing
      }
      ${this.#verdict(row)}
      ${
        row.verdictProblem !== undefined && row.verdict === undefined
          ? html`<p class="meta muted" data-testid="deployment-no-verdict">No verdict: ${row.verdictProblem}</p>`
          : nothing
      }
      ${
        rerun && row.rerunActionId !== undefined
          ? cardLine(
              this,
              rerun,
              row.rerunActionId,
              rerun.waiting ? "Review the re-run in Approvals" : "See the re-run in Approvals",
              "deployment-rerun",
            )
          : nothing
      }
    </article>`;
  }

  #verdict(row: BoardRow) {
    const verdict = row.verdict;
    if (!verdict) return nothing;
    const kind = verdict.kind === "unclear" ? "unclear" : `likely ${verdict.kind}`;
    return html`<div class="judgement" role="group" aria-label="The model's verdict" data-testid="deployment-verdict">
      <span class="muted"
        >The model's judgement from the log${verdict.modelId ? ` (${verdict.modelId})` : ""}, not a
        fact${row.verdictAttempt !== undefined ? html`, on attempt ${row.verdictAttempt}` : nothing}:</span
      >
      <dl>
        <dt>Likely cause</dt>
        <dd>${verdict.likelyCause}</dd>
        <dt>Flaky or real</dt>
        <dd>${kind}</dd>
        <dt>Next step</dt>
        <dd>${verdict.nextStep}</dd>
        <dt>Severity</dt>
        <dd>${verdict.severity}</dd>
      </dl>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "tabclaw-deployments-view": DeploymentsView;
  }
}
