import type { ProposedAction } from "../core/agent/action";
import { externalContent, userMessage, type ContextItem } from "../core/agent/context-item";
import { assessTaint } from "../core/agent/taint";
import type { AnyToolDefinition } from "../core/agent/tool";
import { toolProposal } from "../core/agent/tool-proposal";
import type { MailRecord } from "../store/mail-record";
import {
  gmailApplyLabelTool,
  gmailArchiveTool,
  gmailCreateDraftTool,
  gmailGetMessageTool,
  gmailSendReplyTool,
} from "../tools/gmail-tools";

/** The Gmail tools the inbox and Approvals work with, named as their declarations name them. */
export const GMAIL_GET_MESSAGE = gmailGetMessageTool.name;
export const GMAIL_CREATE_DRAFT = gmailCreateDraftTool.name;
export const GMAIL_SEND_REPLY = gmailSendReplyTool.name;
export const GMAIL_APPLY_LABEL = gmailApplyLabelTool.name;
export const GMAIL_ARCHIVE = gmailArchiveTool.name;

/** The arguments of a reply (draft or send) as the Gmail tools take them. */
export interface ReplyArguments {
  mailId: string;
  to: string;
  subject: string;
  body: string;
}

/** "Re: <subject>", without stacking a second "Re:". */
export function replySubject(subject: string): string {
  const trimmed = subject.trim();
  return /^re:/i.test(trimmed) ? trimmed : `Re: ${trimmed}`;
}

/** Where a reply goes: the Reply-To address when the mail names one, else the sender. */
export function replyRecipient(mail: MailRecord): string | undefined {
  return mail.replyTo?.[0]?.address ?? mail.from?.address;
}

export function replyArguments(mail: MailRecord, body: string): ReplyArguments | undefined {
  const to = replyRecipient(mail);
  if (to === undefined) return undefined;
  return { mailId: mail.id, to, subject: replySubject(mail.subject), body };
}

/**
 * The mail as the taint check sees it: outside text, quarantined under the mail's id
 * (`gmail:<message id>`, `local:<hash>`), which is the provenance source the whole app uses.
 */
export function mailContext(mail: MailRecord): ContextItem {
  const from = mail.from ? `${mail.from.name ?? ""} <${mail.from.address}>` : "";
  const replyTo = (mail.replyTo ?? []).map((address) => address.address).join(", ");
  const body = mail.bodyLoaded ? mail.text : mail.snippet;
  return externalContent(
    mail.id,
    [`From: ${from}`, `Reply-To: ${replyTo}`, `Subject: ${mail.subject}`, body].join("\n"),
  );
}

export interface ProposalOptions {
  id: string;
  now: number;
  /**
   * What the user chose or wrote themselves (the mail they clicked, a reply they rewrote): values
   * found whole in it count as their words on the card.
   */
  userTexts?: readonly string[];
}

/**
 * An action the user started from the inbox, built from the tool's own declaration as the agent
 * builds its proposals. Its taint is judged against the mail it concerns: the reply text was
 * written by the model after reading that mail, so a reply is always tainted by it.
 */
export function inboxProposal(
  tool: AnyToolDefinition,
  args: Readonly<Record<string, unknown>>,
  reason: string,
  context: readonly ContextItem[],
  options: ProposalOptions,
): ProposedAction {
  const items = [...context, ...(options.userTexts ?? []).map((text) => userMessage(text))];
  return toolProposal(tool, {
    id: options.id,
    arguments: args,
    reason,
    taint: assessTaint(args, items),
    proposedAt: options.now,
  });
}
