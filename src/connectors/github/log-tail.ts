import { repositoryPath, type GitHubClient, type RequestPurpose } from "./github-client";

/**
 * The end of a failed job's log, where the error usually is. GitHub answers the log request with a
 * redirect to a short-lived signed URL on its storage host, which serves the whole log as plain
 * text; Tabclaw keeps only the last lines. The log is written by whatever the job ran (a test, a
 * script, a dependency): it is untrusted text, shown to the model only as quarantined data.
 */

export const LOG_TAIL_LINES = 80;
/** About 2,000 tokens at four characters a token: room for the verdict prompt around it. */
export const LOG_TAIL_MAX_CHARS = 8_000;
/** What a single line may keep (minified output or a base64 blob is not worth the tokens). */
const LINE_MAX_CHARS = 400;

export interface LogTail {
  repository: string;
  jobId: number;
  /** The kept lines, cleaned. */
  text: string;
  lines: number;
  totalLines: number;
  /** Where it came from, as provenance names it. */
  source: string;
}

/** GitHub prefixes each line with its time, e.g. `2026-11-24T09:00:01.1234567Z `. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z ?/;
// eslint-disable-next-line no-control-regex -- removing terminal escapes is the point
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b[@-Z\\-_]/g;
// eslint-disable-next-line no-control-regex -- control characters other than tab go
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/** The provenance source of a job's log. */
export function logSource(repository: string, jobId: number): string {
  return `github:${repository}/job/${jobId}/log`;
}

/** One log line as the model may read it: no time stamp, no terminal escapes, no control characters. */
export function cleanLogLine(line: string): string {
  const clean = line.replace(TIMESTAMP, "").replace(ANSI, "").replace(CONTROL, "").trimEnd();
  return clean.length > LINE_MAX_CHARS ? `${clean.slice(0, LINE_MAX_CHARS)}…` : clean;
}

/**
 * The last `maxLines` meaningful lines of a log within `maxChars`, oldest first. Group markers
 * (`##[endgroup]`) and empty lines are dropped; `##[error]` lines are kept, they are the point.
 */
export function tailOfLog(
  log: string,
  maxLines = LOG_TAIL_LINES,
  maxChars = LOG_TAIL_MAX_CHARS,
): { text: string; lines: number; totalLines: number } {
  const all = log.split(/\r?\n/);
  const totalLines = all.length > 0 && all.at(-1) === "" ? all.length - 1 : all.length;
  const kept: string[] = [];
  let chars = 0;
  for (let index = all.length - 1; index >= 0 && kept.length < maxLines; index -= 1) {
    const line = cleanLogLine(all[index] ?? "").replace(/^##\[group\]/, "");
    if (line.trim() === "" || line === "##[endgroup]") continue;
    if (chars + line.length + 1 > maxChars) break;
    kept.push(line);
    chars += line.length + 1;
  }
  kept.reverse();
  return { text: kept.join("\n"), lines: kept.length, totalLines };
}

/** Fetches a job's log (following GitHub's redirect) and keeps its tail. */
export async function fetchJobLogTail(
  client: GitHubClient,
  repository: string,
  jobId: number,
  options: { lines?: number; purpose?: RequestPurpose } = {},
): Promise<LogTail> {
  const log = await client.getText({
    path: `${repositoryPath(repository)}/actions/jobs/${jobId}/logs`,
    repository,
    what: "read job logs",
    permission: "actions:read",
    purpose: options.purpose ?? "user",
  });
  const tail = tailOfLog(log, options.lines ?? LOG_TAIL_LINES);
  return { repository, jobId, ...tail, source: logSource(repository, jobId) };
}
