import type { MailCategory } from "../../store/mail-record";

/** How Tabclaw names each triage category to people: in Gmail labels and in the Inbox. */
export const MAIL_CATEGORY_TITLES: Readonly<Record<MailCategory, string>> = {
  urgent: "Urgent",
  needs_reply: "Needs reply",
  fyi: "FYI",
  newsletter: "Newsletter",
  automated: "Automated",
  suspicious: "Suspicious",
};

/** Every label triage proposes lives under this parent, so the user can find (or delete) them at once. */
export const TRIAGE_LABEL_PARENT = "Tabclaw";

/** The Gmail label for a category, e.g. `Tabclaw/Needs reply` (Gmail shows `/` as nesting). */
export function triageLabelName(category: MailCategory): string {
  return `${TRIAGE_LABEL_PARENT}/${MAIL_CATEGORY_TITLES[category]}`;
}
