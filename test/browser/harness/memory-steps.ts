/**
 * Memory without a model: facts, notes and the profile are written straight into the app's
 * IndexedDB as `MemoryStore` stores them, and the page reloads so the Memory view reads them.
 */
import type { Locator, Page } from "playwright-core";
import type { DailyNoteRecord, FactRecord, UserProfileRecord } from "../../../src/store/memory-record";
import { openView, waitForAppReady } from "./app-steps";

export interface MemorySeed {
  facts?: FactRecord[];
  notes?: DailyNoteRecord[];
  profile?: UserProfileRecord;
}

const HOUR = 3_600_000;

/** Three facts as the agent, dreaming and the user leave them: one untrusted, one pinned. */
export function memoryFacts(now = Date.now()): FactRecord[] {
  return [
    {
      id: "fact-tea",
      text: "Prefers green tea in the afternoon",
      origin: "chat",
      source: "conversation:c1",
      provenance: { trust: "trusted" },
      importance: 3,
      pinned: false,
      created: now - 5 * HOUR,
      updated: now - 5 * HOUR,
      lastRecalled: now - HOUR,
    },
    {
      id: "fact-dentist",
      text: "Dentist appointment moved to Friday --> 10:00 <b>",
      origin: "dreaming",
      source: "revision:r1",
      provenance: { trust: "untrusted", sources: ["gmail:18f0c"] },
      importance: 4,
      pinned: false,
      created: now - 3 * HOUR,
      updated: now - 3 * HOUR,
    },
    {
      id: "fact-porto",
      text: "Lives in Porto 🇵🇹 and works on *Tabclaw*",
      origin: "user",
      source: "memory view",
      provenance: { trust: "trusted" },
      importance: 5,
      pinned: true,
      created: now - 10 * HOUR,
      updated: now - 10 * HOUR,
    },
  ];
}

/** Notes on two days (the day is a field of its own, so any days do). */
export function memoryNotes(): DailyNoteRecord[] {
  return [
    {
      id: "note-1",
      day: "2026-05-01",
      at: Date.UTC(2026, 4, 1, 9, 30),
      text: "Talked about the launch",
      origin: "chat",
      provenance: { trust: "trusted" },
    },
    {
      id: "note-2",
      day: "2026-05-02",
      at: Date.UTC(2026, 4, 2, 14, 5),
      text: "Read a mail from the dentist:\nmoved to Friday",
      origin: "chat",
      provenance: { trust: "untrusted", sources: ["gmail:18f0c"] },
    },
  ];
}

/**
 * Stores the records as `MemoryStore` would, then reloads so the app reads them. The database is
 * opened at whatever version the app created (the app is open first), so a schema bump needs no edit here.
 */
export async function storeMemory(page: Page, seed: MemorySeed): Promise<void> {
  await page.evaluate(async ({ facts, notes, profile }) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open("tabclaw");
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error("could not open tabclaw"));
    });
    const tx = db.transaction(["facts", "notes", "profile"], "readwrite");
    for (const fact of facts ?? []) tx.objectStore("facts").put(fact);
    for (const note of notes ?? []) tx.objectStore("notes").put(note);
    if (profile) tx.objectStore("profile").put(profile, "user");
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error("could not store the memory"));
    });
    db.close();
  }, seed);
  await page.reload();
  await waitForAppReady(page);
}

/** Every record of the memory stores, as IndexedDB holds them (facts by id, notes by id). */
export async function storedMemory(page: Page): Promise<Required<MemorySeed>> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open("tabclaw");
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error("could not open tabclaw"));
    });
    const all = <T>(store: string) =>
      new Promise<T[]>((resolve, reject) => {
        const request = db.transaction(store).objectStore(store).getAll();
        request.onsuccess = () => resolve(request.result as T[]);
        request.onerror = () => reject(request.error ?? new Error(`could not read ${store}`));
      });
    const [facts, notes, profiles] = await Promise.all([
      all<FactRecord>("facts"),
      all<DailyNoteRecord>("notes"),
      all<UserProfileRecord>("profile"),
    ]);
    db.close();
    return { facts, notes, profile: profiles[0] ?? { text: "", updated: 0 } };
  });
}

export function memoryView(page: Page): Locator {
  return page.locator("tabclaw-memory-view");
}

/** One fact's card in the Memory view. */
export function factCard(page: Page, id: string): Locator {
  return page.locator(`tabclaw-memory-fact[data-id="${id}"]`);
}

/** Opens Memory and waits until it has read the stores. */
export async function openMemory(page: Page): Promise<void> {
  await openView(page, "Memory");
  await memoryView(page)
    .getByRole("heading", { name: /^Facts \(/ })
    .waitFor();
}

/** The Memory view's status line, once it says `text`. */
export async function memoryStatus(page: Page, text: string | RegExp): Promise<string> {
  const status = memoryView(page).getByTestId("memory-status").filter({ hasText: text });
  await status.waitFor();
  return (await status.innerText()).trim();
}
