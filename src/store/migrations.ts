import type { IDBPDatabase } from "idb";
import { DB_VERSION, type TabclawDB } from "./schema";

/**
 * The migration ladder: each step takes the database from version N-1 to N. Steps run in
 * order inside the upgrade transaction, so a user several versions behind climbs them all.
 * `newVersion` stops the climb early, so a test can build an older database with this very ladder.
 */
export function migrate(db: IDBPDatabase<TabclawDB>, oldVersion: number, newVersion: number = DB_VERSION): void {
  if (oldVersion < 1) {
    db.createObjectStore("settings");
    const conversations = db.createObjectStore("conversations", { keyPath: "id" });
    conversations.createIndex("byUpdated", "updatedAt");
    const messages = db.createObjectStore("chatMessages", { keyPath: "id" });
    messages.createIndex("byConversation", ["conversationId", "createdAt"]);
    db.createObjectStore("localModels", { keyPath: "model_id" });
  }
  if (oldVersion < 2 && newVersion >= 2) {
    // The safety core: approvals (also the run-once ledger), the audit log, model usage, budgets.
    const approvals = db.createObjectStore("approvals", { keyPath: "id" });
    approvals.createIndex("byStatus", ["status", "proposedAt"]);
    approvals.createIndex("byProposed", "proposedAt");
    const audit = db.createObjectStore("audit", { autoIncrement: true });
    audit.createIndex("byAction", "actionId");
    const usage = db.createObjectStore("usage", { autoIncrement: true });
    usage.createIndex("byAt", "at");
    usage.createIndex("byRoutine", ["routine", "at"]);
    db.createObjectStore("budgets", { keyPath: "day" });
  }
  if (oldVersion < 3 && newVersion >= 3) {
    // Memory: daily notes, long-term facts, the user profile, and revisions for undo.
    const notes = db.createObjectStore("notes", { keyPath: "id" });
    notes.createIndex("byDay", ["day", "at"]);
    const facts = db.createObjectStore("facts", { keyPath: "id" });
    facts.createIndex("byUpdated", "updated");
    db.createObjectStore("profile");
    const revisions = db.createObjectStore("memoryRevisions", { keyPath: "id" });
    revisions.createIndex("byCreated", "createdAt");
  }
  if (oldVersion < 4 && newVersion >= 4) {
    // Routines: the jobs the scheduler runs, and a record of every run for the briefing and usage.
    db.createObjectStore("jobs", { keyPath: "id" });
    const runs = db.createObjectStore("jobRuns", { keyPath: "id" });
    runs.createIndex("byJob", ["jobId", "startedAt"]);
    runs.createIndex("byStarted", "startedAt");
  }
  if (oldVersion < 5 && newVersion >= 5) {
    // Mail: imported and Gmail messages with their triage, import reports, and connector sync state.
    const mail = db.createObjectStore("mail", { keyPath: "id" });
    mail.createIndex("byReceived", "receivedAt");
    mail.createIndex("byStatus", ["status", "receivedAt"]);
    mail.createIndex("byCategory", ["triage.category", "receivedAt"]);
    const imports = db.createObjectStore("mailImports", { keyPath: "id" });
    imports.createIndex("byStarted", "startedAt");
    db.createObjectStore("connectorState");
  }
  if (oldVersion < 6 && newVersion >= 6) {
    // The deployments board and the Slack digest: what the watch and the digest found, for their views.
    const deployments = db.createObjectStore("deployments", { keyPath: "id" });
    deployments.createIndex("byRepository", ["repository", "updatedAt"]);
    const threads = db.createObjectStore("slackThreads", { keyPath: "id" });
    threads.createIndex("byUpdated", "updatedAt");
  }
}
