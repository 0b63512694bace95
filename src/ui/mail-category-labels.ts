import { describeRuleMatch } from "../app/mail-corrections";
import { builtInRuleDescription } from "../core/mail/triage-rules";
import type { InboxCategory } from "../app/inbox-controller";
import type { MailRecord, MailRule, TriageDecider } from "../store/mail-record";

/** What the inbox calls each category. */
export const INBOX_CATEGORY_TITLES: Record<InboxCategory, string> = {
  urgent: "Urgent",
  needs_reply: "Needs reply",
  fyi: "FYI",
  newsletter: "Newsletter",
  automated: "Automated",
  suspicious: "Suspicious",
  new: "Not triaged yet",
};

const DECIDERS: Record<TriageDecider, string> = { rule: "a rule", model: "the model", user: "you" };

/**
 * Who filed the mail where it is: "Filed by your rule: Mail from ann@example.com", "Filed by a rule:
 * List-Unsubscribe header" for a built-in one, "Filed by the model (…)", "Filed by you".
 */
export function describeDecision(mail: MailRecord, userRules: readonly MailRule[]): string {
  const triage = mail.triage;
  if (!triage) return "Waiting for triage";
  const by = DECIDERS[triage.decidedBy];
  const userRule = userRules.find((rule) => rule.id === triage.ruleId);
  if (triage.decidedBy === "rule" && userRule) return `Filed by your rule: ${describeRuleMatch(userRule)}`;
  if (triage.decidedBy === "rule" && triage.ruleId !== undefined) {
    const builtIn = builtInRuleDescription(triage.ruleId);
    return builtIn !== undefined ? `Filed by ${by}: ${builtIn}` : "Filed by a rule of yours, since deleted";
  }
  if (triage.decidedBy === "model" && triage.modelId !== undefined) return `Filed by ${by} (${triage.modelId})`;
  return `Filed by ${by}`;
}
