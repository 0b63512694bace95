/**
 * From the files of a workspace (a zip's entries or a picked folder) to the records an import
 * writes, with a report per file. Pure: the archive and the store are handled elsewhere. A file
 * that cannot be read is reported and left out; it never stops the others.
 */
import type { DailyNoteRecord, FactRecord, UserProfileRecord } from "../store/memory-record";
import { sameContent } from "./fact-operation";
import {
  MEMORY_FILE,
  NOTES_FOLDER,
  USER_FILE,
  parseMemoryFile,
  parseNotesFile,
  parseUserFile,
  type ReadFact,
  type ReadNote,
} from "./workspace-format";

export interface WorkspaceFile {
  /** Relative to the zip or the picked folder, e.g. "workspace/memory/2026-05-01.md". */
  path: string;
  /** Undefined when the file was not read: too large, or not Markdown. */
  bytes: Uint8Array | undefined;
}

export type FileRole = "memory" | "notes" | "profile" | "ignored";

export interface FileReport {
  path: string;
  role: FileRole;
  facts: number;
  notes: number;
  profile: boolean;
  /** Lines or whole files that could not be read, or why the file was left out. */
  problems: string[];
}

export interface WorkspaceContents {
  facts: ReadFact[];
  notes: ReadNote[];
  profile?: { text: string; updated?: number };
  files: FileReport[];
}

const NOTES_NAME = /^(\d{4}-\d{2}-\d{2})\.md$/;

function normalisePath(path: string): string {
  return path.replace(/\\/g, "/").replace(/^(?:\.\/|\/)+/, "");
}

/** Folders, hidden files and the resource forks macOS adds to zips: not the user's files. */
function isNoise(path: string): boolean {
  return (
    path === "" || path.endsWith("/") || path.split("/").some((part) => part.startsWith(".") || part === "__MACOSX")
  );
}

/** What a file is in the workspace layout, wherever the workspace sits inside the zip or folder. */
function roleOf(path: string): { role: FileRole; day?: string; why?: string } {
  const parts = path.split("/");
  const name = parts.at(-1) ?? "";
  const folder = parts.at(-2) ?? "";
  if (name.toUpperCase() === MEMORY_FILE.toUpperCase()) return { role: "memory" };
  if (name.toUpperCase() === USER_FILE.toUpperCase()) return { role: "profile" };
  if (folder.toLowerCase() === NOTES_FOLDER) {
    const day = NOTES_NAME.exec(name)?.[1];
    if (day) return { role: "notes", day };
    return { role: "ignored", why: "Left out: files in memory/ are read only when named YYYY-MM-DD.md." };
  }
  return {
    role: "ignored",
    why: `Left out: Tabclaw's memory is ${MEMORY_FILE}, ${NOTES_FOLDER}/YYYY-MM-DD.md and ${USER_FILE}.`,
  };
}

function decode(bytes: Uint8Array): string {
  return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
}

/** Reads every file it recognises; duplicates and unreadable files are reported per file. */
export function readWorkspace(files: readonly WorkspaceFile[], timeZone: string): WorkspaceContents {
  const contents: WorkspaceContents = { facts: [], notes: [], files: [] };
  const seenRoles = new Map<string, string>();
  const factIds = new Set<string>();
  const noteIds = new Set<string>();
  const sorted = [...files]
    .map((file) => ({ ...file, path: normalisePath(file.path) }))
    .sort((a, b) => a.path.localeCompare(b.path));
  for (const file of sorted) {
    if (isNoise(file.path)) continue;
    const { role, day, why } = roleOf(file.path);
    const report: FileReport = { path: file.path, role, facts: 0, notes: 0, profile: false, problems: [] };
    contents.files.push(report);
    if (why !== undefined) {
      report.problems.push(why);
      continue;
    }
    const key = role === "notes" ? `notes:${day ?? ""}` : role;
    const earlier = seenRoles.get(key);
    if (earlier !== undefined) {
      report.role = "ignored";
      report.problems.push(`Left out: ${earlier} was read for the same part of memory.`);
      continue;
    }
    seenRoles.set(key, file.path);
    if (file.bytes === undefined) {
      report.problems.push("Left out: the file is larger than Tabclaw reads (10 MB).");
      continue;
    }
    let text: string;
    try {
      text = decode(file.bytes);
    } catch {
      report.problems.push("This file is not UTF-8 text; nothing was read from it.");
      continue;
    }
    try {
      if (role === "memory") {
        const read = parseMemoryFile(text, file.path);
        report.problems.push(...read.problems);
        for (const fact of read.records) {
          if (fact.id !== undefined && factIds.has(fact.id)) {
            report.problems.push(`Line ${fact.line}: a fact with the same id appeared earlier; left out.`);
            continue;
          }
          if (fact.id !== undefined) factIds.add(fact.id);
          contents.facts.push(fact);
          report.facts += 1;
        }
      } else if (role === "notes" && day !== undefined) {
        const read = parseNotesFile(day, text, timeZone, file.path);
        report.problems.push(...read.problems);
        for (const note of read.records) {
          if (note.id !== undefined && noteIds.has(note.id)) {
            report.problems.push(`Line ${note.line}: a note with the same id appeared earlier; left out.`);
            continue;
          }
          if (note.id !== undefined) noteIds.add(note.id);
          contents.notes.push(note);
          report.notes += 1;
        }
      } else if (role === "profile") {
        contents.profile = parseUserFile(text);
        report.profile = true;
      }
    } catch (error) {
      report.problems.push(`This file could not be read: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return contents;
}

/** What an import writes, after leaving out what memory already holds. */
export interface ImportPlan {
  facts: FactRecord[];
  notes: DailyNoteRecord[];
  profile?: UserProfileRecord;
  /** Hand-written facts and notes whose text memory already holds, and unchanged records. */
  alreadyKnown: { facts: number; notes: number };
}

export interface CurrentMemory {
  facts: readonly FactRecord[];
  notes: readonly DailyNoteRecord[];
  profile?: UserProfileRecord;
}

function sameNote(a: DailyNoteRecord, b: DailyNoteRecord): boolean {
  return (
    a.id === b.id &&
    a.day === b.day &&
    a.at === b.at &&
    a.text === b.text &&
    a.origin === b.origin &&
    JSON.stringify(a.provenance) === JSON.stringify(b.provenance)
  );
}

/**
 * Records with an id (exported by Tabclaw) replace the record with that id, keeping every field;
 * hand-written ones get a fresh id and the import's time, unless memory already holds their text
 * (importing the same hand-written file twice adds nothing). A fact whose text is unchanged keeps
 * its embedding: the vector still describes it.
 */
export function planImport(
  contents: WorkspaceContents,
  current: CurrentMemory,
  now: number,
  newId: () => string = () => crypto.randomUUID(),
): ImportPlan {
  const plan: ImportPlan = { facts: [], notes: [], alreadyKnown: { facts: 0, notes: 0 } };
  const factsById = new Map(current.facts.map((fact) => [fact.id, fact]));
  const factTexts = new Set(current.facts.map((fact) => fact.text));
  for (const read of contents.facts) {
    const existing = read.id !== undefined ? factsById.get(read.id) : undefined;
    if (read.id === undefined && factTexts.has(read.text)) {
      plan.alreadyKnown.facts += 1;
      continue;
    }
    factTexts.add(read.text);
    const fact: FactRecord = {
      id: read.id ?? newId(),
      text: read.text,
      origin: read.origin,
      source: read.source,
      provenance: read.provenance,
      importance: read.importance,
      pinned: read.pinned,
      created: read.created ?? now,
      updated: read.updated ?? now,
      ...(read.lastRecalled !== undefined ? { lastRecalled: read.lastRecalled } : {}),
      ...(existing?.embedding && existing.text === read.text ? { embedding: existing.embedding } : {}),
    };
    if (sameContent(existing, fact)) plan.alreadyKnown.facts += 1;
    else plan.facts.push(fact);
  }
  const notesById = new Map(current.notes.map((note) => [note.id, note]));
  const noteTexts = new Set(current.notes.map((note) => `${note.day}\n${note.text}`));
  for (const read of contents.notes) {
    const key = `${read.day}\n${read.text}`;
    if (read.id === undefined && noteTexts.has(key)) {
      plan.alreadyKnown.notes += 1;
      continue;
    }
    noteTexts.add(key);
    const note: DailyNoteRecord = {
      id: read.id ?? newId(),
      day: read.day,
      at: read.at,
      text: read.text,
      origin: read.origin,
      provenance: read.provenance,
    };
    const existing = notesById.get(note.id);
    if (existing && sameNote(existing, note)) plan.alreadyKnown.notes += 1;
    else plan.notes.push(note);
  }
  if (contents.profile && contents.profile.text !== current.profile?.text) {
    plan.profile = { text: contents.profile.text, updated: contents.profile.updated ?? now };
  }
  return plan;
}
