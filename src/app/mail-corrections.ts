import type { MailCategory, MailRecord, MailRule, MailTriage } from "../store/mail-record";

/** What a rule made from a correction matches: the sender's address, their domain, or the mailing list. */
export type RuleScope = "address" | "domain" | "list";

/** One way to turn a correction into a rule, as the inbox offers it. */
export interface RuleOffer {
  scope: RuleScope;
  /** The rule's matcher as `MailRule` stores it: `ann@example.com`, `@example.com`, or a List-Id. */
  value: string;
  /** What the user reads on the button, e.g. "Mail from ann@example.com". */
  label: string;
}

/** The triage a user's correction gives: their category, decided by them, with the model's words where they still fit. */
export function correctedTriage(mail: MailRecord, category: MailCategory, now: number): MailTriage {
  const previous = mail.triage;
  return {
    category,
    ...(previous?.summary !== undefined ? { summary: previous.summary } : {}),
    // A draft answers a mail that needs a reply; filed elsewhere, it no longer applies.
    ...(category === "needs_reply" && previous?.draftReply !== undefined ? { draftReply: previous.draftReply } : {}),
    decidedBy: "user",
    at: now,
  };
}

/** The sender's address as rules compare it, or undefined when the mail has none that can be matched. */
export function senderAddress(mail: MailRecord): string | undefined {
  const address = mail.from?.address.trim().toLowerCase();
  return address && /^[^@\s]+@[^@\s]+$/.test(address) ? address : undefined;
}

/**
 * The list's identifier from a List-Id header (RFC 2919: an optional phrase, then `<id>`),
 * lower-case; the whole value when it has no angle brackets.
 */
export function listIdentifier(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const bracketed = /<([^<>]+)>/.exec(header)?.[1] ?? header;
  const id = bracketed.trim().toLowerCase();
  return id === "" ? undefined : id;
}

/** The rules a correction of this mail could become, narrowest first. */
export function ruleOffers(mail: MailRecord): RuleOffer[] {
  const offers: RuleOffer[] = [];
  const address = senderAddress(mail);
  if (address !== undefined) {
    offers.push({ scope: "address", value: address, label: `Mail from ${address}` });
    const domain = address.slice(address.indexOf("@"));
    offers.push({ scope: "domain", value: domain, label: `Mail from anyone at ${domain.slice(1)}` });
  }
  const list = listIdentifier(mail.ruleHeaders.listId);
  if (list !== undefined) offers.push({ scope: "list", value: list, label: `Mail from the list ${list}` });
  return offers;
}

/** A rule from a correction: `offer` matched, filed under `category`. */
export function ruleFromCorrection(
  mail: MailRecord,
  offer: RuleOffer,
  category: MailCategory,
  now: number,
  id: string,
): MailRule {
  const matcher = offer.scope === "list" ? { listId: offer.value } : { from: offer.value };
  return { id, ...matcher, category, origin: "correction", createdAt: now, fromMailId: mail.id };
}

function sameMatcher(a: MailRule, b: MailRule): boolean {
  return a.from === b.from && a.listId === b.listId && a.subjectContains === b.subjectContains;
}

/**
 * The rules with `rule` added. A rule that matches the same mail is replaced, so the latest
 * correction wins rather than two rules disagreeing about the same sender.
 */
export function withRule(rules: readonly MailRule[], rule: MailRule): MailRule[] {
  return [...rules.filter((existing) => !sameMatcher(existing, rule)), rule];
}

export function withoutRule(rules: readonly MailRule[], id: string): MailRule[] {
  return rules.filter((rule) => rule.id !== id);
}

/** How a rule reads in the rules list, e.g. "Mail from anyone at example.com". */
export function describeRuleMatch(rule: MailRule): string {
  const parts: string[] = [];
  if (rule.from !== undefined) {
    parts.push(rule.from.startsWith("@") ? `Mail from anyone at ${rule.from.slice(1)}` : `Mail from ${rule.from}`);
  }
  if (rule.listId !== undefined) parts.push(`${parts.length > 0 ? "on" : "Mail from"} the list ${rule.listId}`);
  if (rule.subjectContains !== undefined) {
    parts.push(`${parts.length > 0 ? "with" : "Mail with"} “${rule.subjectContains}” in the subject`);
  }
  return parts.join(" ");
}
