import { MEMORY_CHANNEL, type MemoryChangedMessage } from "../memory/memory-channel";
import { MemoryRevisionError, type ImportOutcome, type MemoryStore } from "../memory/memory-store";
import { compareFacts } from "../memory/workspace-format";
import { planImport, readWorkspace, type FileReport, type WorkspaceFile } from "../memory/workspace-import";
import type {
  DailyNoteRecord,
  FactRecord,
  Importance,
  MemoryRevisionRecord,
  UserProfileRecord,
} from "../store/memory-record";
import { Observable } from "./observable";

/** Hearing and telling that memory changed elsewhere; a BroadcastChannel in the app, a double in tests. */
export interface MemoryChangePort {
  listen(onChange: () => void): () => void;
  announce(): void;
}

export function broadcastMemoryChanges(name = MEMORY_CHANNEL): MemoryChangePort {
  if (typeof BroadcastChannel === "undefined") return { listen: () => () => undefined, announce: () => undefined };
  const channel = new BroadcastChannel(name);
  return {
    listen(onChange) {
      const listener = (event: MessageEvent<unknown>): void => {
        const data = event.data;
        if (typeof data === "object" && data !== null && (data as { type?: unknown }).type === "changed") onChange();
      };
      channel.addEventListener("message", listener);
      return () => channel.removeEventListener("message", listener);
    },
    announce() {
      const message: MemoryChangedMessage = { type: "changed" };
      channel.postMessage(message);
    },
  };
}

/** The outcome of the last change, for the view's status line; `revisionId` when it can be undone. */
export interface MemoryNotice {
  kind: "done" | "error";
  text: string;
  revisionId?: string;
}

export interface ImportReport {
  /** The zip's name or the folder's. */
  source: string;
  files: FileReport[];
  outcome?: ImportOutcome;
  alreadyKnown: { facts: number; notes: number };
}

/** The workspace as the export writes it: a file name and its bytes. */
export interface WorkspaceExport {
  filename: string;
  bytes: Uint8Array<ArrayBuffer>;
}

export interface MemoryControllerOptions {
  now?: () => number;
  timeZone?: string;
  changes?: MemoryChangePort;
  newId?: () => string;
}

const FIRST_DAY = "0000-01-01";
const LAST_DAY = "9999-12-31";

const plural = (count: number, one: string, many = `${one}s`): string => `${count} ${count === 1 ? one : many}`;

function quote(text: string): string {
  return text.length > 60 ? `“${text.slice(0, 57)}…”` : `“${text}”`;
}

function problemText(error: unknown): string {
  if (error instanceof MemoryRevisionError) return error.problems.join(" ");
  return error instanceof Error ? error.message : String(error);
}

export function describeImport(report: ImportReport): string {
  const outcome = report.outcome;
  if (!outcome) return `Nothing was imported from ${report.source}.`;
  const parts = [
    `${plural(outcome.factsAdded, "fact")} added`,
    `${outcome.factsUpdated} updated`,
    `${report.alreadyKnown.facts + outcome.factsUnchanged} already known`,
    `${plural(outcome.notesWritten, "note")} written`,
  ];
  if (outcome.profileWritten) parts.push("profile replaced");
  return `Imported from ${report.source}: ${parts.join(", ")}.`;
}

/**
 * The memory view's state: facts (pinned first, then the most recently changed), daily notes by
 * day, the profile, a search filter, and export and import. Every change to a fact goes through
 * `MemoryStore` as a revision, so the view can offer to undo it; other tabs and the agent worker
 * hear of every change on the "tabclaw-memory" channel, and so does this controller.
 */
export class MemoryController extends Observable {
  #facts: FactRecord[] = [];
  #notes: DailyNoteRecord[] = [];
  #profile: UserProfileRecord | undefined;
  #loaded = false;
  #error: string | undefined;
  #query = "";
  #notice: MemoryNotice | undefined;
  #busy = false;
  #lastImport: ImportReport | undefined;
  #generation = 0;
  readonly #now: () => number;
  readonly #timeZone: string;
  readonly #changes: MemoryChangePort;
  readonly #newId: () => string;

  constructor(
    private readonly store: MemoryStore,
    options: MemoryControllerOptions = {},
  ) {
    super();
    this.#now = options.now ?? (() => Date.now());
    this.#timeZone = options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
    this.#changes = options.changes ?? broadcastMemoryChanges();
    this.#newId = options.newId ?? (() => crypto.randomUUID());
    this.#changes.listen(() => void this.refresh());
  }

  get loaded(): boolean {
    return this.#loaded;
  }

  /** Why memory could not be read. */
  get error(): string | undefined {
    return this.#error;
  }

  get busy(): boolean {
    return this.#busy;
  }

  get notice(): MemoryNotice | undefined {
    return this.#notice;
  }

  get lastImport(): ImportReport | undefined {
    return this.#lastImport;
  }

  get timeZone(): string {
    return this.#timeZone;
  }

  get query(): string {
    return this.#query;
  }

  /** Every fact, before the search filter. */
  get factCount(): number {
    return this.#facts.length;
  }

  get noteCount(): number {
    return this.#notes.length;
  }

  /** The facts matching the search (all without one): pinned first, then the most recently changed. */
  get facts(): readonly FactRecord[] {
    const query = this.#query.trim().toLowerCase();
    if (query === "") return this.#facts;
    return this.#facts.filter((fact) =>
      [
        fact.text,
        fact.source,
        fact.origin,
        ...(fact.provenance.trust === "untrusted" ? fact.provenance.sources : []),
      ].some((field) => field.toLowerCase().includes(query)),
    );
  }

  /** Days with notes matching the search (all without one), newest first, each day's notes oldest first. */
  get notesByDay(): readonly { day: string; notes: DailyNoteRecord[] }[] {
    const query = this.#query.trim().toLowerCase();
    const days = new Map<string, DailyNoteRecord[]>();
    for (const note of this.#notes) {
      if (query !== "" && !note.text.toLowerCase().includes(query)) continue;
      const list = days.get(note.day) ?? [];
      list.push(note);
      days.set(note.day, list);
    }
    return [...days.entries()]
      .sort(([a], [b]) => b.localeCompare(a))
      .map(([day, notes]) => ({ day, notes: notes.sort((a, b) => a.at - b.at) }));
  }

  get profile(): UserProfileRecord | undefined {
    return this.#profile;
  }

  setQuery(query: string): void {
    this.#query = query;
    this.changed();
  }

  async refresh(): Promise<void> {
    const generation = ++this.#generation;
    try {
      const [facts, notes, profile] = await Promise.all([
        this.store.listFacts(),
        this.store.notesBetween(FIRST_DAY, LAST_DAY),
        this.store.getProfile(),
      ]);
      if (generation !== this.#generation) return;
      this.#facts = facts.sort(compareFacts);
      this.#notes = notes;
      this.#profile = profile;
      this.#loaded = true;
      this.#error = undefined;
    } catch (error) {
      if (generation !== this.#generation) return;
      this.#error = `Memory could not be read: ${problemText(error)}`;
    }
    this.changed();
  }

  editFact(id: string, edit: { text: string; importance: Importance }): Promise<boolean> {
    return this.#revise(
      () => this.store.editFact(id, edit, "user", this.#now()),
      (revision) => `Saved ${quote(revision.changes[0]?.after?.text ?? edit.text)}.`,
    );
  }

  setPinned(id: string, pinned: boolean): Promise<boolean> {
    return this.#revise(
      () => this.store.editFact(id, { pinned }, "user", this.#now()),
      (revision) => `${pinned ? "Pinned" : "Unpinned"} ${quote(revision.changes[0]?.after?.text ?? "")}.`,
    );
  }

  deleteFact(id: string): Promise<boolean> {
    return this.#revise(
      () => this.store.deleteFact(id, "user", this.#now()),
      (revision) => `Forgot ${quote(revision.changes[0]?.before?.text ?? "")}.`,
    );
  }

  /** Puts back what a revision changed; refused if a fact has changed since. */
  async undo(revisionId: string): Promise<void> {
    await this.#run(async () => {
      const outcome = await this.store.undoRevision(revisionId, this.#now());
      if (outcome.ok) return { kind: "done", text: `Undone: ${outcome.revision.summary.toLowerCase()}.` };
      const why = {
        not_found: "that change is no longer recorded.",
        already_undone: "it was undone already.",
        conflict: "a fact it touched has changed since. Undo the later change first.",
      }[outcome.reason];
      return { kind: "error", text: `This change cannot be undone: ${why}` };
    });
  }

  async saveProfile(text: string): Promise<void> {
    await this.#run(async () => {
      await this.store.setProfile(text, this.#now());
      return { kind: "done", text: "Profile saved." };
    });
  }

  /** The whole memory as a zip in the workspace layout (embeddings are left out); undefined if it failed. */
  async exportWorkspace(): Promise<WorkspaceExport | undefined> {
    try {
      const [archive, facts, notes, profile] = await Promise.all([
        import("../memory/workspace-archive"),
        this.store.listFacts(),
        this.store.notesBetween(FIRST_DAY, LAST_DAY),
        this.store.getProfile(),
      ]);
      const now = this.#now();
      const bytes = archive.workspaceZip({ facts, notes, ...(profile ? { profile } : {}) }, this.#timeZone, now);
      this.#notice = {
        kind: "done",
        text: `Exported ${plural(facts.length, "fact")} and ${plural(notes.length, "note")}.`,
      };
      return { filename: archive.exportFileName(now, this.#timeZone), bytes };
    } catch (error) {
      this.#notice = { kind: "error", text: `The export failed: ${problemText(error)}` };
      return undefined;
    } finally {
      this.changed();
    }
  }

  /** Imports a zip in the workspace layout. A zip that cannot be opened is reported, not thrown. */
  async importZip(file: Blob, name: string): Promise<ImportReport> {
    const { unzipWorkspace } = await import("../memory/workspace-archive");
    let files: WorkspaceFile[];
    try {
      files = unzipWorkspace(new Uint8Array(await file.arrayBuffer()));
    } catch (error) {
      const report: ImportReport = {
        source: name,
        files: [
          {
            path: name,
            role: "ignored",
            facts: 0,
            notes: 0,
            profile: false,
            problems: [`This is not a zip file Tabclaw can open (${problemText(error)}).`],
          },
        ],
        alreadyKnown: { facts: 0, notes: 0 },
      };
      return this.#reported(report, "error");
    }
    return this.importFiles(files, name);
  }

  /** Imports the files of a picked workspace folder. */
  async importFolder(files: readonly File[]): Promise<ImportReport> {
    const { folderWorkspace } = await import("../memory/workspace-archive");
    const name = files[0]?.webkitRelativePath.split("/")[0] || "the folder";
    return this.importFiles(await folderWorkspace(files), name);
  }

  /** Reads the files, leaves out what memory holds already, and writes the rest as one revision. */
  async importFiles(files: readonly WorkspaceFile[], source: string): Promise<ImportReport> {
    this.#busy = true;
    this.changed();
    const contents = readWorkspace(files, this.#timeZone);
    const report: ImportReport = { source, files: contents.files, alreadyKnown: { facts: 0, notes: 0 } };
    try {
      if (contents.files.every((file) => file.role === "ignored")) {
        return this.#reported(
          report,
          "error",
          `Nothing in ${source} is part of a memory workspace (MEMORY.md, memory/YYYY-MM-DD.md, USER.md).`,
        );
      }
      const [facts, notes, profile] = await Promise.all([
        this.store.listFacts(),
        this.store.notesBetween(FIRST_DAY, LAST_DAY),
        this.store.getProfile(),
      ]);
      const now = this.#now();
      const plan = planImport(contents, { facts, notes, ...(profile ? { profile } : {}) }, now, this.#newId);
      report.alreadyKnown = plan.alreadyKnown;
      report.outcome = await this.store.importWorkspace(
        {
          summary: `Imported ${source}`,
          facts: plan.facts,
          notes: plan.notes,
          ...(plan.profile ? { profile: plan.profile } : {}),
        },
        now,
      );
      this.#changes.announce();
      await this.refresh();
      return this.#reported(report, "done", undefined, report.outcome.revision?.id);
    } catch (error) {
      return this.#reported(report, "error", `The import was not applied: ${problemText(error)}`);
    } finally {
      this.#busy = false;
      this.changed();
    }
  }

  #reported(report: ImportReport, kind: MemoryNotice["kind"], text?: string, revisionId?: string): ImportReport {
    this.#lastImport = report;
    const problems = report.files.reduce((count, file) => count + file.problems.length, 0);
    const suffix = problems > 0 ? ` ${plural(problems, "problem")} reported below.` : "";
    this.#notice = {
      kind,
      text: (text ?? describeImport(report)) + suffix,
      ...(revisionId !== undefined ? { revisionId } : {}),
    };
    this.changed();
    return report;
  }

  /** A change to facts: its revision can be undone from the status line. */
  #revise(
    work: () => Promise<MemoryRevisionRecord>,
    describe: (revision: MemoryRevisionRecord) => string,
  ): Promise<boolean> {
    return this.#run(async () => {
      const revision = await work();
      return { kind: "done", text: describe(revision), revisionId: revision.id };
    });
  }

  async #run(work: () => Promise<MemoryNotice>): Promise<boolean> {
    this.#busy = true;
    this.changed();
    try {
      this.#notice = await work();
      if (this.#notice.kind === "done") this.#changes.announce();
    } catch (error) {
      this.#notice = { kind: "error", text: `Not saved: ${problemText(error)}` };
    } finally {
      this.#busy = false;
    }
    await this.refresh();
    return this.#notice.kind === "done";
  }
}
