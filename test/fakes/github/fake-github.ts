import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  FakeGitHubState,
  type FakeToken,
  type PermissionLevel,
  type PermissionName,
  type RepositoryRecord,
  type RunRecord,
} from "./fake-github-state";
import { FakeRateLimits } from "./fake-rate-limits";
import { errorBody, GitHubResponses } from "./github-responses";
import { githubDescription } from "./openapi-description";
import { GitHubRequestValidator, type RequestCheck } from "./request-validator";

/**
 * A fake GitHub REST API on 127.0.0.1 for Node and browser tests: the operations Tabclaw's GitHub
 * connector uses, validated against GitHub's published description, with fine-grained token
 * permissions, ETags and 304s that cost nothing, primary and secondary rate limits, and job logs
 * served from a second origin (the signed storage URL GitHub redirects to). Every request is
 * logged; everything a real GitHub would refuse, or that breaks the description, lands in
 * `violations`, which a test expects to stay empty.
 */

export interface FakeGitHubOptions {
  now?: () => number;
  /**
   * Seconds sent as `x-poll-interval` on the run and deployment lists. GitHub documents the header
   * on its events API; a test turns it on here to check the client obeys whatever it is told.
   */
  pollIntervalSeconds?: number;
}

export interface FakeGitHubRequest {
  host: "api" | "logs";
  method: string;
  path: string;
  query: string;
  operationId: string | undefined;
  status: number;
  /** Whether it cost a point of the primary limit. */
  charged: boolean;
  /** The token it carried (a fake token value). */
  token: string | undefined;
  ifNoneMatch: string | undefined;
  authorization: boolean;
  at: number;
}

/** What GitHub lets a cross-origin page read (its `Access-Control-Expose-Headers`). */
export const GITHUB_EXPOSED_HEADERS = [
  "ETag",
  "Link",
  "Location",
  "Retry-After",
  "X-GitHub-OTP",
  "X-RateLimit-Limit",
  "X-RateLimit-Remaining",
  "X-RateLimit-Used",
  "X-RateLimit-Resource",
  "X-RateLimit-Reset",
  "X-OAuth-Scopes",
  "X-Accepted-OAuth-Scopes",
  "X-Poll-Interval",
  "X-GitHub-Media-Type",
  "X-GitHub-SSO",
  "X-GitHub-Request-Id",
  "Deprecation",
  "Sunset",
];

/** The request headers GitHub's CORS preflight allows. */
export const GITHUB_ALLOWED_REQUEST_HEADERS = [
  "authorization",
  "content-type",
  "if-match",
  "if-modified-since",
  "if-none-match",
  "if-unmodified-since",
  "accept-encoding",
  "x-github-otp",
  "x-requested-with",
  "user-agent",
  "graphql-features",
  "x-github-next-global-id",
  "x-github-api-version",
];

/** The fine-grained permission each operation needs (GitHub's "Permissions required for fine-grained PATs"). */
export const OPERATION_PERMISSIONS: Readonly<Record<string, readonly [PermissionName, PermissionLevel]>> = {
  "repos/get": ["metadata", "read"],
  "actions/list-workflow-runs-for-repo": ["actions", "read"],
  "actions/get-workflow-run": ["actions", "read"],
  "actions/list-jobs-for-workflow-run": ["actions", "read"],
  "actions/list-jobs-for-workflow-run-attempt": ["actions", "read"],
  "actions/download-job-logs-for-workflow-run": ["actions", "read"],
  "actions/list-repo-workflows": ["actions", "read"],
  "actions/re-run-workflow-failed-jobs": ["actions", "write"],
  "actions/create-workflow-dispatch": ["actions", "write"],
  "repos/list-deployments": ["deployments", "read"],
  "repos/list-deployment-statuses": ["deployments", "read"],
};

/** List operations whose answers carry `x-poll-interval` when the option is on. */
const POLLED_LISTS = new Set([
  "actions/list-workflow-runs-for-repo",
  "repos/list-deployments",
  "repos/list-deployment-statuses",
]);

/** The host GitHub's signed log URLs point at (Azure blob storage). */
export const LOG_HOST = "productionresultssa0.blob.core.windows.net";
const LOG_URL_LIFETIME_MS = 60_000;
const MAX_BODY_BYTES = 1 << 20;

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface Context {
  check: RequestCheck;
  url: URL;
  token: FakeToken;
  repository: RepositoryRecord | undefined;
}

type Handler = (context: Context) => Reply;

interface SignedLog {
  repository: string;
  jobId: number;
  expiresAt: number;
}

function integer(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isInteger(value) ? value : fallback;
}

function page<T>(
  items: readonly T[],
  params: Readonly<Record<string, unknown>>,
): { items: T[]; next: number | undefined } {
  const perPage = Math.min(100, Math.max(1, integer(params.per_page, 30)));
  const number = Math.max(1, integer(params.page, 1));
  const start = (number - 1) * perPage;
  return { items: items.slice(start, start + perPage), next: start + perPage < items.length ? number + 1 : undefined };
}

function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new Error("body too large"));
      else chunks.push(chunk);
    });
    request.on("end", () => resolve(chunks.length === 0 ? undefined : Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function headerMap(request: IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const weak = (tag: string) => tag.trim().replace(/^W\//, "");
  return ifNoneMatch.split(",").some((tag) => tag.trim() === "*" || weak(tag) === weak(etag));
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export class FakeGitHub {
  readonly state: FakeGitHubState;
  readonly limits: FakeRateLimits;
  readonly requests: FakeGitHubRequest[] = [];
  /** Requests GitHub would refuse or that break its description, and responses that break it. */
  readonly violations: string[] = [];
  readonly options: FakeGitHubOptions;
  readonly #now: () => number;
  readonly #validator = new GitHubRequestValidator(githubDescription());
  readonly #responses = new GitHubResponses(githubDescription());
  readonly #signedLogs = new Map<string, SignedLog>();
  readonly #serverErrors: number[] = [];
  readonly #handlers: Readonly<Record<string, Handler>>;
  #api: Server | undefined;
  #logs: Server | undefined;
  #apiOrigin: string | undefined;
  #logOrigin: string | undefined;

  constructor(options: FakeGitHubOptions = {}) {
    this.options = options;
    this.#now = options.now ?? (() => Date.now());
    this.state = new FakeGitHubState(this.#now);
    this.limits = new FakeRateLimits(this.#now);
    this.#handlers = this.#buildHandlers();
  }

  async start(): Promise<this> {
    this.#api = createServer((request, response) => void this.#serveApi(request, response));
    this.#logs = createServer((request, response) => void this.#serveLogs(request, response));
    [this.#apiOrigin, this.#logOrigin] = await Promise.all([listen(this.#api), listen(this.#logs)]);
    return this;
  }

  async close(): Promise<void> {
    for (const server of [this.#api, this.#logs]) {
      if (!server) continue;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    this.#api = undefined;
    this.#logs = undefined;
  }

  /** Where api.github.com is served. */
  get apiOrigin(): string {
    if (this.#apiOrigin === undefined) throw new Error("FakeGitHub not started");
    return this.#apiOrigin;
  }

  /** Where the signed log URLs' host is served. */
  get logOrigin(): string {
    if (this.#logOrigin === undefined) throw new Error("FakeGitHub not started");
    return this.#logOrigin;
  }

  /** Requests that reached the API (not preflights, not log downloads). */
  apiRequests(): FakeGitHubRequest[] {
    return this.requests.filter((request) => request.host === "api" && request.method !== "OPTIONS");
  }

  /** The next `requests` API requests are answered with a server error (502 by default). */
  forceServerError(requests = 1, status = 502): void {
    for (let index = 0; index < requests; index += 1) this.#serverErrors.push(status);
  }

  /** Primary rate-limit points a token has used since the fake started. */
  points(token: string): number {
    return this.limits.points(token);
  }

  #log(entry: Omit<FakeGitHubRequest, "at">): void {
    this.requests.push({ ...entry, at: this.#now() });
  }

  #send(response: ServerResponse, reply: Reply): void {
    const headers: Record<string, string> = {
      "access-control-allow-origin": "*",
      "access-control-expose-headers": GITHUB_EXPOSED_HEADERS.join(", "),
      "x-github-request-id": randomUUID().toUpperCase(),
      ...reply.headers,
    };
    if (reply.body === undefined || reply.status === 304 || reply.status === 204) {
      response.writeHead(reply.status, headers).end();
      return;
    }
    const text = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
    headers["content-type"] ??= "application/json; charset=utf-8";
    response.writeHead(reply.status, headers).end(text);
  }

  async #serveApi(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "https://api.github.com");
    const method = (request.method ?? "GET").toUpperCase();
    const headers = headerMap(request);
    if (method === "OPTIONS") {
      this.#preflight(headers, url);
      this.#log({
        host: "api",
        method,
        path: url.pathname,
        query: url.search,
        operationId: undefined,
        status: 204,
        charged: false,
        token: undefined,
        ifNoneMatch: undefined,
        authorization: false,
      });
      this.#send(response, {
        status: 204,
        headers: {
          "access-control-allow-methods": "GET, POST, PATCH, PUT, DELETE",
          "access-control-allow-headers": GITHUB_ALLOWED_REQUEST_HEADERS.join(", "),
          "access-control-max-age": "86400",
        },
      });
      return;
    }
    let body: string | undefined;
    try {
      body = await readBody(request);
    } catch (error) {
      this.violations.push(`${method} ${url.pathname}: ${String(error)}`);
      this.#send(response, { status: 413, body: errorBody("Body too large", 413) });
      return;
    }
    const check = this.#validator.check({ method, url, headers, body });
    this.violations.push(...check.problems);
    const authorization = headers.authorization;
    const tokenValue = authorization?.replace(/^(Bearer|token) /, "");
    let charged = false;
    const reply = ((): Reply => {
      if (check.refusal || !check.match) {
        const refusal = check.refusal ?? { status: 404, message: "Not Found" };
        return { status: refusal.status, body: errorBody(refusal.message, refusal.status) };
      }
      const serverError = this.#serverErrors.shift();
      if (serverError !== undefined) return { status: serverError, body: errorBody("Server Error", serverError) };
      const token = tokenValue === undefined ? undefined : this.state.tokens.get(tokenValue);
      if (!token || token.revoked) {
        return {
          status: 401,
          body: errorBody(authorization === undefined ? "Requires authentication" : "Bad credentials", 401),
        };
      }
      const operationId = check.match.operation.operationId;
      const rate = (): Record<string, string> => this.#rateHeaders(token.value);
      if (operationId !== "rate-limit/get") {
        const secondary = this.limits.secondary(token.value);
        if (secondary) {
          return {
            status: secondary.status,
            body: errorBody(
              "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
              secondary.status,
            ),
            headers: {
              ...rate(),
              ...(secondary.retryAfterSeconds !== undefined
                ? { "retry-after": String(secondary.retryAfterSeconds) }
                : {}),
            },
          };
        }
        if (this.limits.exhausted(token.value)) {
          return {
            status: 403,
            body: errorBody(`API rate limit exceeded for user ID ${token.userId}.`, 403),
            headers: rate(),
          };
        }
      }
      const found = this.#authorise(check, token);
      if (found.refusal) {
        this.limits.charge(token.value);
        charged = true;
        return { ...found.refusal, headers: { ...found.refusal.headers, ...rate() } };
      }
      const handler = this.#handlers[operationId];
      if (!handler) {
        this.violations.push(`${operationId}: the fake does not implement it`);
        return { status: 501, body: errorBody("Not implemented by the fake", 501) };
      }
      const result = handler({ check, url, token, repository: found.repository });
      const extra: Record<string, string> = {};
      if (this.options.pollIntervalSeconds !== undefined && POLLED_LISTS.has(operationId)) {
        extra["x-poll-interval"] = String(this.options.pollIntervalSeconds);
      }
      if (method === "GET" && result.status === 200) {
        const etag = `W/"${createHash("sha1")
          .update(`${token.value}\n${JSON.stringify(result.body)}`)
          .digest("hex")}"`;
        extra.etag = etag;
        extra["cache-control"] = "private, max-age=60, s-maxage=60";
        extra.vary = "Accept, Authorization, Cookie, X-GitHub-OTP";
        if (etagMatches(headers["if-none-match"], etag)) {
          // A correct conditional request answered 304 costs no rate-limit point.
          return { status: 304, headers: { ...extra, ...rate() } };
        }
      }
      if (operationId !== "rate-limit/get") {
        this.limits.charge(token.value);
        charged = true;
      }
      // Errors carry GitHub's generic error body, which most operations leave undeclared.
      if (result.status < 400) {
        const problems = this.#validator.checkResponse(check.match, result.status, result.body);
        this.violations.push(...problems.map((problem) => `fake response: ${problem}`));
      }
      return {
        ...result,
        headers: { ...result.headers, ...extra, ...rate(), "x-github-api-version-selected": check.version },
      };
    })();
    this.#log({
      host: "api",
      method,
      path: url.pathname,
      query: url.search,
      operationId: check.match?.operation.operationId,
      status: reply.status,
      charged,
      token: tokenValue,
      ifNoneMatch: headers["if-none-match"],
      authorization: authorization !== undefined,
    });
    this.#send(response, reply);
  }

  /** A browser would refuse to send what the preflight does not allow: the client must not ask for it. */
  #preflight(headers: Record<string, string | undefined>, url: URL): void {
    const asked = (headers["access-control-request-headers"] ?? "")
      .split(",")
      .map((name) => name.trim().toLowerCase())
      .filter((name) => name !== "");
    for (const name of asked) {
      if (!GITHUB_ALLOWED_REQUEST_HEADERS.includes(name)) {
        this.violations.push(`preflight ${url.pathname}: GitHub's CORS does not allow the header ${name}`);
      }
    }
  }

  #rateHeaders(token: string): Record<string, string> {
    const core = this.limits.core(token);
    return {
      "x-ratelimit-limit": String(core.limit),
      "x-ratelimit-remaining": String(core.remaining),
      "x-ratelimit-used": String(core.used),
      "x-ratelimit-reset": String(core.reset),
      "x-ratelimit-resource": "core",
    };
  }

  /** The repository the path names and whether this token may do this to it (404 unseen, 403 missing permission). */
  #authorise(check: RequestCheck, token: FakeToken): { repository?: RepositoryRecord; refusal?: Reply } {
    const match = check.match;
    if (!match) return {};
    const owner = match.pathParams.owner;
    const name = match.pathParams.repo;
    if (owner === undefined || name === undefined) return {};
    const repository = this.state.repositories.get(`${owner}/${name}`.toLowerCase());
    if (!repository || !this.state.reaches(token, repository)) {
      return { refusal: { status: 404, body: errorBody("Not Found", 404) } };
    }
    const needed = OPERATION_PERMISSIONS[match.operation.operationId];
    if (needed && !this.state.allows(token, needed[0], needed[1])) {
      return {
        repository,
        refusal: {
          status: 403,
          body: errorBody("Resource not accessible by personal access token", 403),
          headers: { "x-accepted-github-permissions": `${needed[0]}=${needed[1]}` },
        },
      };
    }
    return { repository };
  }

  #run(context: Context): RunRecord | undefined {
    const runId = context.check.params.run_id;
    return context.repository?.runs.find((run) => run.id === runId);
  }

  #buildHandlers(): Record<string, Handler> {
    const responses = this.#responses;
    const notFound: Reply = { status: 404, body: errorBody("Not Found", 404) };
    const listed = (items: unknown[], next: number | undefined, url: URL, key: string, total: number): Reply => {
      const headers: Record<string, string> = {};
      if (next !== undefined) {
        const nextUrl = new URL(url.href);
        nextUrl.searchParams.set("page", String(next));
        headers.link = `<${nextUrl.href}>; rel="next"`;
      }
      return { status: 200, body: key === "" ? items : { total_count: total, [key]: items }, headers };
    };
    return {
      "rate-limit/get": ({ token }) => ({ status: 200, body: responses.rateLimit(this.limits.core(token.value)) }),
      "users/get-authenticated": ({ token }) => ({ status: 200, body: responses.authenticatedUser(token) }),
      "repos/get": ({ repository }) =>
        repository ? { status: 200, body: responses.fullRepository(repository) } : notFound,
      "actions/list-repo-workflows": ({ repository, check, url }) => {
        if (!repository) return notFound;
        const { items, next } = page(repository.workflows, check.params);
        return listed(
          items.map((workflow) => responses.workflow(repository, workflow)),
          next,
          url,
          "workflows",
          repository.workflows.length,
        );
      },
      "actions/list-workflow-runs-for-repo": ({ repository, check, url }) => {
        if (!repository) return notFound;
        const { branch, event, status } = check.params;
        const runs = [...repository.runs]
          .reverse()
          .filter((run) => branch === undefined || run.branch === branch)
          .filter((run) => event === undefined || run.event === event)
          .filter((run) => {
            const attempt = run.attempts.at(-1);
            return status === undefined || attempt?.status === status || attempt?.conclusion === status;
          });
        const { items, next } = page(runs, check.params);
        return listed(
          items.map((run) => responses.workflowRun(repository, run)),
          next,
          url,
          "workflow_runs",
          runs.length,
        );
      },
      "actions/get-workflow-run": (context) => {
        const run = this.#run(context);
        return run && context.repository
          ? { status: 200, body: responses.workflowRun(context.repository, run) }
          : notFound;
      },
      "actions/list-jobs-for-workflow-run": (context) => {
        const run = this.#run(context);
        const repository = context.repository;
        if (!run || !repository) return notFound;
        const all = context.check.params.filter === "all";
        const attempts = all ? run.attempts : run.attempts.slice(-1);
        const jobs = attempts.flatMap((attempt) =>
          attempt.jobs.map((job) => responses.job(repository, run, attempt.number, job)),
        );
        const { items, next } = page(jobs, context.check.params);
        return listed(items, next, context.url, "jobs", jobs.length);
      },
      "actions/list-jobs-for-workflow-run-attempt": (context) => {
        const run = this.#run(context);
        const repository = context.repository;
        const attempt = run?.attempts.find((candidate) => candidate.number === context.check.params.attempt_number);
        if (!run || !repository || !attempt) return notFound;
        const jobs = attempt.jobs.map((job) => responses.job(repository, run, attempt.number, job));
        const { items, next } = page(jobs, context.check.params);
        return listed(items, next, context.url, "jobs", jobs.length);
      },
      "actions/download-job-logs-for-workflow-run": ({ repository, check }) => {
        const jobId = check.params.job_id;
        const job = repository?.runs
          .flatMap((run) => run.attempts.flatMap((attempt) => attempt.jobs))
          .find((candidate) => candidate.id === jobId);
        if (!repository || !job) return notFound;
        const signature = randomUUID().replace(/-/g, "");
        const expiresAt = this.#now() + LOG_URL_LIFETIME_MS;
        this.#signedLogs.set(signature, { repository: repository.fullName, jobId: job.id, expiresAt });
        const location = new URL(
          `https://${LOG_HOST}/actions-results/${randomUUID()}/workflow-job-run-${job.id}/logs/job/job-logs.txt`,
        );
        location.searchParams.set("rsct", "text/plain");
        location.searchParams.set("se", new Date(expiresAt).toISOString());
        location.searchParams.set("sp", "r");
        location.searchParams.set("sig", signature);
        return { status: 302, headers: { location: location.href } };
      },
      "actions/re-run-workflow-failed-jobs": (context) => {
        const run = this.#run(context);
        const repository = context.repository;
        if (!run || !repository) return notFound;
        const attempt = run.attempts.at(-1);
        if (attempt?.status !== "completed") {
          return { status: 403, body: errorBody("This workflow is already running", 403) };
        }
        if (
          !attempt.jobs.some(
            (job) => job.conclusion === "failure" || job.conclusion === "cancelled" || job.conclusion === "timed_out",
          )
        ) {
          return { status: 403, body: errorBody("This workflow run has no failed jobs to re-run", 403) };
        }
        this.state.rerunFailedJobs(repository, run);
        return { status: 201, body: {} };
      },
      "actions/create-workflow-dispatch": ({ repository, check }) => {
        if (!repository) return notFound;
        const workflow = this.state.workflow(repository, String(check.params.workflow_id));
        if (!workflow) return notFound;
        const body = (check.json ?? {}) as {
          ref?: unknown;
          inputs?: Record<string, unknown>;
          return_run_details?: unknown;
        };
        if (workflow.dispatchInputs === undefined) {
          return { status: 422, body: errorBody("Workflow does not have 'workflow_dispatch' trigger", 422) };
        }
        const ref = String(body.ref).replace(/^refs\/heads\//, "");
        if (!repository.branches.has(ref))
          return { status: 422, body: errorBody(`No ref found for: ${String(body.ref)}`, 422) };
        const unexpected = Object.keys(body.inputs ?? {}).filter((name) => !workflow.dispatchInputs?.includes(name));
        if (unexpected.length > 0) {
          return { status: 422, body: errorBody(`Unexpected inputs provided: ${JSON.stringify(unexpected)}`, 422) };
        }
        const run = this.state.dispatch(repository, workflow, ref);
        const details = check.version >= "2026-03-10" || body.return_run_details === true;
        return details
          ? {
              status: 200,
              body: {
                workflow_run_id: run.id,
                run_url: `https://api.github.com/repos/${repository.fullName}/actions/runs/${run.id}`,
                html_url: `https://github.com/${repository.fullName}/actions/runs/${run.id}`,
              },
            }
          : { status: 204 };
      },
      "repos/list-deployments": ({ repository, check, url }) => {
        if (!repository) return notFound;
        const { sha, ref, task, environment } = check.params;
        const deployments = [...repository.deployments]
          .reverse()
          .filter((deployment) => sha === undefined || deployment.sha === sha)
          .filter((deployment) => ref === undefined || deployment.ref === ref)
          .filter((deployment) => task === undefined || deployment.task === task)
          .filter((deployment) => environment === undefined || deployment.environment === environment);
        const { items, next } = page(deployments, check.params);
        return listed(
          items.map((deployment) => responses.deployment(repository, deployment)),
          next,
          url,
          "",
          deployments.length,
        );
      },
      "repos/list-deployment-statuses": ({ repository, check, url }) => {
        const deployment = repository?.deployments.find((candidate) => candidate.id === check.params.deployment_id);
        if (!repository || !deployment) return notFound;
        const statuses = [...deployment.statuses].reverse();
        const { items, next } = page(statuses, check.params);
        return listed(
          items.map((status) => responses.deploymentStatus(repository, deployment, status)),
          next,
          url,
          "",
          statuses.length,
        );
      },
    };
  }

  async #serveLogs(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", `https://${LOG_HOST}`);
    const method = (request.method ?? "GET").toUpperCase();
    const headers = headerMap(request);
    await readBody(request).catch(() => undefined);
    const log = (status: number) =>
      this.#log({
        host: "logs",
        method,
        path: url.pathname,
        query: url.search,
        operationId: undefined,
        status,
        charged: false,
        token: undefined,
        ifNoneMatch: undefined,
        authorization: headers.authorization !== undefined,
      });
    const cors = { "access-control-allow-origin": "*" };
    if (headers.authorization !== undefined) {
      // The token must never leave for another host: a browser drops it on a cross-origin redirect.
      this.violations.push(`log download ${url.pathname}: the GitHub token was sent to the log host`);
      log(403);
      response.writeHead(403, cors).end("Server failed to authenticate the request.");
      return;
    }
    const signed = this.#signedLogs.get(url.searchParams.get("sig") ?? "");
    if (method !== "GET" || !signed || this.#now() > signed.expiresAt) {
      log(403);
      response.writeHead(403, cors).end("Signature not valid in the specified time frame, or not signed.");
      return;
    }
    const job = this.state
      .repository(signed.repository)
      .runs.flatMap((run) => run.attempts.flatMap((attempt) => attempt.jobs))
      .find((candidate) => candidate.id === signed.jobId);
    log(job ? 200 : 404);
    response.writeHead(job ? 200 : 404, { ...cors, "content-type": "text/plain; charset=utf-8" }).end(job?.log ?? "");
  }
}

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  return new FakeGitHub(options).start();
}
