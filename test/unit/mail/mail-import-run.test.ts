import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InMemoryImportLocks } from "../../../src/mail/mail-import-locks";
import { markInterruptedImports } from "../../../src/mail/mail-import-recovery";
import { runMailImport, type MailImportRunOptions } from "../../../src/mail/mail-import-run";
import type { MailImportProgress } from "../../../src/mail/mail-import-progress";
import type { MailRecord } from "../../../src/store/mail-record";
import { MailStore } from "../../../src/store/mail-store";
import { FreshDatabase } from "../store/fresh-database";

const FIXTURES = new URL("../../fixtures/mail/", import.meta.url);

let database: FreshDatabase;
let store: MailStore;

beforeEach(async () => {
  database = new FreshDatabase();
  store = new MailStore(await database.open());
});

afterEach(async () => {
  await database.dispose();
});

function fixtureFile(name: string): File {
  return new File([readFileSync(new URL(name, FIXTURES))], name);
}

function corpusFiles(): File[] {
  return readdirSync(FIXTURES)
    .filter((name) => name.endsWith(".eml") || name.endsWith(".mbox"))
    .sort()
    .map(fixtureFile);
}

/** A clock that moves a second per reading, so every batch also writes the report. */
function steppingClock(start = Date.UTC(2024, 0, 1)): () => number {
  let now = start;
  return () => (now += 1000);
}

function generatedMbox(count: number): File {
  const messages = Array.from(
    { length: count },
    (_, index) =>
      `From sender${index}@example.com Mon Jan  1 10:00:00 2024\n` +
      `From: Sender ${index} <sender${index}@example.com>\nSubject: Message ${index}\n` +
      `Date: Mon, 1 Jan 2024 10:${String(index % 60).padStart(2, "0")}:00 +0000\n\nBody of message ${index}.\n`,
  );
  return new File([messages.join("\n")], "generated.mbox");
}

async function allMail(): Promise<MailRecord[]> {
  return store.recent();
}

function importWith(overrides: Partial<MailImportRunOptions> & Pick<MailImportRunOptions, "files">) {
  return runMailImport({
    importId: crypto.randomUUID(),
    store,
    now: steppingClock(),
    locks: new InMemoryImportLocks(),
    ...overrides,
  });
}

describe("importing the corpus", () => {
  it("accounts for every message: stored, already there, or listed; problems name file, position and subject", async () => {
    const notMail = new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3])], "photo.mbox");
    const files = [...corpusFiles(), notMail];
    let announced = 0;
    const progress: MailImportProgress[] = [];
    const record = await importWith({
      files,
      announce: () => (announced += 1),
      onProgress: (step) => progress.push(step),
    });

    // Nine .eml files of one message each and a Takeout mbox of three.
    expect(record.messages).toBe(12);
    expect(record.status).toBe("done");
    expect(record.stored + record.duplicates).toBe(record.messages);
    expect(record.stored).toBe(12);
    const stored = await allMail();
    expect(stored).toHaveLength(12);

    const byFile = new Map(record.problems.map((problem) => [`${problem.file}#${problem.index}`, problem]));
    expect([...byFile.keys()].sort()).toEqual([
      "broken-boundary.eml#1",
      "missing-headers.eml#1",
      "photo.mbox#0",
      "takeout-escapes.mbox#3",
      "truncated.eml#1",
    ]);
    expect(byFile.get("photo.mbox#0")?.message).toMatch(/does not look like a mailbox \(\.mbox\) or a mail \(\.eml\)/);
    expect(byFile.get("photo.mbox#0")?.mailId).toBeUndefined();
    expect(byFile.get("truncated.eml#1")?.label).toBe("The upload stopped halfway");
    expect(byFile.get("missing-headers.eml#1")?.label).toBe("<no-headers@example.com>");
    expect(byFile.get("takeout-escapes.mbox#3")).toMatchObject({
      label: "no sender, dated",
      message: "It names no sender (no From header).",
    });
    // A listed message is the stored one, carrying the same problem.
    for (const problem of record.problems.filter((entry) => entry.index > 0)) {
      const mail = stored.find((entry) => entry.id === problem.mailId);
      expect(mail?.problem).toBe(problem.message);
    }

    const reply = stored.find((mail) => mail.subject === "Re: Escapes in the body");
    expect(reply?.receivedAt).toBe(Date.UTC(2023, 2, 15, 9, 30, 0));
    expect(reply?.problem).toBeUndefined();
    const first = stored.find((mail) => mail.subject === "Escapes in the body");
    expect(first?.text).toContain("\nFrom here the text goes on.\n>From this one had a quote before it.");
    expect(stored.every((mail) => mail.source === "local" && mail.sourceId === record.id)).toBe(true);

    expect(await store.getImport(record.id)).toEqual(record);
    expect(announced).toBeGreaterThanOrEqual(1);
    const last = progress.at(-1);
    expect(last).toMatchObject({ bytesRead: record.bytes, bytesTotal: record.bytes, messages: 12, stored: 12 });
    expect(last?.problems).toBe(5);
  });

  it("a second import of the same files finds every mail already there, and keeps the first copy's triage", async () => {
    await importWith({ files: corpusFiles() });
    const triaged = (await allMail())[0];
    if (!triaged) throw new Error("nothing stored");
    await store.setTriage(triaged.id, { category: "fyi", decidedBy: "user", at: 1 });

    const again = await importWith({ files: corpusFiles() });
    expect(again).toMatchObject({ messages: 12, stored: 0, duplicates: 12, status: "done" });
    expect(await allMail()).toHaveLength(12);
    expect((await store.get(triaged.id))?.triage?.category).toBe("fyi");
  });

  it("the same message twice in one mailbox is stored once", async () => {
    const message = "From a Mon Jan  1 10:00:00 2024\nFrom: a@example.com\nSubject: twice\n\nsame\n";
    const record = await importWith({ files: [new File([message + "\n" + message], "twice.mbox")] });
    expect(record).toMatchObject({ messages: 2, stored: 1, duplicates: 1 });
  });
});

describe("stopping early", () => {
  it("cancel stops soon and keeps what was stored; the report says cancelled with true counts", async () => {
    const controller = new AbortController();
    const record = await importWith({
      files: [generatedMbox(1000)],
      batchMessages: 50,
      signal: controller.signal,
      onProgress: (step) => {
        if (step.stored >= 100) controller.abort();
      },
    });
    expect(record.status).toBe("cancelled");
    expect(record.stored).toBeGreaterThanOrEqual(100);
    expect(record.stored).toBeLessThan(1000);
    expect(await allMail()).toHaveLength(record.stored);
    expect(await store.getImport(record.id)).toMatchObject({ status: "cancelled", stored: record.stored });
  });

  it("a full disk (QuotaExceededError) mid-import stops with a message saying what to do, keeping what was stored", async () => {
    let batches = 0;
    const fullAfterTwo = new (class extends MailStore {
      override addNew(records: readonly MailRecord[], report?: Parameters<MailStore["addNew"]>[1]) {
        batches += 1;
        if (batches > 2) return Promise.reject(new DOMException("The quota has been exceeded.", "QuotaExceededError"));
        return super.addNew(records, report);
      }
    })(database.db);
    const record = await importWith({ files: [generatedMbox(500)], batchMessages: 50, store: fullAfterTwo });
    expect(record.status).toBe("failed");
    expect(record.stored).toBe(100);
    expect(record.error?.name).toBe("QuotaExceededError");
    expect(record.error?.message).toMatch(/storage for Tabclaw is full\. 100 new mails were stored before it filled/);
    expect(record.error?.message).toMatch(/import the same files again: mails already stored are skipped/);
    expect(await allMail()).toHaveLength(100);
    expect(await store.getImport(record.id)).toMatchObject({ status: "failed", stored: 100 });
  });

  it("an import a closed tab left running is marked interrupted at the next start, with its counts", async () => {
    let batches = 0;
    const locks = new InMemoryImportLocks();
    // The tab dies during the third write: that write never finishes.
    const dying = new (class extends MailStore {
      override addNew(records: readonly MailRecord[], report?: Parameters<MailStore["addNew"]>[1]) {
        batches += 1;
        return batches > 2 ? new Promise<never>(() => undefined) : super.addNew(records, report);
      }
    })(database.db);
    const importId = "import-closed-tab";
    void importWith({ importId, files: [generatedMbox(500)], batchMessages: 50, store: dying, locks });
    await expect.poll(() => batches).toBe(3);

    // Another tab opens while it still runs (its lock is held): nothing changes.
    expect(await markInterruptedImports(store, locks)).toEqual([]);

    // After the reload the lock is gone with the tab.
    store = new MailStore(await database.reopen());
    const changed = await markInterruptedImports(store, new InMemoryImportLocks());
    expect(changed.map((record) => record.id)).toEqual([importId]);
    const report = await store.getImport(importId);
    expect(report).toMatchObject({ status: "interrupted", stored: 100, messages: 100 });
    expect(report?.error?.message).toMatch(
      /The tab closed before this import finished\. The 100 new mails it stored are kept/,
    );
    expect(await allMail()).toHaveLength(100);
  });

  it("a file that cannot be read halfway is listed; what was read before and the other files are imported", async () => {
    const good = generatedMbox(3);
    const head = new TextEncoder().encode(
      "From a Mon Jan  1 10:00:00 2024\nFrom: a@example.com\nSubject: Moved 0\n\nfirst\n\n" +
        "From a Mon Jan  1 10:01:00 2024\nFrom: a@example.com\nSubject: Moved 1\n\nsecond, not closed yet\n",
    );
    const failing = new (class extends File {
      override stream(): ReadableStream<Uint8Array<ArrayBuffer>> {
        let sent = false;
        return new ReadableStream({
          pull(controller) {
            if (sent) controller.error(new DOMException("The file changed.", "NotReadableError"));
            else controller.enqueue(head.slice());
            sent = true;
          },
        });
      }
    })([head, new Uint8Array(5000)], "moved.mbox");
    const record = await importWith({ files: [failing, good] });
    expect(record.status).toBe("done");
    // The first message of the broken file (the second was still open when the read failed) and all three of the other.
    expect(record.messages).toBe(4);
    expect((await allMail()).map((mail) => mail.subject).sort()).toEqual([
      "Message 0",
      "Message 1",
      "Message 2",
      "Moved 0",
    ]);
    expect(record.problems).toHaveLength(1);
    expect(record.problems[0]).toMatchObject({ index: 0, file: "moved.mbox" });
    expect(record.problems[0]?.message).toMatch(
      /^moved\.mbox could not be read past .+ \(NotReadableError\): it may have been moved/,
    );
  });
});

describe("large messages", () => {
  it("a message over the limit keeps its headers and text, notes the size, and re-imports as a duplicate (id from all its bytes)", async () => {
    const attachment = Buffer.alloc(60_000, 1).toString("base64").replace(/.{76}/g, "$&\n");
    const raw =
      "From: a@example.com\nSubject: big one\nDate: Mon, 1 Jan 2024 10:00:00 +0000\nContent-Type: multipart/mixed; boundary=z\n\n" +
      `--z\nContent-Type: text/plain\n\nSee the attachment.\n--z\nContent-Type: application/octet-stream; name=a.bin\nContent-Transfer-Encoding: base64\n\n${attachment}\n--z--\n`;
    const file = (): File => new File([raw], "big.eml");
    const record = await importWith({ files: [file()], messageLimit: 10_000 });
    expect(record).toMatchObject({ messages: 1, stored: 1 });
    const [mail] = await allMail();
    expect(mail?.id).toBe(`local:${createHash("sha256").update(raw).digest("hex")}`);
    expect(mail?.text).toContain("See the attachment.");
    expect(mail?.problem).toMatch(/^It is 81\.\d KB, more than the 10\.0 KB Tabclaw reads of one mail/);
    expect(record.problems[0]).toMatchObject({ file: "big.eml", index: 1, label: "big one", mailId: mail?.id });

    const again = await importWith({ files: [file()], messageLimit: 10_000 });
    expect(again).toMatchObject({ stored: 0, duplicates: 1 });
  });

  it("a 41 MB message at the default limit is stored with its text and a note, without its attachment bytes", async () => {
    const size = 30_000_000;
    const base64 = Buffer.alloc(size, 9).toString("base64").replace(/.{76}/g, "$&\r\n");
    const head =
      "From: a@example.com\r\nSubject: raw footage\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\nContent-Type: multipart/mixed; boundary=v\r\n\r\n" +
      "--v\r\nContent-Type: text/plain\r\n\r\nAll of it.\r\n--v\r\nContent-Type: video/mp4; name=raw.mp4\r\nContent-Transfer-Encoding: base64\r\n\r\n";
    const record = await importWith({ files: [new File([head, base64, "\r\n--v--\r\n"], "footage.eml")] });
    expect(record).toMatchObject({ messages: 1, stored: 1, status: "done" });
    const [mail] = await allMail();
    expect(mail?.text).toBe("All of it.\n");
    expect(mail?.problem).toMatch(/^It is 4\d\.\d MB, more than the 32\.0 MB Tabclaw reads of one mail/);
    expect(JSON.stringify(mail).length).toBeLessThan(5000);
  });
});
