import type { ProposedAction } from "../core/agent/action";
import { externalContent } from "../core/agent/context-item";
import { assessTaint } from "../core/agent/taint";
import type { AnyToolDefinition } from "../core/agent/tool";
import { toolProposal } from "../core/agent/tool-proposal";
import { replyDraft } from "../core/mail/reply-draft";
import { MAIL_CATEGORY_TITLES, triageLabelName } from "../core/mail/triage-labels";
import { triageMailData } from "../core/mail/triage-prompt";
import type { MailCategory, MailRecord } from "../store/mail-record";
import { gmailApplyLabelTool, gmailCreateDraftTool, gmailSyncTool } from "../tools/gmail-tools";

/**
 * The Gmail actions triage proposes for one mail, built from the tools' own declarations as the
 * agent builds its proposals: a label for its category, and a reply draft for mail that needs one.
 * Never a send. Every argument came from reading the mail (its subject, its sender, a draft the
 * model wrote after reading it), so each proposal's taint names the mail's source (`gmail:<id>`),
 * judged against exactly the text triage read; the Gate then asks before running any of them.
 */

/** The routine's name, as proposal ids and reasons carry it. */
const ROUTINE = "mail-triage";

function proposal(
  tool: AnyToolDefinition,
  id: string,
  args: Record<string, unknown>,
  reason: string,
  mail: MailRecord,
  now: number,
): ProposedAction {
  const taint = assessTaint(args, [externalContent(mail.id, triageMailData(mail))]);
  return toolProposal(tool, { id, arguments: args, reason, taint, proposedAt: now });
}

function senderLine(mail: MailRecord): string {
  if (!mail.from) return "(no sender)";
  return mail.from.name ? `${mail.from.name} <${mail.from.address}>` : mail.from.address;
}

/** `gmail_apply_label` with `Tabclaw/<Category>`; one id per mail and category, so proposing again changes nothing. */
export function labelProposal(
  mail: MailRecord,
  category: MailCategory,
  decidedBy: string,
  now: number,
): ProposedAction {
  const args = {
    mailId: mail.id,
    label: triageLabelName(category),
    mailSubject: mail.subject,
    mailFrom: senderLine(mail),
  };
  return proposal(
    gmailApplyLabelTool,
    `${ROUTINE}:label:${mail.id}:${category}`,
    args,
    `Mail triage filed this mail under ${MAIL_CATEGORY_TITLES[category]} (${decidedBy}).`,
    mail,
    now,
  );
}

/** `gmail_create_draft` replying to the sender (or Reply-To) with the model's draft; undefined when nobody can be answered. */
export function draftProposal(mail: MailRecord, body: string, now: number): ProposedAction | undefined {
  const draft = replyDraft(mail, body);
  if (!draft) return undefined;
  return proposal(
    gmailCreateDraftTool,
    `${ROUTINE}:draft:${mail.id}`,
    { ...draft },
    "Mail triage: this mail needs a reply; the model drafted one for you to check (it is saved as a draft, not sent).",
    mail,
    now,
  );
}

/**
 * `gmail_sync`: fetch new Gmail mail into the mail store before triage (a read; the Gate decides).
 * Every run's sync is a new action: the Gate answers a repeated id from its record without running it.
 */
export function syncProposal(now: number): ProposedAction {
  const args = {};
  return toolProposal(gmailSyncTool, {
    id: `${ROUTINE}:sync:${now}:${crypto.randomUUID()}`,
    arguments: args,
    reason: "Scheduled mail triage: fetch new Gmail mail first.",
    // The routine, not a model, asks for it, with no arguments: nothing untrusted is involved.
    taint: assessTaint(args, []),
    proposedAt: now,
  });
}
