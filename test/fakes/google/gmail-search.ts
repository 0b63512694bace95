/**
 * The subset of Gmail's search syntax (the `q` parameter) the fake understands. Terms are ANDed;
 * a leading `-` negates one. Supported:
 *   from: to: cc: bcc: subject: label: in:(inbox|sent|draft|drafts|spam|trash|starred|anywhere)
 *   is:(unread|read|starred|important) has:attachment rfc822msgid: category:(primary|social|
 *   promotions|updates|forums) after: before: (YYYY/MM/DD or epoch seconds) newer_than: older_than:
 *   (Nd, Nm, Ny) and bare words or "quoted phrases" (matched in subject, sender and text).
 * Anything else (OR, braces, parentheses, other operators) throws UnsupportedQueryError so a test
 * fails loudly instead of the fake silently returning the wrong messages.
 */

export class UnsupportedQueryError extends Error {
  override name = "UnsupportedQueryError";
}

/** What a query term is tested against. */
export interface SearchableMessage {
  labelIds: ReadonlySet<string>;
  /** Lower-case label names by id, to resolve `label:`. */
  labelNames: ReadonlyMap<string, string>;
  header(name: string): string | undefined;
  text: string;
  internalDate: number;
  hasAttachment: boolean;
}

interface Term {
  negated: boolean;
  operator?: string;
  value: string;
}

const DAY_MS = 86_400_000;
const CATEGORY_LABELS: Record<string, string> = {
  primary: "CATEGORY_PERSONAL",
  social: "CATEGORY_SOCIAL",
  promotions: "CATEGORY_PROMOTIONS",
  updates: "CATEGORY_UPDATES",
  forums: "CATEGORY_FORUMS",
};
const IN_LABELS: Record<string, string> = {
  inbox: "INBOX",
  sent: "SENT",
  draft: "DRAFT",
  drafts: "DRAFT",
  spam: "SPAM",
  trash: "TRASH",
  starred: "STARRED",
  important: "IMPORTANT",
};

function tokenize(query: string): Term[] {
  const terms: Term[] = [];
  const pattern = /(-?)(?:([a-z_0-9]+):)?("([^"]*)"|[^\s"]+)/gi;
  for (const match of query.matchAll(pattern)) {
    const [, minus = "", operator, whole = "", quoted] = match;
    const value = quoted ?? whole;
    if (operator === undefined && (value === "OR" || value === "AND" || value === "AROUND")) {
      throw new UnsupportedQueryError(`The fake Gmail does not support ${value} in q`);
    }
    if (/[{}()]/.test(value))
      throw new UnsupportedQueryError(`The fake Gmail does not support grouping in q: ${value}`);
    terms.push({ negated: minus === "-", operator: operator?.toLowerCase(), value });
  }
  return terms;
}

function parseDate(value: string): number {
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const match = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})$/.exec(value);
  if (!match)
    throw new UnsupportedQueryError(`The fake Gmail reads dates as YYYY/MM/DD or epoch seconds, not ${value}`);
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
}

function parseAge(value: string): number {
  const match = /^(\d+)([dmy])$/.exec(value);
  if (!match) throw new UnsupportedQueryError(`newer_than/older_than take Nd, Nm or Ny, not ${value}`);
  const days = { d: 1, m: 30, y: 365 }[match[2] as "d" | "m" | "y"];
  return Number(match[1]) * days * DAY_MS;
}

function contains(haystack: string | undefined, needle: string): boolean {
  return (haystack ?? "").toLowerCase().includes(needle.toLowerCase());
}

function matchesTerm(term: Term, message: SearchableMessage, now: number): boolean {
  const { value } = term;
  switch (term.operator) {
    case undefined:
      return (
        contains(message.header("subject"), value) ||
        contains(message.header("from"), value) ||
        contains(message.text, value)
      );
    case "from":
    case "to":
    case "cc":
    case "bcc":
    case "subject":
      return contains(message.header(term.operator), value);
    case "label": {
      const wanted = value.toLowerCase().replace(/-/g, "/");
      return [...message.labelIds].some(
        (id) => id.toLowerCase() === value.toLowerCase() || message.labelNames.get(id)?.replace(/-/g, "/") === wanted,
      );
    }
    case "in": {
      if (value.toLowerCase() === "anywhere") return true;
      const label = IN_LABELS[value.toLowerCase()];
      if (label === undefined) throw new UnsupportedQueryError(`The fake Gmail does not support in:${value}`);
      return message.labelIds.has(label);
    }
    case "is":
      switch (value.toLowerCase()) {
        case "unread":
          return message.labelIds.has("UNREAD");
        case "read":
          return !message.labelIds.has("UNREAD");
        case "starred":
          return message.labelIds.has("STARRED");
        case "important":
          return message.labelIds.has("IMPORTANT");
        default:
          throw new UnsupportedQueryError(`The fake Gmail does not support is:${value}`);
      }
    case "has":
      if (value.toLowerCase() !== "attachment")
        throw new UnsupportedQueryError(`The fake Gmail does not support has:${value}`);
      return message.hasAttachment;
    case "rfc822msgid":
      return (message.header("message-id") ?? "").replace(/[<>]/g, "") === value.replace(/[<>]/g, "");
    case "category": {
      const label = CATEGORY_LABELS[value.toLowerCase()];
      if (label === undefined) throw new UnsupportedQueryError(`The fake Gmail does not support category:${value}`);
      return message.labelIds.has(label);
    }
    case "after":
      return message.internalDate >= parseDate(value);
    case "before":
      return message.internalDate < parseDate(value);
    case "newer_than":
      return message.internalDate >= now - parseAge(value);
    case "older_than":
      return message.internalDate < now - parseAge(value);
    default:
      throw new UnsupportedQueryError(`The fake Gmail does not support the ${term.operator}: operator`);
  }
}

/** A predicate for messages matching `query`; throws UnsupportedQueryError for syntax outside the subset. */
export function compileSearch(query: string, now: number): (message: SearchableMessage) => boolean {
  const terms = tokenize(query);
  // Run every term once on an empty message so unsupported syntax fails even on an empty mailbox.
  const empty: SearchableMessage = {
    labelIds: new Set(),
    labelNames: new Map(),
    header: () => undefined,
    text: "",
    internalDate: 0,
    hasAttachment: false,
  };
  for (const term of terms) matchesTerm(term, empty, now);
  return (message) => terms.every((term) => matchesTerm(term, message, now) !== term.negated);
}

/** True when the query itself names spam or trash, which Gmail then searches even without includeSpamTrash. */
export function queryNamesSpamOrTrash(query: string): boolean {
  return /(^|\s)in:(spam|trash|anywhere)\b/i.test(query) || /(^|\s)label:(spam|trash)\b/i.test(query);
}
