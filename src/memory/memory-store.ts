import { dayKey } from "../core/agent/local-day";
import type { Database } from "../store/database";
import type {
  DailyNoteRecord,
  FactEmbedding,
  FactRecord,
  MemoryOrigin,
  MemoryProvenance,
  MemoryRevisionRecord,
  UserProfileRecord,
} from "../store/memory-record";
import { planChanges, sameContent, type FactInput, type FactOperation, type FactPatch } from "./fact-operation";

/** A revision the store would not apply: nothing was written. */
export class MemoryRevisionError extends Error {
  override name = "MemoryRevisionError";

  constructor(readonly problems: string[]) {
    super(`The memory change was not applied: ${problems.join(" ")}`);
  }
}

export interface RevisionRequest {
  origin: MemoryOrigin;
  summary: string;
  operations: readonly FactOperation[];
}

export type UndoOutcome =
  | { ok: true; revision: MemoryRevisionRecord }
  | { ok: false; reason: "not_found" | "already_undone" }
  /** A fact was changed again after this revision; undo the later change first. */
  | { ok: false; reason: "conflict"; factIds: string[] };

/** What an import writes: complete records, kept as they were exported (ids and times included). */
export interface ImportRequest {
  summary: string;
  facts: readonly FactRecord[];
  notes: readonly DailyNoteRecord[];
  profile?: UserProfileRecord;
}

export interface ImportOutcome {
  /** The one revision holding every fact the import added or changed; none if no fact changed. */
  revision: MemoryRevisionRecord | undefined;
  factsAdded: number;
  factsUpdated: number;
  factsUnchanged: number;
  notesWritten: number;
  profileWritten: boolean;
}

export interface NoteInput {
  text: string;
  at: number;
  origin: MemoryOrigin;
  provenance: MemoryProvenance;
}

const PROFILE_KEY = "user";

/**
 * Runs a transaction's writes, aborting it if any throws. A request that fails synchronously
 * (a value that cannot be cloned) does not abort a transaction by itself, and the writes made
 * before it would commit: half a revision.
 */
async function allOrNothing(tx: { abort(): void; done: Promise<void> }, writes: () => Promise<void>): Promise<void> {
  try {
    await writes();
  } catch (error) {
    tx.abort();
    await tx.done.catch(() => undefined);
    throw error;
  }
}

function dayRange(from: string, to: string): IDBKeyRange {
  return IDBKeyRange.bound([from, -Infinity], [to, Infinity]);
}

/**
 * Daily notes, long-term facts, the user profile, and the revisions that changed facts. Every
 * change to facts is a revision applied in one transaction that also stores the exact previous
 * state of each fact it touched, so a save, an edit or a whole dreaming run is undone in one step
 * and a reload mid-way leaves the old state or the new one, never a mix.
 */
export class MemoryStore {
  constructor(
    private readonly db: Database,
    private readonly newId: () => string = () => crypto.randomUUID(),
  ) {}

  // Facts

  getFact(id: string): Promise<FactRecord | undefined> {
    return this.db.get("facts", id);
  }

  /** Most recently changed first. */
  async listFacts(): Promise<FactRecord[]> {
    return (await this.db.getAllFromIndex("facts", "byUpdated")).reverse();
  }

  countFacts(): Promise<number> {
    return this.db.count("facts");
  }

  /** Applies every operation or none, and records the revision. Throws `MemoryRevisionError` if any is wrong. */
  async applyRevision(request: RevisionRequest, now: number): Promise<MemoryRevisionRecord> {
    if (request.operations.length === 0) throw new MemoryRevisionError(["It changes nothing."]);
    const tx = this.db.transaction(["facts", "memoryRevisions"], "readwrite");
    const facts = tx.objectStore("facts");
    const named = request.operations.flatMap((operation) =>
      operation.op === "add" ? (operation.id !== undefined ? [operation.id] : []) : [operation.id],
    );
    const records = await Promise.all(named.map((id) => facts.get(id)));
    const current = new Map(named.map((id, index) => [id, records[index]]));
    const plan = planChanges(request.operations, current, now, this.newId);
    if (!plan.ok) {
      tx.abort();
      await tx.done.catch(() => undefined);
      throw new MemoryRevisionError(plan.problems);
    }
    const revision: MemoryRevisionRecord = {
      id: this.newId(),
      origin: request.origin,
      summary: request.summary,
      createdAt: now,
      changes: plan.changes,
    };
    await allOrNothing(tx, async () => {
      for (const change of plan.changes) {
        if (change.after) await facts.put(change.after);
        else await facts.delete(change.factId);
      }
      await tx.objectStore("memoryRevisions").add(revision);
    });
    await tx.done;
    return revision;
  }

  /**
   * Puts back the state every fact had before the revision, in one transaction. Refused if a
   * fact it touched has changed since (a later revision or edit), so no later work is lost silently.
   */
  async undoRevision(id: string, now: number): Promise<UndoOutcome> {
    const tx = this.db.transaction(["facts", "memoryRevisions"], "readwrite");
    const revisions = tx.objectStore("memoryRevisions");
    const facts = tx.objectStore("facts");
    const revision = await revisions.get(id);
    let outcome: UndoOutcome;
    if (!revision) outcome = { ok: false, reason: "not_found" };
    else if (revision.undoneAt !== undefined) outcome = { ok: false, reason: "already_undone" };
    else {
      const currentFacts = await Promise.all(revision.changes.map((change) => facts.get(change.factId)));
      const conflicts = revision.changes
        .filter((change, index) => !sameContent(change.after, currentFacts[index]))
        .map((change) => change.factId);
      if (conflicts.length > 0) outcome = { ok: false, reason: "conflict", factIds: conflicts };
      else {
        const undone = { ...revision, undoneAt: now };
        await allOrNothing(tx, async () => {
          for (const change of revision.changes) {
            if (change.before) await facts.put(change.before);
            else await facts.delete(change.factId);
          }
          await revisions.put(undone);
        });
        outcome = { ok: true, revision: undone };
      }
    }
    await tx.done;
    return outcome;
  }

  /** Remembers one fact (`memory_save`, the memory view): a revision of its own, so it can be undone. */
  async saveFact(fact: FactInput, now: number): Promise<{ fact: FactRecord; revision: MemoryRevisionRecord }> {
    const revision = await this.applyRevision(
      { origin: fact.origin, summary: "Remembered a fact", operations: [{ op: "add", fact }] },
      now,
    );
    const saved = revision.changes[0]?.after;
    if (!saved) throw new Error("A saved fact is missing from its revision.");
    return { fact: saved, revision };
  }

  editFact(id: string, patch: FactPatch, origin: MemoryOrigin, now: number): Promise<MemoryRevisionRecord> {
    return this.applyRevision({ origin, summary: "Edited a fact", operations: [{ op: "update", id, patch }] }, now);
  }

  deleteFact(id: string, origin: MemoryOrigin, now: number): Promise<MemoryRevisionRecord> {
    return this.applyRevision({ origin, summary: "Forgot a fact", operations: [{ op: "retire", id }] }, now);
  }

  /**
   * Writes an import in one transaction: every fact as one revision (undone in one step, like a
   * dreaming run), the notes and the profile alongside, so a reload mid-way leaves all or nothing.
   * Unlike `applyRevision`, records keep their own ids and times: a round trip restores them exactly.
   * Notes and the profile are not part of the revision (revisions hold facts): undo leaves them.
   */
  async importWorkspace(request: ImportRequest, now: number): Promise<ImportOutcome> {
    const tx = this.db.transaction(["facts", "memoryRevisions", "notes", "profile"], "readwrite");
    const facts = tx.objectStore("facts");
    const currentFacts = await Promise.all(request.facts.map((fact) => facts.get(fact.id)));
    const changes = request.facts.flatMap((after, index) => {
      const before = currentFacts[index] ?? null;
      return sameContent(before, after) ? [] : [{ factId: after.id, before, after }];
    });
    const revision: MemoryRevisionRecord | undefined =
      changes.length > 0
        ? { id: this.newId(), origin: "import", summary: request.summary, createdAt: now, changes }
        : undefined;
    await allOrNothing(tx, async () => {
      for (const change of changes) await facts.put(change.after);
      if (revision) await tx.objectStore("memoryRevisions").add(revision);
      for (const note of request.notes) await tx.objectStore("notes").put(note);
      if (request.profile) await tx.objectStore("profile").put(request.profile, PROFILE_KEY);
    });
    await tx.done;
    const added = changes.filter((change) => change.before === null).length;
    return {
      revision,
      factsAdded: added,
      factsUpdated: changes.length - added,
      factsUnchanged: request.facts.length - changes.length,
      notesWritten: request.notes.length,
      profileWritten: request.profile !== undefined,
    };
  }

  /** Notes that a search returned these facts. Not a revision: recall changes no content. */
  async markRecalled(ids: readonly string[], now: number): Promise<void> {
    const tx = this.db.transaction("facts", "readwrite");
    for (const id of ids) {
      const fact = await tx.store.get(id);
      if (fact) await tx.store.put({ ...fact, lastRecalled: now });
    }
    await tx.done;
  }

  /**
   * Stores a fact's vector if the fact is still at the version it was computed from (`updated`);
   * returns false when the text has changed meanwhile, and the vector would describe old words.
   */
  async setEmbedding(id: string, embedding: FactEmbedding, updated: number): Promise<boolean> {
    const tx = this.db.transaction("facts", "readwrite");
    const fact = await tx.store.get(id);
    const current = fact?.updated === updated;
    if (fact && current) await tx.store.put({ ...fact, embedding });
    await tx.done;
    return current;
  }

  // Revisions

  getRevision(id: string): Promise<MemoryRevisionRecord | undefined> {
    return this.db.get("memoryRevisions", id);
  }

  /** Newest first. */
  async listRevisions(limit = 50): Promise<MemoryRevisionRecord[]> {
    const revisions: MemoryRevisionRecord[] = [];
    const tx = this.db.transaction("memoryRevisions");
    let cursor = await tx.store.index("byCreated").openCursor(null, "prev");
    while (cursor && revisions.length < limit) {
      revisions.push(cursor.value);
      cursor = await cursor.continue();
    }
    await tx.done;
    return revisions;
  }

  // Daily notes

  /** Appends to the log of the day `note.at` falls on in `timeZone`. */
  async addNote(note: NoteInput, timeZone: string): Promise<DailyNoteRecord> {
    const record: DailyNoteRecord = { id: this.newId(), day: dayKey(note.at, timeZone), ...note };
    await this.db.add("notes", record);
    return record;
  }

  /** One day's notes, oldest first. */
  notesOfDay(day: string): Promise<DailyNoteRecord[]> {
    return this.db.getAllFromIndex("notes", "byDay", dayRange(day, day));
  }

  /** Notes from day `from` to day `to`, both included, oldest first (what a dreaming run reads). */
  notesBetween(from: string, to: string): Promise<DailyNoteRecord[]> {
    return this.db.getAllFromIndex("notes", "byDay", dayRange(from, to));
  }

  deleteNote(id: string): Promise<void> {
    return this.db.delete("notes", id);
  }

  // Profile

  getProfile(): Promise<UserProfileRecord | undefined> {
    return this.db.get("profile", PROFILE_KEY);
  }

  async setProfile(text: string, now: number): Promise<UserProfileRecord> {
    const profile: UserProfileRecord = { text, updated: now };
    await this.db.put("profile", profile, PROFILE_KEY);
    return profile;
  }
}
