import { defineTool, type AnyToolDefinition } from "../core/agent/tool";
import { GMAIL_COMPOSE_SCOPE, GMAIL_MODIFY_SCOPE, GMAIL_READONLY_SCOPE } from "./gmail-scopes";

/**
 * The Gmail tools (connector `gmail`, run by the page's Gmail connector). Mail ids are Tabclaw's
 * MailRecord ids (`gmail:<message id>`). Routines propose them (triage: a label per mail, a draft
 * for mail that needs a reply); the chat agent does not offer them. `mailSubject`/`mailFrom` only
 * tell the user, on the card, which mail an action is about: the connector acts on `mailId`.
 */

/** A MailRecord id: short, one line. */
const MAIL_ID = { type: "string", minLength: 1, maxLength: 120 } as const;
/** Gmail allows label names of up to 225 characters. */
const LABEL_NAME = { type: "string", minLength: 1, maxLength: 225 } as const;
/**
 * Subjects, senders, recipients and bodies are left unbounded: a bounded string cannot hold a quote
 * under the model's constrained decoding, and display names often have one. The connector checks them.
 */
const TEXT = { type: "string" } as const;

/** Splits a To line into the addresses the card lists as recipients. */
export function recipientsOf(to: string): string[] {
  return to
    .split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)
    .map((part) => part.trim())
    .filter((part) => part !== "");
}

export const gmailSyncTool = defineTool({
  name: "gmail_sync",
  description: "Fetch new Gmail inbox mail (headers and snippets) into Tabclaw's inbox.",
  effect: "read",
  connector: "gmail",
  scope: GMAIL_READONLY_SCOPE,
  // The result is counts only; the mails themselves go to the mail store, marked as outside text.
  resultTrust: "trusted",
  argumentsSchema: { type: "object", properties: {}, additionalProperties: false },
  preview: () => ({ title: "Check Gmail for new mail", destination: "Gmail inbox", fields: [] }),
});

export const gmailGetMessageTool = defineTool({
  name: "gmail_get_message",
  description: "Load the full text of one Gmail mail by its mail id.",
  effect: "read",
  connector: "gmail",
  scope: GMAIL_READONLY_SCOPE,
  resultTrust: "untrusted",
  argumentsSchema: {
    type: "object",
    properties: { mailId: MAIL_ID },
    required: ["mailId"],
    additionalProperties: false,
  },
  preview: (args) => ({ title: "Read a mail from Gmail", fields: [{ label: "Mail", value: args.mailId }] }),
});

export const gmailApplyLabelTool = defineTool({
  name: "gmail_apply_label",
  description: "Add a Gmail label (created if missing) to one mail.",
  effect: "write",
  connector: "gmail",
  scope: GMAIL_MODIFY_SCOPE,
  resultTrust: "trusted",
  argumentsSchema: {
    type: "object",
    properties: { mailId: MAIL_ID, label: LABEL_NAME, mailSubject: TEXT, mailFrom: TEXT },
    required: ["mailId", "label", "mailSubject", "mailFrom"],
    additionalProperties: false,
  },
  preview: (args) => ({
    title: `Label a mail "${args.label}" in Gmail`,
    destination: "Gmail",
    fields: [
      { label: "Label", value: args.label },
      { label: "Mail", value: args.mailSubject === "" ? "(no subject)" : args.mailSubject },
      { label: "From", value: args.mailFrom },
    ],
  }),
});

export const gmailArchiveTool = defineTool({
  name: "gmail_archive",
  description: "Archive one Gmail mail (take it out of the inbox; it is not deleted).",
  effect: "write",
  connector: "gmail",
  scope: GMAIL_MODIFY_SCOPE,
  resultTrust: "trusted",
  argumentsSchema: {
    type: "object",
    properties: { mailId: MAIL_ID, mailSubject: TEXT, mailFrom: TEXT },
    required: ["mailId", "mailSubject", "mailFrom"],
    additionalProperties: false,
  },
  preview: (args) => ({
    title: "Archive a mail in Gmail",
    destination: "Gmail",
    fields: [
      { label: "Mail", value: args.mailSubject === "" ? "(no subject)" : args.mailSubject },
      { label: "From", value: args.mailFrom },
    ],
  }),
});

const replySchema = {
  type: "object",
  properties: { mailId: MAIL_ID, to: TEXT, subject: TEXT, body: TEXT },
  required: ["mailId", "to", "subject", "body"],
  additionalProperties: false,
} as const;

export const gmailCreateDraftTool = defineTool({
  name: "gmail_create_draft",
  description: "Save a reply to one mail as a Gmail draft in its thread (nothing is sent).",
  effect: "write",
  connector: "gmail",
  scope: GMAIL_COMPOSE_SCOPE,
  resultTrust: "trusted",
  argumentsSchema: replySchema,
  preview: (args) => ({
    title: "Save a reply draft in Gmail",
    destination: "Gmail drafts",
    recipients: recipientsOf(args.to),
    fields: [
      { label: "To", value: args.to },
      { label: "Subject", value: args.subject },
      { label: "In reply to", value: args.mailId },
    ],
    body: args.body,
  }),
});

/** A send: never auto-approved, never batched (the policy asks for every send). */
export const gmailSendReplyTool = defineTool({
  name: "gmail_send_reply",
  description: "Send a reply to one mail from the user's Gmail, in its thread.",
  effect: "send",
  connector: "gmail",
  scope: GMAIL_COMPOSE_SCOPE,
  resultTrust: "trusted",
  argumentsSchema: replySchema,
  preview: (args) => ({
    title: "Send a reply from Gmail",
    destination: "Gmail (sent from your address)",
    recipients: recipientsOf(args.to),
    fields: [
      { label: "To", value: args.to },
      { label: "Subject", value: args.subject },
      { label: "In reply to", value: args.mailId },
    ],
    body: args.body,
  }),
});

export const GMAIL_TOOLS: readonly AnyToolDefinition[] = [
  gmailSyncTool,
  gmailGetMessageTool,
  gmailApplyLabelTool,
  gmailArchiveTool,
  gmailCreateDraftTool,
  gmailSendReplyTool,
];
