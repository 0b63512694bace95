/**
 * The fine-grained token permissions Tabclaw uses, written `<permission>:<level>` (the form tools
 * declare as their scope). GitHub tells which permission a refused call needed in the
 * `x-accepted-github-permissions` header, but does not expose that header to pages, so the client
 * knows each call's permission itself and reads the header only where it can.
 */

export type GitHubPermission = "actions:read" | "actions:write" | "deployments:read" | "metadata:read";

/** What Tabclaw needs, and for what, in the order the settings list them. */
export const GITHUB_PERMISSIONS: readonly { permission: GitHubPermission; title: string; purpose: string }[] = [
  {
    permission: "metadata:read",
    title: "Metadata: Read-only",
    purpose: "see the repository (GitHub adds it to every token)",
  },
  {
    permission: "actions:read",
    title: "Actions: Read-only",
    purpose: "read workflow runs, jobs and failed jobs' logs",
  },
  { permission: "deployments:read", title: "Deployments: Read-only", purpose: "read deployments and their statuses" },
  {
    permission: "actions:write",
    title: "Actions: Read and write",
    purpose: "re-run failed jobs and start workflows, only when you approve",
  },
];

/** How the permission is named on GitHub's token page. */
export function describePermission(permission: GitHubPermission): string {
  const known = GITHUB_PERMISSIONS.find((entry) => entry.permission === permission);
  return known ? `the "${known.title}" repository permission` : `the ${permission} permission`;
}

const LEVELS: Readonly<Record<string, number>> = { read: 1, write: 2, admin: 3 };

/**
 * The permission GitHub's header names, when the page could read it: `actions=write` or several
 * accepted sets (`a=read; b=write`), of which the first one Tabclaw knows is taken.
 */
export function permissionFromHeader(header: string | null): GitHubPermission | undefined {
  if (header === null) return undefined;
  for (const set of header.split(";")) {
    for (const pair of set.split(",")) {
      const [name, level] = pair.trim().split("=");
      const candidate = `${name ?? ""}:${(LEVELS[level ?? ""] ?? 0) >= 2 ? "write" : "read"}`;
      if (GITHUB_PERMISSIONS.some((entry) => entry.permission === candidate)) return candidate as GitHubPermission;
    }
  }
  return undefined;
}
