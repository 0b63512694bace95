import PostalMime from "postal-mime";
import { describe, expect, it } from "vitest";
import { buildRawMail, encodeQuotedPrintable, encodeWords } from "../../../fakes/google/raw-mail";

/** The factory's output is read back with postal-mime, an independent parser, so its encoding is checked, not assumed. */
describe("buildRawMail", () => {
  it("writes a plain ASCII message that parses back to the same fields", async () => {
    const raw = buildRawMail({
      from: "alice@example.org",
      to: ["user@example.com", { name: "Bob Smith", address: "bob@example.org" }],
      cc: "carol@example.org",
      subject: "Weekly sync",
      text: "See you at 10.\nAgenda attached.",
      headers: { "List-Unsubscribe": "<mailto:leave@example.org>" },
      date: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
      messageId: "<sync-1@example.org>",
    });
    const text = raw.toString("latin1");
    expect(text).not.toMatch(/[^\r]\n/);
    const parsed = await PostalMime.parse(raw);
    expect(parsed.from?.address).toBe("alice@example.org");
    expect(parsed.to?.map((address) => address.address)).toEqual(["user@example.com", "bob@example.org"]);
    expect(parsed.to?.[1]?.name).toBe("Bob Smith");
    expect(parsed.cc?.map((address) => address.address)).toEqual(["carol@example.org"]);
    expect(parsed.subject).toBe("Weekly sync");
    expect(parsed.messageId).toBe("<sync-1@example.org>");
    expect(parsed.date).toBe("2024-01-02T03:04:05.000Z");
    expect(parsed.text?.replace(/\r\n/g, "\n").trim()).toBe("See you at 10.\nAgenda attached.");
    expect(parsed.headers.find((header) => header.key === "list-unsubscribe")?.value).toBe(
      "<mailto:leave@example.org>",
    );
  });

  it("encodes non-ASCII subjects, names and bodies so they parse back exactly, with no raw 8-bit bytes", async () => {
    const subject = "Réunion — 会議の議題 ".repeat(4).trim();
    const text = `Grüße aus Köln! ${"Lange Zeile ".repeat(12)}\nZweite Zeile mit = und Tab\t.`;
    const raw = buildRawMail({
      from: { name: "Zoë Ünal", address: "zoe@example.org" },
      to: "user@example.com",
      subject,
      text,
      html: "<p>Grüße <b>aus</b> Köln</p>",
      attachments: [{ filename: "Übersicht.txt", contentType: "text/plain", content: "Zeile 1" }],
    });
    // eslint-disable-next-line no-control-regex
    expect(/[^\x00-\x7f]/.test(raw.toString("latin1"))).toBe(false);
    for (const line of raw.toString("latin1").split("\r\n")) expect(line.length).toBeLessThanOrEqual(998);
    const parsed = await PostalMime.parse(raw);
    expect(parsed.subject).toBe(subject);
    expect(parsed.from?.name).toBe("Zoë Ünal");
    expect(parsed.text?.replace(/\r\n/g, "\n").trim()).toBe(text);
    expect(parsed.html).toContain("Grüße <b>aus</b> Köln");
    expect(parsed.attachments.map((attachment) => attachment.filename)).toEqual(["Übersicht.txt"]);
  });

  it("keeps encoded words within 75 characters and quoted-printable lines within 76", () => {
    for (const word of encodeWords("Ünïcödé ".repeat(20)).split("\r\n ")) expect(word.length).toBeLessThanOrEqual(75);
    for (const line of encodeQuotedPrintable("é".repeat(200)).split("\r\n"))
      expect(line.length).toBeLessThanOrEqual(76);
    expect(encodeQuotedPrintable("trailing space ")).toBe("trailing space=20");
    expect(encodeQuotedPrintable("a=b")).toBe("a=3Db");
  });

  it("threads a reply with In-Reply-To and References", async () => {
    const parsed = await PostalMime.parse(
      buildRawMail({
        from: "user@example.com",
        to: "bob@example.org",
        subject: "Re: Plans",
        text: "Yes",
        inReplyTo: "<plans@example.org>",
        references: "<start@example.org> <plans@example.org>",
      }),
    );
    expect(parsed.inReplyTo).toBe("<plans@example.org>");
    expect(parsed.references).toBe("<start@example.org> <plans@example.org>");
  });
});
