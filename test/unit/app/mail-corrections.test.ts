import { describe, expect, it } from "vitest";
import {
  correctedTriage,
  describeRuleMatch,
  listIdentifier,
  ruleFromCorrection,
  ruleOffers,
  senderAddress,
  withoutRule,
  withRule,
} from "../../../src/app/mail-corrections";
import type { MailRecord } from "../../../src/store/mail-record";

function mail(overrides: Partial<MailRecord> = {}): MailRecord {
  return {
    id: "local:abc",
    source: "local",
    sourceId: "import-1",
    from: { name: "Ann", address: "Ann@Example.COM" },
    to: [],
    cc: [],
    subject: "Weekly digest",
    receivedAt: 1_700_000_000_000,
    ruleHeaders: {},
    text: "Hello",
    snippet: "Hello",
    attachments: [],
    labels: [],
    bodyLoaded: true,
    status: "triaged",
    triage: {
      category: "needs_reply",
      summary: "Ann asks about Friday.",
      draftReply: "Friday works.",
      decidedBy: "model",
      modelId: "Qwen",
      at: 1,
    },
    storedAt: 1,
    ...overrides,
  };
}

describe("a correction", () => {
  it("files the mail as the user's decision, keeping the summary; the draft only while it still needs a reply", () => {
    expect(correctedTriage(mail(), "newsletter", 50)).toEqual({
      category: "newsletter",
      summary: "Ann asks about Friday.",
      decidedBy: "user",
      at: 50,
    });
    expect(correctedTriage(mail(), "needs_reply", 50).draftReply).toBe("Friday works.");
    expect(correctedTriage(mail({ triage: undefined, status: "new" }), "fyi", 7)).toEqual({
      category: "fyi",
      decidedBy: "user",
      at: 7,
    });
  });

  it("offers the sender's address, their domain and the mailing list, lower-case", () => {
    const offers = ruleOffers(mail({ ruleHeaders: { listId: '"Weekly News" <Weekly.News.Example.com>' } }));
    expect(offers).toEqual([
      { scope: "address", value: "ann@example.com", label: "Mail from ann@example.com" },
      { scope: "domain", value: "@example.com", label: "Mail from anyone at example.com" },
      { scope: "list", value: "weekly.news.example.com", label: "Mail from the list weekly.news.example.com" },
    ]);
  });

  it("offers nothing it could not match: no sender, a broken address, no list", () => {
    expect(ruleOffers(mail({ from: undefined }))).toEqual([]);
    expect(ruleOffers(mail({ from: { address: "undisclosed-recipients:;" } }))).toEqual([]);
    expect(senderAddress(mail({ from: { address: " Bob@Example.org " } }))).toBe("bob@example.org");
  });

  it("reads a List-Id with or without its phrase", () => {
    expect(listIdentifier("<list.example.org>")).toBe("list.example.org");
    expect(listIdentifier("Plain.List.Example")).toBe("plain.list.example");
    expect(listIdentifier("  ")).toBeUndefined();
    expect(listIdentifier(undefined)).toBeUndefined();
  });

  it("becomes a MailRule of the user, for a sender or a list, remembering the mail it came from", () => {
    const source = mail({ ruleHeaders: { listId: "<list.example.org>" } });
    const [address, domain, list] = ruleOffers(source);
    if (!address || !domain || !list) throw new Error("three offers expected");
    expect(ruleFromCorrection(source, domain, "newsletter", 9, "rule-1")).toEqual({
      id: "rule-1",
      from: "@example.com",
      category: "newsletter",
      origin: "correction",
      createdAt: 9,
      fromMailId: "local:abc",
    });
    expect(ruleFromCorrection(source, list, "automated", 9, "rule-2")).toMatchObject({ listId: "list.example.org" });
    expect(ruleFromCorrection(source, address, "fyi", 9, "rule-3")).toMatchObject({ from: "ann@example.com" });
  });
});

describe("the rule list", () => {
  it("replaces a rule for the same sender, so the latest correction wins, and deletes by id", () => {
    const source = mail();
    const [address] = ruleOffers(source);
    if (!address) throw new Error("an offer expected");
    const first = ruleFromCorrection(source, address, "newsletter", 1, "a");
    const other = { ...first, id: "b", from: "@other.example" };
    const second = ruleFromCorrection(source, address, "fyi", 2, "c");
    const rules = withRule(withRule([first], other), second);
    expect(rules.map((rule) => [rule.id, rule.category])).toEqual([
      ["b", "newsletter"],
      ["c", "fyi"],
    ]);
    expect(withoutRule(rules, "b").map((rule) => rule.id)).toEqual(["c"]);
  });

  it("says what each rule matches", () => {
    const base = { id: "x", category: "fyi", origin: "user", createdAt: 1 } as const;
    expect(describeRuleMatch({ ...base, from: "ann@example.com" })).toBe("Mail from ann@example.com");
    expect(describeRuleMatch({ ...base, from: "@example.com" })).toBe("Mail from anyone at example.com");
    expect(describeRuleMatch({ ...base, listId: "list.example.org" })).toBe("Mail from the list list.example.org");
    expect(describeRuleMatch({ ...base, from: "@example.com", subjectContains: "invoice" })).toBe(
      "Mail from anyone at example.com with “invoice” in the subject",
    );
  });
});
