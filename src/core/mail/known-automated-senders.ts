/**
 * Senders whose mail is written by a machine, recognised from the address alone. Two lists, kept
 * short on purpose: a wrong entry files a person's mail under Automated, where it may go unread.
 *
 * 1. Services whose notification addresses are known and carry nothing else. They come first among
 *    the built-in rules because these services also mark their notifications as list mail
 *    (List-Unsubscribe, `Precedence: list`), which would otherwise file them as newsletters.
 * 2. Address patterns that say no person reads the mailbox: `noreply`, `do-not-reply`, the
 *    `notifications@` / `notify@` mailboxes of services, and the mail system's own `mailer-daemon`
 *    and `postmaster` (bounces and delivery reports). They are checked after the newsletter
 *    markers, so a no-reply newsletter stays a newsletter.
 */

export interface KnownService {
  /** Who sends it, for the rule's description. */
  service: string;
  /** An exact address, lower-case. */
  address?: string;
  /** A domain: the address's domain equals it or is a subdomain of it. */
  domain?: string;
}

export const KNOWN_NOTIFICATION_SERVICES: readonly KnownService[] = [
  // Issue, pull request and CI notifications; GitHub marks them `Precedence: list` with List-Unsubscribe.
  { service: "GitHub", address: "notifications@github.com" },
  { service: "GitHub", address: "noreply@github.com" },
  // GitLab.com notifications are sent from this one address.
  { service: "GitLab", address: "gitlab@mg.gitlab.com" },
  // Each Jira or Confluence Cloud site sends its notifications from <product>@<site>.atlassian.net; nobody writes from there.
  { service: "Jira or Confluence", domain: "atlassian.net" },
  // Facebook's notification-only domain.
  { service: "Facebook", domain: "facebookmail.com" },
  // Google Calendar's reminders and invitation updates.
  { service: "Google Calendar", address: "calendar-notification@google.com" },
];

/** Local parts (before the @) that say replies are not read. */
const NO_REPLY = /no[._-]?reply|do[._-]?not[._-]?reply/;
/** Service mailboxes that only notify: `notifications@`, `notification@`, `calendar-notification@`, `notify@`. */
const NOTIFIER = /(^|[._-])(notifications?|notify)([._+-]|$)/;
/** The mail system itself: bounces and delivery reports. */
const MAIL_SYSTEM = new Set(["mailer-daemon", "postmaster"]);

function split(address: string): { local: string; domain: string } | undefined {
  const at = address.lastIndexOf("@");
  if (at <= 0 || at === address.length - 1) return undefined;
  return { local: address.slice(0, at), domain: address.slice(at + 1) };
}

function inDomain(domain: string, parent: string): boolean {
  return domain === parent || domain.endsWith(`.${parent}`);
}

/** The known service that sends from this address (lower-case), if any. */
export function knownNotificationService(address: string): KnownService | undefined {
  const parts = split(address);
  if (!parts) return undefined;
  return KNOWN_NOTIFICATION_SERVICES.find((known) =>
    known.address !== undefined
      ? known.address === address
      : known.domain !== undefined && inDomain(parts.domain, known.domain),
  );
}

/** Why the address looks automated (`no-reply`, `notifications`, `mail system`), or undefined. */
export function automatedAddressKind(address: string): "no-reply" | "notifications" | "mail system" | undefined {
  const parts = split(address);
  // A bare `MAILER-DAEMON` without a domain happens in bounces too.
  const local = parts?.local ?? address;
  if (MAIL_SYSTEM.has(local)) return "mail system";
  if (!parts) return undefined;
  if (NO_REPLY.test(local)) return "no-reply";
  if (NOTIFIER.test(local)) return "notifications";
  return undefined;
}
