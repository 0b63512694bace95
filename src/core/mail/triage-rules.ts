import type { MailCategory, MailRecord, MailRule } from "../../store/mail-record";
import { automatedAddressKind, knownNotificationService } from "./known-automated-senders";

/**
 * The deterministic part of triage: rules that file a mail without the model (0 tokens). The
 * user's own rules come first; then the built-in ones, each with an id (stored on the mail's
 * triage) and a description the Inbox can show. `decideByRules` returns undefined when no rule
 * decides, and the model is asked.
 *
 * Built-in order, and why:
 * 1. `auto-submitted`: RFC 3834's explicit statement that a machine wrote the mail (Jira, bounces,
 *    vacation replies). It outranks the list markers, which many such systems also set.
 * 2. `service-notifications`: a short list of services known to notify from fixed addresses
 *    (`known-automated-senders.ts`); they too set list markers.
 * 3. `list-unsubscribe`, `bulk-precedence`, `bulk-list-id`: sent to many → newsletter. Discussion
 *    lists carry these headers as well; a user rule for the list ("always FYI") overrides them.
 * 4. `no-reply-sender`: no-reply, notification and mail-system addresses → automated.
 */

/** What a rule reads of a mail. */
export type RuleInput = Pick<MailRecord, "from" | "subject" | "ruleHeaders">;

export interface RuleDecision {
  category: MailCategory;
  /** The built-in rule's id, or the user's rule's own id. */
  ruleId: string;
  /** For people: "List-Unsubscribe header", "your rule: mail from ann@example.com". */
  description: string;
  origin: "user" | "built-in";
}

export interface BuiltInRule {
  id: string;
  category: MailCategory;
  /** What the Inbox shows as the reason, e.g. "List-Unsubscribe header". */
  description: string;
  /** A sentence naming the detail that matched, or undefined when the rule does not apply. */
  match(mail: RuleInput, sender: string | undefined): string | undefined;
}

/** The sender's address as rules compare it: trimmed and lower-case; undefined when there is none. */
export function senderOf(mail: RuleInput): string | undefined {
  const address = mail.from?.address.trim().toLowerCase();
  return address === undefined || address === "" ? undefined : address;
}

/** The first token of a header value (`auto-generated; type=x` → `auto-generated`), lower-case. */
function headerToken(value: string | undefined): string | undefined {
  const token = value?.split(";")[0]?.trim().toLowerCase();
  return token === undefined || token === "" ? undefined : token;
}

/** List-Id values that bulk senders (mailing services, marketing systems) use, unlike discussion lists. */
const BULK_LIST_ID =
  /newsletter|marketing|promo|campaign|announce|mcsv\.net|list-manage|mailchimp|sendgrid|hubspot|exacttarget|salesforce|\.xt\.local|bulk/;

export const BUILT_IN_RULES: readonly BuiltInRule[] = [
  {
    id: "auto-submitted",
    category: "automated",
    description: "Auto-Submitted header (sent by a machine)",
    match: (mail) => {
      const value = headerToken(mail.ruleHeaders.autoSubmitted);
      return value !== undefined && value !== "no" ? `Auto-Submitted: ${value}` : undefined;
    },
  },
  {
    id: "service-notifications",
    category: "automated",
    description: "A known service's notification address",
    match: (_mail, sender) => {
      const known = sender === undefined ? undefined : knownNotificationService(sender);
      return known ? `${known.service} notifications` : undefined;
    },
  },
  {
    id: "list-unsubscribe",
    category: "newsletter",
    description: "List-Unsubscribe header",
    match: (mail) => (mail.ruleHeaders.listUnsubscribe?.trim() ? "List-Unsubscribe" : undefined),
  },
  {
    id: "bulk-precedence",
    category: "newsletter",
    description: "Precedence: bulk, list or junk",
    match: (mail) => {
      const value = headerToken(mail.ruleHeaders.precedence);
      return value === "bulk" || value === "list" || value === "junk" ? `Precedence: ${value}` : undefined;
    },
  },
  {
    id: "bulk-list-id",
    category: "newsletter",
    description: "List-Id of a bulk mailing service",
    match: (mail) => {
      const value = mail.ruleHeaders.listId?.toLowerCase();
      return value !== undefined && BULK_LIST_ID.test(value) ? `List-Id ${value.trim()}` : undefined;
    },
  },
  {
    id: "no-reply-sender",
    category: "automated",
    description: "A no-reply or notification sender address",
    match: (_mail, sender) => {
      const kind = sender === undefined ? undefined : automatedAddressKind(sender);
      return kind === undefined ? undefined : `${kind} address`;
    },
  },
];

/** The Inbox's words for a built-in rule id, e.g. "List-Unsubscribe header"; undefined for a user rule. */
export function builtInRuleDescription(ruleId: string): string | undefined {
  return BUILT_IN_RULES.find((rule) => rule.id === ruleId)?.description;
}

function domainOf(address: string): string | undefined {
  const at = address.lastIndexOf("@");
  return at < 0 ? undefined : address.slice(at + 1);
}

/** Whether the user's `from` matcher (`ann@example.com` or `@example.com`) covers the sender. */
function senderMatches(matcher: string, sender: string | undefined): boolean {
  if (sender === undefined) return false;
  const wanted = matcher.trim().toLowerCase();
  if (!wanted.startsWith("@")) return wanted === sender;
  const domain = domainOf(sender);
  const parent = wanted.slice(1);
  // "Anyone at example.com" includes mail.example.com: the same organisation.
  return domain !== undefined && parent !== "" && (domain === parent || domain.endsWith(`.${parent}`));
}

/** Whether every part the user's rule names matches (a rule naming nothing matches nothing). */
export function userRuleMatches(rule: MailRule, mail: RuleInput): boolean {
  const sender = senderOf(mail);
  const parts: boolean[] = [];
  if (rule.from !== undefined) parts.push(senderMatches(rule.from, sender));
  if (rule.listId !== undefined) {
    const wanted = rule.listId.trim().toLowerCase();
    parts.push(wanted !== "" && (mail.ruleHeaders.listId?.toLowerCase().includes(wanted) ?? false));
  }
  if (rule.subjectContains !== undefined) {
    const wanted = rule.subjectContains.trim().toLowerCase();
    parts.push(wanted !== "" && mail.subject.toLowerCase().includes(wanted));
  }
  return parts.length > 0 && parts.every(Boolean);
}

/**
 * How narrowly a user rule picks mail: an address beats a list, which beats a domain or a subject
 * word; naming more parts is narrower still. The narrowest matching rule wins, so "ann@example.com
 * → Needs reply" holds inside "anyone at example.com → Newsletter", whichever was made first.
 */
function narrowness(rule: MailRule): number {
  let score = 0;
  if (rule.from !== undefined) score += rule.from.trim().startsWith("@") ? 1 : 4;
  if (rule.listId !== undefined) score += 2;
  if (rule.subjectContains !== undefined) score += 1;
  return score;
}

function describeUserRule(rule: MailRule): string {
  const parts: string[] = [];
  if (rule.from !== undefined)
    parts.push(rule.from.startsWith("@") ? `mail from anyone at ${rule.from.slice(1)}` : `mail from ${rule.from}`);
  if (rule.listId !== undefined) parts.push(`the list ${rule.listId}`);
  if (rule.subjectContains !== undefined) parts.push(`“${rule.subjectContains}” in the subject`);
  return `your rule: ${parts.join(", ")}`;
}

/** The user's rule that files this mail, if any: the narrowest, then the newest. */
export function matchUserRule(mail: RuleInput, rules: readonly MailRule[]): MailRule | undefined {
  return rules
    .filter((rule) => userRuleMatches(rule, mail))
    .sort((a, b) => narrowness(b) - narrowness(a) || b.createdAt - a.createdAt)[0];
}

/** The rule that files this mail, or undefined when no rule decides (then the model is asked). */
export function decideByRules(mail: RuleInput, userRules: readonly MailRule[] = []): RuleDecision | undefined {
  const mine = matchUserRule(mail, userRules);
  if (mine) return { category: mine.category, ruleId: mine.id, description: describeUserRule(mine), origin: "user" };
  const sender = senderOf(mail);
  for (const rule of BUILT_IN_RULES) {
    const detail = rule.match(mail, sender);
    if (detail !== undefined)
      return {
        category: rule.category,
        ruleId: rule.id,
        description: `${rule.description} (${detail})`,
        origin: "built-in",
      };
  }
  return undefined;
}
