/**
 * The memory bench page: search timed in a dedicated worker per index size, and the real schema's
 * `facts` store (its own database name) filled with fact records to see what IndexedDB keeps.
 */
import { TRUSTED } from "../../../../src/memory/fact-rules";
import { openDatabase } from "../../../../src/store/database";
import type { FactRecord } from "../../../../src/store/memory-record";
import { syntheticChunks } from "../corpus";
import type { SearchBenchOptions, SearchBenchReport } from "../search-bench";
import { ENTRY, type MemoryBenchOptions, type MemoryBenchReport, type RunMemoryBench } from "./protocol";

const DB_NAME = "tabclaw-bench-memory";
const BATCH = 500;

function searchInWorker(options: SearchBenchOptions): Promise<SearchBenchReport> {
  const worker = new Worker(new URL("./search.worker.ts", import.meta.url), { type: "module", name: "bench-memory" });
  return new Promise<SearchBenchReport>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<SearchBenchReport>) => resolve(event.data);
    worker.onerror = (event) => reject(new Error(event.message));
    worker.postMessage(options);
  }).finally(() => worker.terminate());
}

async function usage(): Promise<number> {
  return (await navigator.storage.estimate()).usage ?? 0;
}

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(new Error(`could not delete ${name}`));
  });
}

async function storedBytes(count: number, seed: number): Promise<number> {
  await deleteDatabase(DB_NAME);
  const db = await openDatabase(DB_NAME);
  const before = await usage();
  const now = Date.UTC(2026, 4, 1);
  let batch: FactRecord[] = [];
  const flush = async (): Promise<void> => {
    const tx = db.transaction("facts", "readwrite");
    await Promise.all([...batch.map((fact) => tx.store.put(fact)), tx.done]);
    batch = [];
  };
  for (const chunk of syntheticChunks(count, seed, now)) {
    batch.push({
      id: crypto.randomUUID(),
      text: chunk.text,
      origin: "dreaming",
      source: "dream:2026-05-01",
      provenance: TRUSTED,
      importance: 3,
      pinned: false,
      created: chunk.time,
      updated: chunk.time,
      lastRecalled: now,
      embedding: { model: "snowflake-arctic-embed-s", vector: Float32Array.from(chunk.embedding ?? []) },
    });
    if (batch.length === BATCH) await flush();
  }
  if (batch.length > 0) await flush();
  db.close();
  // Left in place: the Node side also measures the files on disk once the browser has closed.
  return (await usage()) - before;
}

const runMemoryBench: RunMemoryBench = async (options: MemoryBenchOptions): Promise<MemoryBenchReport> => {
  const searches: SearchBenchReport[] = [];
  for (const chunks of options.sizes) searches.push(await searchInWorker({ ...options.search, chunks }));
  const bytes = await storedBytes(options.storedFacts, options.search.seed);
  return { searches, storedBytes: bytes, storedFacts: options.storedFacts };
};

Reflect.set(window, ENTRY, runMemoryBench);
