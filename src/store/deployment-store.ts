import type { Database } from "./database";
import type { DeploymentRecord } from "./deployment-record";

/** Records kept per repository: the board shows the latest few, the rest is history nobody reads. */
export const DEPLOYMENTS_KEPT_PER_REPOSITORY = 60;

function isFailure(record: Pick<DeploymentRecord, "kind" | "status" | "conclusion">): boolean {
  return record.kind === "run"
    ? record.conclusion === "failure" || record.conclusion === "timed_out" || record.conclusion === "startup_failure"
    : record.status === "failure" || record.status === "error";
}

/**
 * What a new sighting of a run or deployment leaves of the earlier one. The record describes one
 * attempt: a verdict, its problem and the watch's note belong to the failure they were written for,
 * so a later attempt or a recovery drops them; the re-run card stays linked, since the user may
 * want to see what they approved.
 */
export function mergeDeploymentRecord(
  existing: DeploymentRecord | undefined,
  incoming: DeploymentRecord,
): DeploymentRecord {
  if (!existing) return incoming;
  const sameFailure = isFailure(incoming) && (incoming.attempt ?? 1) === (existing.attempt ?? 1);
  const merged: DeploymentRecord = { ...existing, ...incoming };
  if (!sameFailure) {
    if (incoming.verdict === undefined) delete merged.verdict;
    if (incoming.verdictProblem === undefined) delete merged.verdictProblem;
    if (incoming.note === undefined) delete merged.note;
  }
  return merged;
}

/**
 * The `deployments` store (v6): what the deployment watch saw, per repository, for the board. The
 * watch writes in the agent worker; the board reads in the page.
 */
export class DeploymentStore {
  constructor(private readonly db: Database) {}

  get(id: string): Promise<DeploymentRecord | undefined> {
    return this.db.get("deployments", id);
  }

  /** Stores a sighting, merged with what was known of the same run or deployment; old ones beyond the cap go. */
  async record(incoming: DeploymentRecord): Promise<DeploymentRecord> {
    const tx = this.db.transaction("deployments", "readwrite");
    const merged = mergeDeploymentRecord(await tx.store.get(incoming.id), incoming);
    await tx.store.put(merged);
    const range = IDBKeyRange.bound([merged.repository, -Infinity], [merged.repository, Infinity]);
    let cursor = await tx.store.index("byRepository").openCursor(range, "prev");
    let seen = 0;
    while (cursor) {
      seen += 1;
      if (seen > DEPLOYMENTS_KEPT_PER_REPOSITORY) await cursor.delete();
      cursor = await cursor.continue();
    }
    await tx.done;
    return merged;
  }

  /** One repository's records, newest first. */
  async forRepository(repository: string, limit = Infinity): Promise<DeploymentRecord[]> {
    const range = IDBKeyRange.bound([repository, -Infinity], [repository, Infinity]);
    const result: DeploymentRecord[] = [];
    let cursor = await this.db.transaction("deployments").store.index("byRepository").openCursor(range, "prev");
    while (cursor && result.length < limit) {
      result.push(cursor.value);
      cursor = await cursor.continue();
    }
    return result;
  }

  /** Every record, newest first. */
  async all(): Promise<DeploymentRecord[]> {
    const records = await this.db.getAll("deployments");
    return records.sort((a, b) => b.updatedAt - a.updatedAt);
  }

  /** Forgets a repository the user no longer watches. */
  async deleteRepository(repository: string): Promise<number> {
    const tx = this.db.transaction("deployments", "readwrite");
    const range = IDBKeyRange.bound([repository, -Infinity], [repository, Infinity]);
    let cursor = await tx.store.index("byRepository").openCursor(range);
    let deleted = 0;
    while (cursor) {
      await cursor.delete();
      deleted += 1;
      cursor = await cursor.continue();
    }
    await tx.done;
    return deleted;
  }
}
