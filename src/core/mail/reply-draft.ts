import type { MailRecord } from "../../store/mail-record";

/** A reply as the Gmail draft and send tools take it. */
export interface ReplyDraft {
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

/** Where a reply goes: the first Reply-To address when the mail names one, else the sender. */
export function replyRecipient(mail: MailRecord): string | undefined {
  const address = (mail.replyTo?.[0]?.address ?? mail.from?.address)?.trim();
  return address === undefined || address === "" ? undefined : address;
}

/** The reply to `mail` with `body`, or undefined when the mail names nobody to answer. */
export function replyDraft(mail: MailRecord, body: string): ReplyDraft | undefined {
  const to = replyRecipient(mail);
  return to === undefined ? undefined : { mailId: mail.id, to, subject: replySubject(mail.subject), body };
}
