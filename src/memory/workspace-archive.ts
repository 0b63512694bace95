/**
 * The workspace as bytes: a zip (fflate) for export and import, and a picked folder's files for
 * import. The Markdown itself is written and read by `workspace-format.ts`.
 */
import { strToU8, unzipSync, zipSync, type Zippable } from "fflate";
import { dayKey } from "../core/agent/local-day";
import type { DailyNoteRecord, FactRecord, UserProfileRecord } from "../store/memory-record";
import {
  MEMORY_FILE,
  USER_FILE,
  notesPath,
  renderMemoryFile,
  renderNotesFile,
  renderUserFile,
} from "./workspace-format";
import type { WorkspaceFile } from "./workspace-import";

/** Larger files are not memory a person wrote; reading them whole would only strain the tab. */
export const MAX_FILE_BYTES = 10_000_000;

export interface MemorySnapshot {
  facts: readonly FactRecord[];
  notes: readonly DailyNoteRecord[];
  profile?: UserProfileRecord;
}

/** Path → Markdown of every file in the workspace: `MEMORY.md` always, a file per day of notes, `USER.md` if set. */
export function workspaceFiles(snapshot: MemorySnapshot, timeZone: string): Map<string, string> {
  const files = new Map<string, string>([[MEMORY_FILE, renderMemoryFile(snapshot.facts)]]);
  const days = new Map<string, DailyNoteRecord[]>();
  for (const note of snapshot.notes) {
    const list = days.get(note.day) ?? [];
    list.push(note);
    days.set(note.day, list);
  }
  for (const day of [...days.keys()].sort())
    files.set(notesPath(day), renderNotesFile(day, days.get(day) ?? [], timeZone));
  if (snapshot.profile) files.set(USER_FILE, renderUserFile(snapshot.profile));
  return files;
}

/** The workspace as a zip, files at its root, with their times set to `now`. */
export function workspaceZip(snapshot: MemorySnapshot, timeZone: string, now: number): Uint8Array<ArrayBuffer> {
  const entries: Zippable = {};
  for (const [path, text] of workspaceFiles(snapshot, timeZone)) entries[path] = strToU8(text);
  // Zip stores times as MS-DOS dates, which only reach from 1980 to 2099.
  const mtime = Math.min(Math.max(now, Date.UTC(1980, 0, 2)), Date.UTC(2099, 11, 30));
  return zipSync(entries, { level: 6, mtime });
}

export function exportFileName(now: number, timeZone: string): string {
  return `tabclaw-memory-${dayKey(now, timeZone)}.zip`;
}

/** A zip's files (not its folders); entries over `MAX_FILE_BYTES` come without bytes. Throws if it is no zip. */
export function unzipWorkspace(bytes: Uint8Array): WorkspaceFile[] {
  const tooLarge: string[] = [];
  const entries = unzipSync(bytes, {
    filter: (file) => {
      if (file.originalSize <= MAX_FILE_BYTES) return true;
      tooLarge.push(file.name);
      return false;
    },
  });
  return [
    ...Object.entries(entries).map(([path, data]) => ({ path, bytes: data })),
    ...tooLarge.map((path) => ({ path, bytes: undefined })),
  ];
}

/** The files of a folder picked with `webkitdirectory`; only Markdown is read. */
export async function folderWorkspace(files: readonly File[]): Promise<WorkspaceFile[]> {
  return Promise.all(
    files.map(async (file) => {
      const path = file.webkitRelativePath || file.name;
      const read = /\.md$/i.test(path) && file.size <= MAX_FILE_BYTES;
      return { path, bytes: read ? new Uint8Array(await file.arrayBuffer()) : undefined };
    }),
  );
}
