import type { ConnectorState } from "../../store/connector-state";
import type { MailRecord } from "../../store/mail-record";
import type { MailStore } from "../../store/mail-store";
import type { GmailClient } from "./gmail-client";
import { GmailHistoryExpiredError } from "./gmail-errors";
import { gmailMailId, mailFromMetadata } from "./gmail-mail-record";

/** The connectorState key of Gmail's sync position. */
export const GMAIL_STATE_KEY = "gmail";

/** How many of the newest inbox mails the first sync (and a sync after a gap too old for history) reads. */
export const FIRST_SYNC_SIZE = 100;

/** Where the last complete sync stopped, and for which mailbox. */
export interface GmailSyncState {
  historyId: string;
  account: string;
  syncedAt: number;
}

export function isGmailSyncState(value: unknown): value is GmailSyncState {
  if (typeof value !== "object" || value === null) return false;
  const state = value as Partial<Record<keyof GmailSyncState, unknown>>;
  return typeof state.historyId === "string" && typeof state.account === "string" && typeof state.syncedAt === "number";
}

export type GmailSyncMode = "first" | "history" | "relist";

export interface GmailSyncResult {
  mode: GmailSyncMode;
  account: string;
  /** Mails stored by this run. */
  stored: number;
  /** Mails Gmail reported that Tabclaw already had. */
  alreadyStored: number;
  /** Mails deleted in Gmail between being listed and being read. */
  vanished: number;
}

export interface GmailSyncOptions {
  client: GmailClient;
  mail: MailStore;
  state: ConnectorState;
  now: () => number;
  firstSyncSize?: number;
  /** Called after each stored batch, so views refresh while a long sync runs. */
  onStored?: (ids: readonly string[]) => void;
}

/**
 * Brings new inbox mail into the mail store. The first run reads the newest inbox mails; later
 * runs read Gmail's history since the stored position (2 quota units per page instead of a list),
 * and a position Gmail no longer keeps (404) falls back to reading the newest again. Metadata only,
 * in batches, each stored as it arrives. The position advances only after every mail up to it is
 * stored, so a run that fails (an expired token, a rate limit) is picked up from the same place by
 * the next, which skips what was already stored.
 */
export async function syncGmail(options: GmailSyncOptions): Promise<GmailSyncResult> {
  const { client, mail, state } = options;
  const size = options.firstSyncSize ?? FIRST_SYNC_SIZE;
  // The profile first: its history id marks "now", so a mail arriving while we list is caught next time.
  const profile = await client.getProfile();
  const previous = await state.get(GMAIL_STATE_KEY, isGmailSyncState);
  let mode: GmailSyncMode;
  let ids: string[];
  let position = profile.historyId;
  if (previous === undefined || previous.account !== profile.emailAddress) {
    mode = "first";
    ids = (await client.listMessages("INBOX", size)).map((ref) => ref.id);
  } else {
    try {
      const added = await addedSince(client, previous.historyId);
      mode = "history";
      ids = added.ids;
      position = added.historyId;
    } catch (error) {
      if (!(error instanceof GmailHistoryExpiredError)) throw error;
      mode = "relist";
      ids = (await client.listMessages("INBOX", size)).map((ref) => ref.id);
    }
  }

  const unique = [...new Set(ids)];
  const known = await Promise.all(unique.map(async (id) => (await mail.get(gmailMailId(id))) !== undefined));
  const wanted = unique.filter((_, index) => !known[index]);
  let stored = 0;
  let vanished = 0;
  // Read and store in slices, so a failure part-way keeps what was stored and the next run skips it.
  const slice = 50;
  for (let start = 0; start < wanted.length; start += slice) {
    const { messages, missing } = await client.getMetadata(wanted.slice(start, start + slice));
    vanished += missing.length;
    const records: MailRecord[] = [];
    for (const message of messages) records.push(await mailFromMetadata(message, options.now()));
    const result = await mail.addNew(records);
    stored += result.stored.length;
    if (result.stored.length > 0) options.onStored?.(result.stored);
  }
  // Only now: every mail up to `position` is stored.
  const next: GmailSyncState = { historyId: position, account: profile.emailAddress, syncedAt: options.now() };
  await state.set(GMAIL_STATE_KEY, next);
  return { mode, account: profile.emailAddress, stored, alreadyStored: unique.length - wanted.length, vanished };
}

async function addedSince(client: GmailClient, startHistoryId: string): Promise<{ ids: string[]; historyId: string }> {
  const ids: string[] = [];
  let pageToken: string | undefined;
  let historyId: string | undefined;
  do {
    const page = await client.listHistory(startHistoryId, "INBOX", pageToken);
    ids.push(...page.added.map((ref) => ref.id));
    historyId = page.historyId;
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
  return { ids, historyId: historyId ?? startHistoryId };
}
