/** Stored mail for tests, in Node and in the browser harness alike. */
import type { MailRecord } from "../../src/store/mail-record";

let clock = Date.UTC(2025, 5, 2, 9, 0, 0);

/** A stored mail as the importer or the Gmail connector would write it; every field can be overridden. */
export function storedMail(overrides: Partial<MailRecord> & { id: string }): MailRecord {
  clock += 60_000;
  return {
    source: "local",
    sourceId: "test-import",
    from: { name: "Ann Example", address: "ann@example.com" },
    to: [{ address: "you@example.com" }],
    cc: [],
    subject: "Lunch on Friday?",
    receivedAt: clock,
    ruleHeaders: {},
    text: "Shall we have lunch on Friday?",
    snippet: "Shall we have lunch on Friday?",
    attachments: [],
    labels: [],
    bodyLoaded: true,
    status: "new",
    storedAt: clock,
    ...overrides,
  };
}
