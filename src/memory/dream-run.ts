import { dayKey } from "../core/agent/local-day";
import { serializeError } from "../core/errors";
import type { ChatEngine } from "../engine/chat-engine";
import { meteredEngineCall } from "../engine/metered-engine-call";
import type { Database } from "../store/database";
import { RunBudget } from "../store/run-budget";
import { guardDream } from "./dream-guards";
import {
  readFrom,
  readJournal,
  resolveInterrupted,
  writeJournalEntry,
  type DreamJournalEntry,
  type DreamMerge,
} from "./dream-journal-store";
import { DREAM_MAX_TOKENS, dreamMessages, dreamSchema, parseDreamAnswer, selectMaterial } from "./dream-prompt";
import { MemoryRevisionError, MemoryStore } from "./memory-store";

/** Whose budget dreaming spends (Settings → Daily token budgets lists it as a routine). */
export const DREAMING_ROUTINE = "dreaming";
/** With no run yet, the first one reads this far back. */
export const FIRST_RUN_LOOKBACK_MS = 7 * 86_400_000;

export interface DreamRequest {
  /** The user's IANA zone: days, and the revision's "Dreaming for YYYY-MM-DD". */
  timeZone: string;
  trigger: "schedule" | "manual";
}

export interface DreamProgress {
  stage: "reading" | "thinking" | "applying";
  text: string;
}

export interface DreamRunOptions {
  /** Undefined when no model is loaded: a run with nothing to read still completes. */
  engine: ChatEngine | undefined;
  db: Database;
  request: DreamRequest;
  onProgress?: (progress: DreamProgress) => void;
  signal?: AbortSignal;
  now?: () => number;
  newId?: () => string;
}

function modelNotLoaded(): Error {
  return Object.assign(new Error("No model is loaded."), { name: "ModelNotLoadedError" });
}

function describeChanges(counts: Record<string, number>): string {
  const parts = Object.entries(counts)
    .filter(([, count]) => count > 0)
    .map(([what, count]) => `${what} ${count}`);
  return parts.length > 0 ? `${parts.join(", ")}.` : "No change.";
}

/**
 * One dreaming run, where the engine is (the agent worker): read the notes since the last run
 * and the facts, ask the model for a proposal under a JSON schema, pass it through `guardDream`,
 * and apply what passes as one revision. Every run, including one that changes nothing, gets a
 * journal entry; the entry is written as `running` first, so a tab closed mid-run is found later
 * and resolved against the revisions (the revision's single transaction means the facts are
 * either all old or all new).
 */
export async function runDream(options: DreamRunOptions): Promise<DreamJournalEntry> {
  const { db, request, engine } = options;
  const clock = options.now ?? (() => Date.now());
  const newId = options.newId ?? (() => crypto.randomUUID());
  const progress = (stage: DreamProgress["stage"], text: string) => options.onProgress?.({ stage, text });
  const now = clock();
  const day = dayKey(now, request.timeZone);
  const memory = new MemoryStore(db, newId);

  progress("reading", "Reading the notes since the last run…");
  await resolveInterrupted(db, now);
  const from = readFrom(await readJournal(db)) ?? now - FIRST_RUN_LOOKBACK_MS;
  const notes = (await memory.notesBetween(dayKey(from, request.timeZone), day)).filter(
    (note) => note.at > from && note.at <= now,
  );
  let entry: DreamJournalEntry = {
    id: newId(),
    at: now,
    day,
    trigger: request.trigger,
    status: "running",
    message: "Dreaming…",
    reasons: [],
    notes: [],
    notesRead: 0,
    notesLeft: 0,
    tokens: 0,
    merges: [],
  };
  const finish = async (patch: Partial<DreamJournalEntry>): Promise<DreamJournalEntry> => {
    entry = { ...entry, ...patch, finishedAt: clock() };
    await writeJournalEntry(db, entry);
    return entry;
  };

  if (notes.length === 0) {
    return finish({
      status: "nothing_new",
      message: "Nothing new to read since the last run: the model was not asked.",
    });
  }
  if (!engine?.loadedModelId) throw modelNotLoaded();
  const modelId = engine.loadedModelId;
  const facts = await memory.listFacts();
  const material = selectMaterial(notes, facts);
  const readThrough = material.notes.at(-1)?.note.at;
  entry = { ...entry, notesRead: material.notes.length, notesLeft: material.notesLeft };
  await writeJournalEntry(db, entry);

  progress("thinking", `Reading ${material.notes.length} notes and ${material.facts.length} facts with the model…`);
  const budget = await RunBudget.open(db, DREAMING_ROUTINE, modelId);
  const call = await meteredEngineCall(engine, budget, {
    messages: dreamMessages(material, day, request.timeZone),
    temperature: 0,
    maxTokens: DREAM_MAX_TOKENS,
    responseFormat: { type: "json_object", schema: JSON.stringify(dreamSchema(material)) },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const recording = await budget.settled().then(
    () => [],
    (error: unknown) => [`This run's token use could not be recorded (${serializeError(error).message}).`],
  );
  if (call.kind === "refused")
    return finish({
      status: "failed",
      message: "Not run: the budget is spent.",
      reasons: [call.refusal.message, ...recording],
    });
  entry = { ...entry, tokens: call.tokens };
  if (call.failure !== undefined || call.finishReason === "abort" || call.finishReason === "length") {
    const why =
      call.failure ??
      (call.finishReason === "abort" ? "The run was stopped." : "The answer was cut off before it was complete.");
    return finish({ status: "failed", message: "Failed: nothing was changed.", reasons: [why, ...recording] });
  }
  const parsed = parseDreamAnswer(call.text, material);
  if (!parsed.ok)
    return finish({
      status: "failed",
      message: "Failed: nothing was changed.",
      reasons: [parsed.problem, ...recording],
    });

  const verdict = guardDream(parsed.proposal, {
    facts,
    notes: material.notes.map(({ note }) => note),
    source: `dream:${day}`,
  });
  if (!verdict.ok) {
    return finish({
      status: "refused",
      message: "Refused: nothing was changed.",
      reasons: [verdict.reason, ...recording],
      readThrough,
    });
  }
  const described = (index: number) => parsed.described[index] ?? `operation ${index + 1}`;
  const notesOut = [
    ...parsed.unreadable,
    ...verdict.dropped.map((note) => `Operation ${note.index + 1} (${described(note.index)}): ${note.message}`),
    ...verdict.marked.map((note) => `Operation ${note.index + 1} (${described(note.index)}): ${note.message}`),
    ...recording,
  ];
  if (verdict.operations.length === 0) {
    return finish({ status: "nothing_new", message: "The model proposed no change.", notes: notesOut, readThrough });
  }
  const droppedIndexes = new Set(verdict.dropped.map((note) => note.index));
  const merges: DreamMerge[] = parsed.proposal.operations.flatMap((operation, index) =>
    operation.op === "merge" && !droppedIndexes.has(index)
      ? [{ into: operation.factIds[0] ?? "", from: operation.factIds.slice(1) }]
      : [],
  );

  progress("applying", "Applying the changes…");
  let revision;
  try {
    // Created at the run's start time: that is how a journal entry left `running` finds it.
    revision = await memory.applyRevision(
      { origin: "dreaming", summary: `Dreaming for ${day}`, operations: verdict.operations },
      now,
    );
  } catch (error) {
    const reasons = error instanceof MemoryRevisionError ? error.problems : [serializeError(error).message];
    return finish({
      status: "failed",
      message: "Failed: nothing was changed.",
      reasons: [...reasons, ...recording],
      notes: notesOut,
    });
  }
  const merged = merges.reduce((sum, merge) => sum + merge.from.length, 0);
  const counts = {
    Added: revision.changes.filter((change) => change.before === null).length,
    Updated: revision.changes.filter((change) => change.before && change.after).length - merges.length,
    Merged: merges.length,
    Retired: revision.changes.filter((change) => change.after === null).length - merged,
  };
  return finish({
    status: "applied",
    message: `Applied: ${describeChanges(counts)}`,
    notes: notesOut,
    readThrough,
    revisionId: revision.id,
    merges,
  });
}
