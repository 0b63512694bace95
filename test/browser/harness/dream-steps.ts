/**
 * Dreaming without waiting for the night: notes and facts are written straight into the app's
 * IndexedDB (as the memory tools would have stored them), the page reloads, and the Dreams view's
 * "Dream now" starts a run against the scripted engine (a TEST DOUBLE, not a model).
 */
import type { Locator, Page } from "playwright-core";
import { JOURNAL_KEY, type DreamJournalEntry } from "../../../src/memory/dream-journal-store";
import type {
  DailyNoteRecord,
  FactRecord,
  MemoryProvenance,
  MemoryRevisionRecord,
} from "../../../src/store/memory-record";
import { waitForAppReady } from "./app-steps";

const STEP_TIMEOUT_MS = 30_000;

/** `count` facts; in the run's prompt F1 is fact-1, F2 fact-2, … (same importance, fact-1 changed last). */
export function seededFacts(count: number, now = Date.now()): FactRecord[] {
  return Array.from({ length: count }, (_, index) => {
    const at = now - 86_400_000 - (index + 1) * 60_000;
    return {
      id: `fact-${index + 1}`,
      text: `Seeded fact number ${index + 1}`,
      origin: "import",
      source: "MEMORY.md",
      provenance: { trust: "trusted" },
      importance: 3,
      pinned: false,
      created: at,
      updated: at,
    };
  });
}

/** Two notes from the last minutes: N1 the user's own words, N2 copied from a mail. */
export function seededNotes(now = Date.now()): DailyNoteRecord[] {
  const day = (at: number) =>
    new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit" }).format(at);
  const mail: MemoryProvenance = { trust: "untrusted", sources: ["gmail:18f0c"] };
  return [
    {
      id: "note-1",
      day: day(now - 120_000),
      at: now - 120_000,
      text: "I started learning Portuguese",
      origin: "chat",
      provenance: { trust: "trusted" },
    },
    {
      id: "note-2",
      day: day(now - 60_000),
      at: now - 60_000,
      text: "The dentist moved my appointment to Friday",
      origin: "chat",
      provenance: mail,
    },
  ];
}

/** Past runs: journal entries (stored under the settings key the app reads) and their revisions. */
export interface SeededRuns {
  journal: DreamJournalEntry[];
  revisions: MemoryRevisionRecord[];
}

/** Stores facts and notes (and past runs) as the app would, then reloads so the app reads them. */
export async function seedMemory(
  page: Page,
  facts: FactRecord[],
  notes: DailyNoteRecord[],
  runs: SeededRuns = { journal: [], revisions: [] },
): Promise<void> {
  await page.evaluate(
    async ({ facts, notes, runs, journalKey }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open("tabclaw");
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error ?? new Error("could not open tabclaw"));
      });
      const tx = db.transaction(["facts", "notes", "memoryRevisions", "settings"], "readwrite");
      for (const fact of facts) tx.objectStore("facts").put(fact);
      for (const note of notes) tx.objectStore("notes").put(note);
      for (const revision of runs.revisions) tx.objectStore("memoryRevisions").put(revision);
      if (runs.journal.length > 0) tx.objectStore("settings").put(runs.journal, journalKey);
      await new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error ?? new Error("could not store the memory"));
      });
      db.close();
    },
    { facts, notes, runs, journalKey: JOURNAL_KEY },
  );
  await page.reload();
  await waitForAppReady(page);
}

/** Every fact as stored, by id. */
export function storedFacts(page: Page): Promise<FactRecord[]> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open("tabclaw");
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error("could not open tabclaw"));
    });
    const request = db.transaction("facts").objectStore("facts").getAll();
    const facts = await new Promise<FactRecord[]>((resolve, reject) => {
      request.onsuccess = () => resolve(request.result as FactRecord[]);
      request.onerror = () => reject(request.error ?? new Error("could not read the facts"));
    });
    db.close();
    return facts.sort((a, b) => a.id.localeCompare(b.id));
  });
}

export function dreamsView(page: Page): Locator {
  return page.locator("tabclaw-dream-journal");
}

/** Opens the Dreams view from the navigation. */
export async function openDreams(page: Page): Promise<void> {
  await page.getByRole("navigation", { name: "Views" }).getByRole("button", { name: "Dreams", exact: true }).click();
  await dreamsView(page).getByRole("heading", { name: "Dream journal" }).waitFor({ timeout: STEP_TIMEOUT_MS });
}

/** Presses "Dream now" and waits for the run's entry with `status` at the top of the journal. */
export async function dreamNow(page: Page, status: string): Promise<Locator> {
  await dreamsView(page).getByRole("button", { name: "Dream now", exact: true }).click();
  const run = dreamsView(page).getByTestId("dream-run").first();
  await run.and(page.locator(`[data-status="${status}"]`)).waitFor({ timeout: STEP_TIMEOUT_MS });
  return run;
}
