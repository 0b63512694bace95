import { describe, expect, it } from "vitest";
import { automatedAddressKind, knownNotificationService } from "../../../../src/core/mail/known-automated-senders";
import {
  BUILT_IN_RULES,
  builtInRuleDescription,
  decideByRules,
  matchUserRule,
} from "../../../../src/core/mail/triage-rules";
import type { MailRule } from "../../../../src/store/mail-record";
import { storedMail } from "../../../fakes/stored-mail";

const rule = (overrides: Partial<MailRule> & Pick<MailRule, "id" | "category">): MailRule => ({
  origin: "correction",
  createdAt: 1,
  ...overrides,
});

describe("built-in triage rules", () => {
  it("files mail with List-Unsubscribe as a newsletter, naming the header", () => {
    const decision = decideByRules(
      storedMail({
        id: "m1",
        from: { address: "news@shop.example" },
        ruleHeaders: { listUnsubscribe: "<https://shop.example/u?id=1>, <mailto:u@shop.example>" },
      }),
    );
    expect(decision).toEqual({
      category: "newsletter",
      ruleId: "list-unsubscribe",
      description: "List-Unsubscribe header (List-Unsubscribe)",
      origin: "built-in",
    });
    expect(builtInRuleDescription("list-unsubscribe")).toBe("List-Unsubscribe header");
  });

  it.each(["bulk", "List", " junk ", "bulk; comment"])("files Precedence: %s as a newsletter", (precedence) => {
    expect(decideByRules(storedMail({ id: "m", ruleHeaders: { precedence } }))?.ruleId).toBe("bulk-precedence");
  });

  it("ignores other Precedence values and a discussion list's plain List-Id", () => {
    expect(decideByRules(storedMail({ id: "m", ruleHeaders: { precedence: "first-class" } }))).toBeUndefined();
    expect(
      decideByRules(storedMail({ id: "m", ruleHeaders: { listId: "Dev <dev.lists.example.org>" } })),
    ).toBeUndefined();
  });

  it("files a List-Id of a bulk mailing service as a newsletter", () => {
    expect(decideByRules(storedMail({ id: "m", ruleHeaders: { listId: "<a1b2c3.list-id.mcsv.net>" } }))?.category).toBe(
      "newsletter",
    );
  });

  it("files Auto-Submitted mail as automated unless it says no", () => {
    expect(decideByRules(storedMail({ id: "m", ruleHeaders: { autoSubmitted: "auto-generated" } }))).toMatchObject({
      category: "automated",
      ruleId: "auto-submitted",
    });
    expect(decideByRules(storedMail({ id: "m", ruleHeaders: { autoSubmitted: "auto-replied" } }))?.ruleId).toBe(
      "auto-submitted",
    );
    expect(decideByRules(storedMail({ id: "m", ruleHeaders: { autoSubmitted: "no" } }))).toBeUndefined();
    expect(decideByRules(storedMail({ id: "m", ruleHeaders: { autoSubmitted: " " } }))).toBeUndefined();
  });

  it("prefers Auto-Submitted over list markers: a Jira notification is automated, not a newsletter", () => {
    const jira = storedMail({
      id: "m",
      from: { address: "jira@acme.atlassian.net" },
      ruleHeaders: { autoSubmitted: "auto-generated", precedence: "bulk" },
    });
    expect(decideByRules(jira)?.category).toBe("automated");
  });

  it("files known services' notifications as automated even though they carry List-Unsubscribe", () => {
    const github = storedMail({
      id: "m",
      from: { name: "Octo", address: "Notifications@GitHub.com" },
      ruleHeaders: { listUnsubscribe: "<mailto:unsub@github.com>", precedence: "list" },
    });
    expect(decideByRules(github)).toMatchObject({ category: "automated", ruleId: "service-notifications" });
    expect(knownNotificationService("comments@acme.atlassian.net")?.service).toBe("Jira or Confluence");
    expect(knownNotificationService("notification@facebookmail.com")?.service).toBe("Facebook");
    expect(knownNotificationService("ann@github.com")).toBeUndefined();
    expect(knownNotificationService("someone@notatlassian.net")).toBeUndefined();
  });

  it("files no-reply, notification and mail-system senders as automated, after the newsletter markers", () => {
    for (const address of [
      "noreply@bank.example",
      "no-reply@accounts.google.com",
      "comments-noreply@docs.google.com",
      "DoNotReply@shop.example",
      "notifications@service.example",
      "calendar-notification@other.example",
      "MAILER-DAEMON@mx.example.net",
      "postmaster@example.org",
    ]) {
      expect(decideByRules(storedMail({ id: "m", from: { address } }))?.ruleId, address).toBe("no-reply-sender");
    }
    // A no-reply newsletter stays a newsletter.
    expect(
      decideByRules(
        storedMail({ id: "m", from: { address: "noreply@medium.example" }, ruleHeaders: { listUnsubscribe: "<x>" } }),
      )?.category,
    ).toBe("newsletter");
  });

  it("leaves people's mail to the model", () => {
    for (const address of ["ann@example.com", "replyall@example.com", "noel@example.com", "notifier.fan@example.com"]) {
      expect(decideByRules(storedMail({ id: "m", from: { address } })), address).toBeUndefined();
    }
    expect(automatedAddressKind("nobody")).toBeUndefined();
    expect(decideByRules(storedMail({ id: "m", from: undefined }))).toBeUndefined();
  });

  it("gives every built-in rule a distinct id and a description", () => {
    const ids = BUILT_IN_RULES.map((entry) => entry.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const entry of BUILT_IN_RULES) expect(entry.description.length).toBeGreaterThan(5);
  });
});

describe("the user's rules", () => {
  const newsletter = storedMail({
    id: "m",
    from: { address: "ann@lists.example.org" },
    subject: "Weekly digest: rust",
    ruleHeaders: { listUnsubscribe: "<mailto:x>", listId: "Rust users <rust-users.lists.example.org>" },
  });

  it("beat the built-in rules", () => {
    const mine = rule({ id: "r1", listId: "rust-users.lists.example.org", category: "fyi" });
    expect(decideByRules(newsletter, [mine])).toEqual({
      category: "fyi",
      ruleId: "r1",
      description: "your rule: the list rust-users.lists.example.org",
      origin: "user",
    });
  });

  it("match an address exactly, a domain with its subdomains, and subject words, ignoring case", () => {
    expect(matchUserRule(newsletter, [rule({ id: "a", from: "ANN@lists.example.org", category: "urgent" })])?.id).toBe(
      "a",
    );
    expect(
      matchUserRule(newsletter, [rule({ id: "a", from: "bob@lists.example.org", category: "urgent" })]),
    ).toBeUndefined();
    expect(matchUserRule(newsletter, [rule({ id: "d", from: "@example.org", category: "urgent" })])?.id).toBe("d");
    expect(matchUserRule(newsletter, [rule({ id: "d", from: "@ample.org", category: "urgent" })])).toBeUndefined();
    expect(matchUserRule(newsletter, [rule({ id: "s", subjectContains: "DIGEST", category: "fyi" })])?.id).toBe("s");
  });

  it("need every part they name to match", () => {
    const both = rule({ id: "b", from: "@example.org", subjectContains: "invoice", category: "urgent" });
    expect(matchUserRule(newsletter, [both])).toBeUndefined();
  });

  it("pick the narrowest matching rule, then the newest", () => {
    const domain = rule({ id: "domain", from: "@lists.example.org", category: "newsletter", createdAt: 5 });
    const address = rule({ id: "address", from: "ann@lists.example.org", category: "needs_reply", createdAt: 1 });
    expect(decideByRules(newsletter, [domain, address])?.ruleId).toBe("address");
    const older = rule({ id: "older", subjectContains: "digest", category: "fyi", createdAt: 1 });
    const newer = rule({ id: "newer", subjectContains: "weekly", category: "urgent", createdAt: 2 });
    expect(decideByRules(newsletter, [older, newer])?.ruleId).toBe("newer");
  });
});
