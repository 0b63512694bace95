import type { MailRecord } from "../../store/mail-record";
import type { GmailMessage } from "./gmail-client";

export const GMAIL_ID_PREFIX = "gmail:";

export function gmailMailId(messageId: string): string {
  return `${GMAIL_ID_PREFIX}${messageId}`;
}

/** The Gmail message id in a MailRecord id, or undefined for a mail that did not come from Gmail. */
export function gmailMessageIdOf(mailId: string): string | undefined {
  return mailId.startsWith(GMAIL_ID_PREFIX) && mailId.length > GMAIL_ID_PREFIX.length
    ? mailId.slice(GMAIL_ID_PREFIX.length)
    : undefined;
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** Gmail's snippets come HTML-escaped (`&#39;`, `&amp;`); Tabclaw keeps plain text. */
export function unescapeSnippet(snippet: string): string {
  return snippet.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, name: string) => {
    if (name.startsWith("#")) {
      const code = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? entity;
  });
}

/**
 * A MailRecord from a metadata read: the headers Gmail returned are read by the same MIME parser as
 * imported mail (so encoded words and address lists decode the same way); the body is not loaded.
 */
export async function mailFromMetadata(message: GmailMessage, now: number): Promise<MailRecord> {
  // One header per line; Gmail returns values unfolded, and a stray line break must not start a new header.
  const block = message.headers
    .map((header) => `${header.name}: ${header.value.replace(/[\r\n]+/g, " ")}`)
    .join("\r\n");
  // The MIME parser is loaded on the first sync, not with the page.
  const { mailFromMime } = await import("../../mail/mail-from-mime");
  const { mail } = await mailFromMime(
    new TextEncoder().encode(`${block}\r\n\r\n`),
    {
      source: "gmail",
      sourceId: message.id,
      id: gmailMailId(message.id),
      threadId: message.threadId,
      labels: message.labelIds,
      ...(message.internalDate !== undefined ? { receivedAt: message.internalDate } : {}),
    },
    now,
  );
  const { problem, ...rest } = mail;
  const record: MailRecord = {
    ...rest,
    // Gmail's own receive time: a Date header is whatever the sender wrote.
    receivedAt: message.internalDate ?? mail.receivedAt,
    text: "",
    snippet: unescapeSnippet(message.snippet),
    bodyLoaded: false,
  };
  // Only problems with what was read (no sender, say); "no body" is expected of metadata.
  return problem !== undefined && message.headers.length > 0 ? { ...record, problem } : record;
}
