import type { GitHubPermission } from "./github-permissions";
import { describePermission } from "./github-permissions";

/**
 * What the GitHub connector throws, by `name` (the same names the Gmail and Slack connectors use for
 * the same situations): the Gate records the name, the routine and the settings read it. Each
 * message says what the user can do; none means anything was lost (a failed poll keeps its place).
 */

const TOKEN_PAGE = "GitHub → Settings → Developer settings → Fine-grained tokens";

/** No token, or GitHub answered 401: the token expired or was revoked, and only a new one helps. */
export class ReconnectNeededError extends Error {
  constructor(reason = "GitHub refused the token (401 Bad credentials): it has expired or was revoked.") {
    super(
      `${reason} Create a new fine-grained token (${TOKEN_PAGE}) and replace it in Settings → GitHub; ` +
        `the deployment watch keeps its place until then.`,
    );
    this.name = "ReconnectNeededError";
  }
}

/** The token reaches the repository but lacks a permission the call needs (GitHub's 403). */
export class ScopeNeededError extends Error {
  readonly scope: GitHubPermission;
  readonly repository: string;
  constructor(permission: GitHubPermission, repository: string, what: string) {
    super(
      `The GitHub token may not ${what} in ${repository}: it needs ${describePermission(permission)}. ` +
        `Edit the token (${TOKEN_PAGE}), add that permission for ${repository}, and try again; the token itself stays the same.`,
    );
    this.name = "ScopeNeededError";
    this.scope = permission;
    this.repository = repository;
  }
}

/** GitHub answers 404 for a repository the token was not given, as for one that does not exist. */
export class GitHubNotFoundError extends Error {
  readonly repository: string;
  constructor(repository: string, what: string) {
    super(
      `GitHub found no ${what} in ${repository}. Check the name, and that the token was given access to ${repository} ` +
        `(${TOKEN_PAGE} → Repository access).`,
    );
    this.name = "GitHubNotFoundError";
    this.repository = repository;
  }
}

/** The hour's requests are spent (or nearly, for background polling), or GitHub asked to slow down. */
export class GitHubRateLimitError extends Error {
  /** Milliseconds since the epoch: no request goes to GitHub before then. */
  readonly retryAt: number;
  readonly kind: "primary" | "secondary" | "reserve";
  constructor(kind: "primary" | "secondary" | "reserve", retryAt: number, detail: string) {
    const when = new Date(retryAt).toISOString().slice(11, 16);
    super(`${detail} Tabclaw waits until ${when} UTC before asking GitHub again; nothing was lost.`);
    this.name = "GitHubRateLimitError";
    this.retryAt = retryAt;
    this.kind = kind;
  }
}

/** GitHub did not answer, or kept answering with a server error. */
export class GitHubUnavailableError extends Error {
  constructor(detail: string, mayHaveHappened = false) {
    super(
      mayHaveHappened
        ? `GitHub did not confirm the request (${detail}). It may or may not have happened: check GitHub before trying again.`
        : `GitHub is not answering (${detail}). Check the connection; the next poll tries again from the same place.`,
    );
    this.name = "GitHubUnavailableError";
  }
}

/** GitHub refused the request itself (a 4xx other than the above), with its own message. */
export class GitHubRequestError extends Error {
  readonly status: number;
  constructor(status: number, what: string, message: string) {
    super(`GitHub refused to ${what} (HTTP ${status}): ${message}`);
    this.name = "GitHubRequestError";
    this.status = status;
  }
}

/** A re-run whose run is no longer what the approval card showed: nothing is re-run. */
export class GitHubTargetMismatchError extends Error {
  constructor(detail: string) {
    super(`Nothing was re-run: ${detail} Ask again for a fresh card; it must show exactly what will run.`);
    this.name = "GitHubTargetMismatchError";
  }
}
