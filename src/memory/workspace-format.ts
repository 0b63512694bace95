/**
 * The OpenClaw workspace files as Tabclaw writes and reads them: `MEMORY.md` (one fact per list
 * item), `memory/YYYY-MM-DD.md` (one note per list item) and `USER.md` (the profile as written).
 * A person reads the text; what Tabclaw needs to restore a record exactly (id, importance, pin,
 * origin, source, trust, times) follows each item in an HTML comment, which Markdown viewers hide.
 * Hand-written files without those comments are read too. Pure: no DOM, no IndexedDB.
 */
import { dayKey, formatLocalTime, nextDayStart } from "../core/agent/local-day";
import type {
  DailyNoteRecord,
  FactRecord,
  Importance,
  MemoryOrigin,
  MemoryProvenance,
  UserProfileRecord,
} from "../store/memory-record";
import { DEFAULT_IMPORTANCE, TRUSTED, factTextProblem, isImportance, normaliseFactText } from "./fact-rules";

export const MEMORY_FILE = "MEMORY.md";
export const USER_FILE = "USER.md";
export const NOTES_FOLDER = "memory";

export function notesPath(day: string): string {
  return `${NOTES_FOLDER}/${day}.md`;
}

const META_OPEN = "<!-- tabclaw: ";
const META_CLOSE = " -->";
const MEMORY_ORIGINS: readonly MemoryOrigin[] = ["user", "chat", "compaction", "dreaming", "import"];
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A fact as read from `MEMORY.md`. Hand-written lines have no id or times: the import gives them. */
export interface ReadFact {
  line: number;
  text: string;
  id?: string;
  importance: Importance;
  pinned: boolean;
  origin: MemoryOrigin;
  source: string;
  provenance: MemoryProvenance;
  created?: number;
  updated?: number;
  lastRecalled?: number;
}

/** A note as read from `memory/YYYY-MM-DD.md`; `id` is missing on hand-written lines. */
export interface ReadNote {
  line: number;
  id?: string;
  day: string;
  at: number;
  text: string;
  origin: MemoryOrigin;
  provenance: MemoryProvenance;
}

export interface ReadFile<T> {
  records: T[];
  /** What could not be read, each naming its line; the rest of the file is still read. */
  problems: string[];
}

// Metadata comments

/**
 * `<` and `>` can only occur inside JSON strings, where their \u escapes mean the same: the comment
 * can then never contain "-->" (which would end it early) or another comment's opening.
 */
function metaComment(value: Record<string, unknown>): string {
  const json = JSON.stringify(value).replace(/</g, "\\u003c").replace(/>/g, "\\u003e");
  return `${META_OPEN}${json}${META_CLOSE}`;
}

/** An item's visible text and its metadata comment's JSON, if it ends with one. */
function splitMeta(text: string): { body: string; meta?: string } {
  if (!text.endsWith(META_CLOSE)) return { body: text };
  const start = text.lastIndexOf(META_OPEN);
  if (start < 0) return { body: text };
  const body = text.slice(0, start);
  return {
    body: body.endsWith(" ") ? body.slice(0, -1) : body,
    meta: text.slice(start + META_OPEN.length, -META_CLOSE.length),
  };
}

function parseMeta(json: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function isOrigin(value: unknown): value is MemoryOrigin {
  return MEMORY_ORIGINS.some((origin) => origin === value);
}

function readProvenance(value: unknown): MemoryProvenance | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (record.trust === "trusted") return TRUSTED;
  if (record.trust !== "untrusted" || !Array.isArray(record.sources)) return undefined;
  const sources = record.sources.filter((source): source is string => typeof source === "string" && source !== "");
  return sources.length === record.sources.length ? { trust: "untrusted", sources } : undefined;
}

function readTime(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/**
 * A damaged comment says the item came from Tabclaw, but no longer whether it was trusted; it is
 * read as untrusted, naming the file, rather than gaining a trust it may never have had.
 */
function damagedProvenance(path: string): MemoryProvenance {
  return { trust: "untrusted", sources: [`import:${path}`] };
}

// Blocks: list items and paragraphs

interface Block {
  line: number;
  text: string;
}

const ITEM = /^ {0,3}(?:[-*+]|\d{1,9}[.)])(?: |$)/;
const SKIPPED = [
  /^ {0,3}#{1,6}(?:\s|$)/, // headings
  /^ {0,3}>/, // quotes
  /^ {0,3}([-*_])(?: *\1){2,} *$/, // rules
  /^\s*<!--.*-->\s*$/, // one-line comments
];

const isBlank = (line: string): boolean => line.trim() === "";
const isIndented = (line: string): boolean => /^(?: {2}|\t)/.test(line);

/**
 * Splits Markdown into list items and paragraphs, skipping headings, quotes, rules and comments.
 * An item continues over lines indented by two spaces (blank lines inside it included).
 */
function blocksOf(markdown: string): Block[] {
  const lines = markdown
    .replace(/^\uFEFF/, "")
    .replace(/\r\n?/g, "\n")
    .split("\n");
  const blocks: Block[] = [];
  let index = 0;
  while (index < lines.length) {
    const line = lines[index] ?? "";
    if (isBlank(line) || SKIPPED.some((pattern) => pattern.test(line))) {
      index += 1;
      continue;
    }
    if (/^\s*<!--/.test(line)) {
      // A comment over several lines: skip to its end.
      while (index < lines.length && !(lines[index] ?? "").includes("-->")) index += 1;
      index += 1;
      continue;
    }
    const item = ITEM.exec(line);
    const start = index;
    const parts: string[] = [];
    if (item) {
      const indent = Math.max(item[0].length, 2);
      parts.push(line.slice(item[0].length));
      index += 1;
      while (index < lines.length) {
        const next = lines[index] ?? "";
        if (isIndented(next)) {
          const spaces = /^ */.exec(next)?.[0].length ?? 0;
          parts.push(spaces > 0 ? next.slice(Math.min(spaces, indent)) : next.slice(1));
          index += 1;
        } else if (isBlank(next)) {
          let ahead = index;
          while (ahead < lines.length && isBlank(lines[ahead] ?? "")) ahead += 1;
          if (ahead >= lines.length || !isIndented(lines[ahead] ?? "")) break;
          for (; index < ahead; index += 1) parts.push("");
        } else break;
      }
    } else {
      while (index < lines.length) {
        const next = lines[index] ?? "";
        if (isBlank(next) || ITEM.test(next) || SKIPPED.some((pattern) => pattern.test(next))) break;
        parts.push(next);
        index += 1;
      }
    }
    blocks.push({ line: start + 1, text: parts.join("\n") });
  }
  return blocks;
}

// MEMORY.md

function factMeta(fact: FactRecord): Record<string, unknown> {
  return {
    id: fact.id,
    importance: fact.importance,
    pinned: fact.pinned,
    origin: fact.origin,
    source: fact.source,
    provenance: fact.provenance,
    created: fact.created,
    updated: fact.updated,
    ...(fact.lastRecalled !== undefined ? { lastRecalled: fact.lastRecalled } : {}),
  };
}

function factLine(fact: FactRecord): string {
  const line = `- ${fact.text} ${metaComment(factMeta(fact))}`;
  // Whatever the text holds, reading the line back must give it exactly; if not, the comment carries it.
  const back = parseMemoryFile(line).records[0];
  return back?.text === fact.text ? line : `- ${fact.text} ${metaComment({ ...factMeta(fact), text: fact.text })}`;
}

/** Pinned first, then the most recently changed: the order the memory view shows. */
export function compareFacts(a: FactRecord, b: FactRecord): number {
  if (a.pinned !== b.pinned) return a.pinned ? -1 : 1;
  return b.updated - a.updated || a.id.localeCompare(b.id);
}

export function renderMemoryFile(facts: readonly FactRecord[]): string {
  const sorted = [...facts].sort(compareFacts);
  const pinned = sorted.filter((fact) => fact.pinned);
  const rest = sorted.filter((fact) => !fact.pinned);
  const out = [
    "# Long-term memory",
    "",
    "<!-- Exported by Tabclaw: one fact per item. The comment after each fact holds its id, importance, pin, " +
      "origin, source, trust and times, so importing this file restores them; lines without one are read as " +
      "new facts of yours. Embeddings are not exported: Tabclaw computes them again. -->",
    "",
  ];
  if (pinned.length > 0) out.push("## Pinned", "", ...pinned.map(factLine), "");
  if (rest.length > 0) out.push("## Facts", "", ...rest.map(factLine), "");
  return out.join("\n");
}

function readFact(block: Block, path: string, problems: string[]): ReadFact | undefined {
  const { body, meta } = splitMeta(block.text);
  const where = `Line ${block.line}`;
  const handWritten: ReadFact = {
    line: block.line,
    text: normaliseFactText(body),
    importance: DEFAULT_IMPORTANCE,
    pinned: false,
    origin: "import",
    source: path,
    provenance: TRUSTED,
  };
  let fact = handWritten;
  if (meta !== undefined) {
    const fields = parseMeta(meta);
    if (!fields) {
      problems.push(`${where}: its Tabclaw comment could not be read; the fact was read as untrusted.`);
      fact = { ...handWritten, provenance: damagedProvenance(path) };
    } else {
      const provenance = readProvenance(fields.provenance);
      if (!provenance) problems.push(`${where}: its trust could not be read; the fact was read as untrusted.`);
      if (fields.importance !== undefined && !isImportance(fields.importance)) {
        problems.push(`${where}: importance ${JSON.stringify(fields.importance)} is not 1–5; 3 was used.`);
      }
      fact = {
        line: block.line,
        text: normaliseFactText(typeof fields.text === "string" ? fields.text : body),
        importance: isImportance(fields.importance) ? fields.importance : DEFAULT_IMPORTANCE,
        pinned: fields.pinned === true,
        origin: isOrigin(fields.origin) ? fields.origin : "import",
        source: typeof fields.source === "string" ? fields.source : path,
        provenance: provenance ?? damagedProvenance(path),
        ...(typeof fields.id === "string" && fields.id !== "" ? { id: fields.id } : {}),
        ...optionalTimes(fields),
      };
    }
  }
  const problem = factTextProblem(fact.text);
  if (problem) {
    problems.push(`${where}: ${problem}`);
    return undefined;
  }
  return fact;
}

function optionalTimes(fields: Record<string, unknown>): Pick<ReadFact, "created" | "updated" | "lastRecalled"> {
  const created = readTime(fields.created);
  const updated = readTime(fields.updated);
  const lastRecalled = readTime(fields.lastRecalled);
  return {
    ...(created !== undefined ? { created } : {}),
    ...(updated !== undefined ? { updated } : {}),
    ...(lastRecalled !== undefined ? { lastRecalled } : {}),
  };
}

/** Every list item and paragraph of `MEMORY.md` as a fact; a line that cannot be one is reported, not fatal. */
export function parseMemoryFile(markdown: string, path = MEMORY_FILE): ReadFile<ReadFact> {
  const problems: string[] = [];
  const records: ReadFact[] = [];
  for (const block of blocksOf(markdown)) {
    const fact = readFact(block, path, problems);
    if (fact) records.push(fact);
  }
  return { records, problems };
}

// memory/YYYY-MM-DD.md

function noteMeta(note: DailyNoteRecord): Record<string, unknown> {
  return { id: note.id, at: note.at, origin: note.origin, provenance: note.provenance };
}

function noteItem(note: DailyNoteRecord, timeZone: string, meta: Record<string, unknown>): string {
  const lines = `${formatLocalTime(note.at, timeZone)} ${note.text} ${metaComment(meta)}`.split("\n");
  return lines.map((line, index) => (index === 0 ? `- ${line}` : line === "" ? "" : `  ${line}`)).join("\n");
}

function noteLines(note: DailyNoteRecord, timeZone: string): string {
  const item = noteItem(note, timeZone, noteMeta(note));
  const back = parseNotesFile(note.day, item, timeZone).records[0];
  return back?.text === note.text ? item : noteItem(note, timeZone, { ...noteMeta(note), text: note.text });
}

/** One day's log, oldest first, each entry with its local time. */
export function renderNotesFile(day: string, notes: readonly DailyNoteRecord[], timeZone: string): string {
  const sorted = [...notes].sort((a, b) => a.at - b.at || a.id.localeCompare(b.id));
  return [`# ${day}`, "", ...sorted.map((note) => noteLines(note, timeZone)), ""].join("\n");
}

/** The first instant of `day` in `timeZone` (days start at different instants in different zones). */
export function startOfDay(day: string, timeZone: string): number {
  const [year = 1970, month = 1, date = 1] = day.split("-").map(Number);
  // 16 hours before UTC midnight is still an earlier day in every zone (UTC−12 to UTC+14).
  let instant = Date.UTC(year, month - 1, date) - 16 * 3_600_000;
  for (let step = 0; step < 4 && dayKey(instant, timeZone) < day; step += 1) instant = nextDayStart(instant, timeZone);
  return instant;
}

const TIME_PREFIX = /^(\d{1,2}):(\d{2})(?: |$)/;

/** A day's notes; hand-written lines may start with `HH:MM`, and get the day's start otherwise. */
export function parseNotesFile(
  day: string,
  markdown: string,
  timeZone: string,
  path = notesPath(day),
): ReadFile<ReadNote> {
  const problems: string[] = [];
  const records: ReadNote[] = [];
  if (!DAY.test(day)) return { records, problems: [`${day} is not a day (YYYY-MM-DD).`] };
  const dayStart = startOfDay(day, timeZone);
  for (const block of blocksOf(markdown)) {
    const { body, meta } = splitMeta(block.text);
    const time = TIME_PREFIX.exec(body);
    const visible = time ? body.slice(time[0].length) : body;
    const hours = Number(time?.[1] ?? 0);
    const minutes = Number(time?.[2] ?? 0);
    // An entry without a time follows the one before it, so the file's order is kept.
    const previous = records.at(-1)?.at;
    const statedAt =
      time && hours < 24 && minutes < 60
        ? dayStart + (hours * 60 + minutes) * 60_000
        : previous !== undefined
          ? previous + 1
          : dayStart;
    const where = `Line ${block.line}`;
    let note: ReadNote = {
      line: block.line,
      day,
      at: statedAt,
      text: visible.trim(),
      origin: "import",
      provenance: TRUSTED,
    };
    if (meta !== undefined) {
      const fields = parseMeta(meta);
      const provenance = readProvenance(fields?.provenance);
      if (!fields) problems.push(`${where}: its Tabclaw comment could not be read; the note was read as untrusted.`);
      else if (!provenance) problems.push(`${where}: its trust could not be read; the note was read as untrusted.`);
      note = {
        line: block.line,
        day,
        at: readTime(fields?.at) ?? statedAt,
        text: typeof fields?.text === "string" ? fields.text : visible,
        origin: isOrigin(fields?.origin) ? fields.origin : "import",
        provenance: provenance ?? damagedProvenance(path),
        ...(typeof fields?.id === "string" && fields.id !== "" ? { id: fields.id } : {}),
      };
    }
    if (note.text.trim() === "") {
      problems.push(`${where}: the entry is empty.`);
      continue;
    }
    records.push(note);
  }
  return { records, problems };
}

// USER.md

const PROFILE_META = /(?:^|\n)<!-- tabclaw: ([^\n]*) -->\n?$/;

/** The profile exactly as written, then one comment line with its last change. */
export function renderUserFile(profile: UserProfileRecord): string {
  return `${profile.text}\n${metaComment({ updated: profile.updated })}\n`;
}

/** The profile's text; `updated` only when the file came from Tabclaw. */
export function parseUserFile(markdown: string): { text: string; updated?: number } {
  const text = markdown.replace(/^\uFEFF/, "");
  const meta = PROFILE_META.exec(text);
  if (!meta) return { text };
  const updated = readTime(parseMeta(meta[1] ?? "")?.updated);
  return { text: text.slice(0, meta.index), ...(updated !== undefined ? { updated } : {}) };
}

/** Whether `day` is a well-formed `YYYY-MM-DD` (the name of a notes file). */
export function isDay(day: string): boolean {
  return DAY.test(day);
}
