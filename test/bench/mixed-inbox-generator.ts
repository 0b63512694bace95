import { buildRawMail, type RawMailInput } from "../fakes/google/raw-mail";

/**
 * A seeded, reproducible inbox of the kinds of mail triage meets: newsletters (List-Unsubscribe,
 * bulk Precedence, a mailing service's List-Id), automated notifications (receipts, code hosting,
 * issue trackers, bounces, calendars, and some a rule cannot know), personal mail (questions,
 * updates, threads with quoted history and signatures, a few long ones) and a few suspicious ones
 * (phishing with lookalike domains and tracking links). Each mail comes as raw MIME, so the
 * benchmark reads it with the importer's own parser, and with the kind it was generated as.
 */

export type GeneratedKind = "newsletter" | "automated" | "personal" | "suspicious";

export interface GeneratedMail {
  kind: GeneratedKind;
  raw: Buffer;
}

/** mulberry32: a tiny seeded generator, so every run measures the same inbox. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const FIRST = ["Ann", "Bob", "Chen", "Dana", "Eli", "Farah", "Goran", "Hana", "Ivo", "Jo", "Kai", "Lena"];
const LAST = ["Meyer", "Okafor", "Silva", "Novak", "Tanaka", "Byrne", "Haddad", "Larsen", "Moreau", "Quinn"];
const DOMAINS = ["example.com", "acme.example", "partner.example.org", "mail.example.net", "studio.example"];
const BRANDS = ["gardenweekly", "techdigest", "bookclub", "runnersworld", "citynews", "shopmart", "travelco"];

const PERSONAL_SUBJECTS = [
  "Budget for Q3",
  "Can we move Thursday's call?",
  "Draft of the proposal",
  "Lunch next week",
  "Re: Hiring plan",
  "Question about the invoice",
  "Notes from today's meeting",
  "Re: Re: Office move",
  "Your talk at the meetup",
  "Contract review",
];

const PERSONAL_OPENINGS = [
  "Could you send me the latest numbers before Thursday? The board wants them in the deck.",
  "I can't make the call on Thursday. Would Friday at 10 work for you instead?",
  "Attached is the draft. I rewrote the second section; tell me what you think.",
  "Are you free for lunch next week? Tuesday or Wednesday would suit me best.",
  "Thanks for the notes. I agree with most of it, but I'd hold off on the second hire until March.",
  "The invoice from last month lists twelve hours, but we agreed on ten. Can you check?",
  "Here are my notes from today. Action items are at the bottom; two of them are yours.",
  "Movers come on the 14th. Please pack your desk by the 13th and label the boxes.",
  "Loved your talk. Would you share the slides? A few people asked me for them.",
  "Legal had a look at the contract; they want clause 7 changed before we sign.",
];

const FILLER =
  "We went through the list again this morning and most of it still holds. The open points are the timeline, " +
  "the budget split between the two teams and who owns the rollout. I have asked Dana to draft the timeline " +
  "and will share it as soon as it is ready. ";

function pick<T>(next: () => number, items: readonly T[]): T {
  const item = items[Math.floor(next() * items.length)];
  if (item === undefined) throw new Error("empty list");
  return item;
}

function person(next: () => number): { name: string; address: string } {
  const first = pick(next, FIRST);
  const last = pick(next, LAST);
  return { name: `${first} ${last}`, address: `${first.toLowerCase()}.${last.toLowerCase()}@${pick(next, DOMAINS)}` };
}

function trackingLink(next: () => number, host: string): string {
  return `https://${host}/c/${Math.floor(next() * 1e9).toString(36)}?utm_source=newsletter&utm_medium=email&utm_campaign=weekly&id=${"a1b2c3d4".repeat(6)}`;
}

function newsletter(next: () => number): RawMailInput {
  const brand = pick(next, BRANDS);
  const roll = next();
  const headers: Record<string, string> =
    roll < 0.7
      ? { "List-Unsubscribe": `<https://${brand}.example/unsubscribe?u=${Math.floor(next() * 1e6)}>` }
      : roll < 0.9
        ? { Precedence: "bulk" }
        : { "List-Id": `<${Math.floor(next() * 1e6)}.list-id.mcsv.net>` };
  const stories = Array.from(
    { length: 4 },
    (_, index) =>
      `<h2>Story ${index + 1}</h2><p>${FILLER}<a href="${trackingLink(next, `click.${brand}.example`)}">Read more</a></p>`,
  ).join("");
  return {
    from: { name: `${brand} weekly`, address: `${pick(next, ["news", "hello", "noreply", "team"])}@${brand}.example` },
    to: { address: "you@example.com" },
    subject: `${pick(next, ["This week", "Top picks", "Your digest", "What's new"])} at ${brand}`,
    html: `<html><body>${stories}<p><a href="${trackingLink(next, `${brand}.example`)}">Unsubscribe</a></p></body></html>`,
    headers,
  };
}

function automated(next: () => number): RawMailInput {
  const kind = Math.floor(next() * 7);
  const to = { address: "you@example.com" };
  switch (kind) {
    case 0:
      return {
        from: { name: "Octo Bot", address: "notifications@github.com" },
        to,
        subject: "[acme/shop] Fix flaky checkout test (PR #412)",
        text: "@octo-bot commented on this pull request.\n\nLooks good to me.\n\n— Reply to this email directly or view it on GitHub.",
        headers: { "List-Unsubscribe": "<mailto:unsub@github.com>", Precedence: "list" },
      };
    case 1:
      return {
        from: { name: "Shopmart", address: "no-reply@shopmart.example" },
        to,
        subject: "Your order has shipped",
        text: `Your order 10${Math.floor(next() * 1e6)} is on its way. Track it: ${trackingLink(next, "track.shopmart.example")}`,
      };
    case 2:
      return {
        from: { name: "Jira", address: "jira@acme.atlassian.net" },
        to,
        subject: "[JIRA] (SHOP-88) Checkout fails on Safari",
        text: "Dana Novak updated SHOP-88: Status changed from To Do to In Progress.",
        headers: { "Auto-Submitted": "auto-generated", Precedence: "bulk" },
      };
    case 3:
      return {
        from: { address: "MAILER-DAEMON@mx.example.net" },
        to,
        subject: "Undelivered Mail Returned to Sender",
        text: "This is the mail system at host mx.example.net. Your message could not be delivered to one or more recipients.",
        headers: { "Auto-Submitted": "auto-replied" },
      };
    case 4:
      return {
        from: { name: "Google Calendar", address: "calendar-notification@google.com" },
        to,
        subject: "Reminder: Team sync @ Tue 10:00",
        text: "This is a reminder for the following event: Team sync, Tuesday 10:00 – 10:30.",
      };
    case 5:
      // A notifier no rule knows: the model files it.
      return {
        from: { name: "CI", address: "builds@ci.example" },
        to,
        subject: "Build #1832 failed on main",
        text: "The build for commit 3f2a9c1 failed in step 'test'. See the log for details.",
      };
    default:
      return {
        from: { name: "Accounts", address: "no-reply@accounts.example" },
        to,
        subject: "Security alert: new sign-in",
        text: "A new sign-in to your account was detected from Firefox on Linux. If this was you, no action is needed.",
      };
  }
}

function personal(next: () => number): RawMailInput {
  const sender = person(next);
  const index = Math.floor(next() * PERSONAL_SUBJECTS.length);
  const lines = [`Hi,`, "", PERSONAL_OPENINGS[index] ?? "", ""];
  if (next() < 0.3) lines.push(FILLER.repeat(1 + Math.floor(next() * 4)), "");
  lines.push("Thanks,", sender.name.split(" ")[0] ?? "");
  if (next() < 0.5) lines.push("-- ", sender.name, "Head of Operations, Acme", "+1 555 0100 | acme.example");
  if (next() < 0.5) {
    lines.push(
      "",
      `On Mon, 2 Jun 2025 at 09:00, You <you@example.com> wrote:`,
      ...Array.from({ length: 12 }, () => `> ${FILLER}`),
    );
  }
  return {
    from: sender,
    to: { address: "you@example.com" },
    ...(next() < 0.3 ? { cc: [person(next), person(next)] } : {}),
    subject: PERSONAL_SUBJECTS[index] ?? "Hello",
    text: lines.join("\n"),
  };
}

function suspicious(next: () => number): RawMailInput {
  const kind = Math.floor(next() * 3);
  const to = { address: "you@example.com" };
  if (kind === 0)
    return {
      from: { name: "PayPal Security", address: "security@paypa1-support.example" },
      to,
      subject: "Your account will be suspended in 24 hours",
      text: `We noticed unusual activity. Verify your identity now or your account will be closed: ${trackingLink(next, "paypa1-verify.example")}`,
    };
  if (kind === 1)
    return {
      from: { name: "Dana Novak (CEO)", address: "dana.novak.ceo@freemail.example" },
      to,
      subject: "Quick favour",
      text: "Are you at your desk? I need you to buy four gift cards for a client today and send me the codes. Keep this between us.",
    };
  return {
    from: { name: "Accounts Payable", address: "billing@invoices-online.example" },
    to,
    subject: "Overdue invoice #88812",
    text: `Your invoice is overdue. Open the attached document and enable editing to view it: ${trackingLink(next, "docs-view.example")}`,
  };
}

/** `count` mails in a fixed mix (about 30% newsletters, 25% automated, 38% personal, 7% suspicious). */
export function generateMixedInbox(count = 200, seed = 6): GeneratedMail[] {
  const next = random(seed);
  const start = Date.UTC(2025, 5, 2, 8, 0, 0);
  return Array.from({ length: count }, (_, index): GeneratedMail => {
    const roll = next();
    const kind: GeneratedKind =
      roll < 0.3 ? "newsletter" : roll < 0.55 ? "automated" : roll < 0.93 ? "personal" : "suspicious";
    const input =
      kind === "newsletter"
        ? newsletter(next)
        : kind === "automated"
          ? automated(next)
          : kind === "personal"
            ? personal(next)
            : suspicious(next);
    return { kind, raw: buildRawMail({ ...input, date: new Date(start + index * 7 * 60_000) }) };
  });
}
