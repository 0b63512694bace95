import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { mailFromMime, type MailOrigin } from "../../../src/mail/mail-from-mime";
import { MAIL_HTML_LIMIT, MAIL_TEXT_LIMIT } from "../../../src/store/mail-record";

const NOW = Date.UTC(2024, 5, 1, 12, 0, 0);
const LOCAL: MailOrigin = { source: "local", sourceId: "import-1" };

function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`../../fixtures/mail/${name}`, import.meta.url)));
}

function read(name: string, origin: MailOrigin = LOCAL) {
  return mailFromMime(fixture(name), origin, NOW);
}

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

describe("mailFromMime on the corpus of oddities", () => {
  it("nested multiparts: the plain text, every recipient, and the inline image and the PDF as attachments", async () => {
    const { mail, problem } = await read("nested-multipart.eml");
    expect(problem).toBeUndefined();
    expect(mail.from).toEqual({ name: "Lena Park", address: "lena@example.org" });
    expect(mail.to).toEqual([
      { name: "Sam Ortiz", address: "sam@example.net" },
      { name: "Team, Ops", address: "ops@example.net" },
    ]);
    expect(mail.cc).toEqual([{ address: "archive@example.net" }]);
    expect(mail.subject).toBe("Quarterly plan, with the slides");
    expect(mail.receivedAt).toBe(Date.UTC(2023, 2, 14, 8, 15, 0));
    expect(mail.messageId).toBe("<plan-2023-q2@example.org>");
    expect(mail.text).toContain("the plan for the quarter is attached.");
    expect(mail.html).toContain('<img src="cid:chart@example.org">');
    expect(mail.attachments).toEqual([
      { filename: "chart.png", mimeType: "image/png", size: 128 },
      { filename: "plan.pdf", mimeType: "application/pdf", size: 125 },
    ]);
    expect(mail.snippet.startsWith("Hi Sam, the plan for the quarter is attached.")).toBe(true);
    expect(mail).toMatchObject({ source: "local", sourceId: "import-1", status: "new", bodyLoaded: true, labels: [] });
    expect(mail.storedAt).toBe(NOW);
  });

  it("quoted-printable Latin-1: accents, the soft line break joined, =3D as an equals sign, encoded-word subject and name", async () => {
    const { mail, problem } = await read("quoted-printable.eml");
    expect(problem).toBeUndefined();
    expect(mail.subject).toBe("Réunion à café");
    expect(mail.from).toEqual({ name: "René Dupré", address: "rene@example.fr" });
    expect(mail.text).toContain("La réunion est déplacée au café de la gare.");
    expect(mail.text).toContain("assez long pour avoir");
    expect(mail.text).toContain("un signe = égal");
    expect(mail.text).toContain("À bientôt,");
  });

  it("8-bit ISO-8859-1, raw bytes in headers too: the body and the headers read as Latin-1, no replacement characters", async () => {
    const { mail, problem } = await read("iso-8859-1.eml");
    expect(problem).toBeUndefined();
    expect(mail.subject).toBe("Grüße aus Köln");
    expect(mail.from).toEqual({ name: "Jürgen Weiß", address: "juergen@example.de" });
    expect(mail.text).toContain("Schöne Grüße aus Köln, wir sehen uns nächste Woche.");
    expect(`${mail.subject}${mail.text}`).not.toContain("\uFFFD");
  });

  it("Shift_JIS: a B-encoded subject and sender, and an 8-bit Japanese body", async () => {
    const { mail, problem } = await read("shift-jis.eml");
    expect(problem).toBeUndefined();
    expect(mail.subject).toBe("会議の議事録");
    expect(mail.from).toEqual({ name: "山田太郎", address: "yamada@example.jp" });
    expect(mail.text).toContain("本日の会議の議事録を送ります。");
    expect(mail.receivedAt).toBe(Date.UTC(2023, 2, 9, 1, 30, 0));
  });

  it("base64 UTF-8 body with an emoji, and the bulk headers the triage rules read", async () => {
    const { mail, problem } = await read("base64-utf8.eml");
    expect(problem).toBeUndefined();
    expect(mail.subject).toBe("Shipped 📦");
    expect(mail.text).toBe("Your order 4411 has shipped 📦. Tracking: ZX-99.\n");
    expect(mail.ruleHeaders).toEqual({
      listUnsubscribe: "<https://shop.example.com/unsubscribe?u=1>",
      precedence: "bulk",
    });
  });

  it("HTML only: text made from the HTML without its stylesheets, the HTML kept, the List-Id kept", async () => {
    const { mail, problem } = await read("html-only.eml");
    expect(problem).toBeUndefined();
    expect(mail.text).toContain("Top stories");
    expect(mail.text).toContain("Café prices & more.");
    expect(mail.text).toContain("Read online");
    expect(mail.text).not.toMatch(/color|display:none|<p>|Letter/);
    expect(mail.html).toContain("<h1>Top stories</h1>");
    expect(mail.snippet).toMatch(/^Top stories Café prices & more\./);
    expect(mail.ruleHeaders.listId).toBe("Weekly letter <weekly.letters.example.com>");
  });

  it("a broken boundary: the body as written is kept as text, and the problem says the parts could not be separated", async () => {
    const { mail, problem } = await read("broken-boundary.eml");
    expect(mail.subject).toBe("Parts that do not match");
    expect(mail.text).toContain("The text a user still wants to read.");
    expect(problem).toBe("Its parts could not be separated: the boundary its Content-Type names never appears.");
    expect(mail.problem).toBe(problem);
  });

  it("no From, no Date, no Subject: an empty subject, no sender, dated by the import, and both gaps named", async () => {
    const { mail, problem } = await read("missing-headers.eml");
    expect(mail.subject).toBe("");
    expect(mail.from).toBeUndefined();
    expect(mail.receivedAt).toBe(NOW);
    expect(mail.text).toBe("A note with no sender, no date and no subject.\n");
    expect(problem).toContain("It names no sender (no From header).");
    expect(problem).toContain("It has no Date header; it is dated by the time of the import.");
  });

  it("a missing Date header with a known delivery time (the mbox From line): dated by it, no problem", async () => {
    const raw = encode("From: a@example.com\r\nSubject: s\r\n\r\nbody\r\n");
    const { mail, problem } = await mailFromMime(raw, { ...LOCAL, receivedAt: Date.UTC(2020, 0, 2) }, NOW);
    expect(mail.receivedAt).toBe(Date.UTC(2020, 0, 2));
    expect(problem).toBeUndefined();
  });

  it("an unreadable Date header: dated by the delivery time or the import, and the bad value quoted", async () => {
    const raw = encode("From: a@example.com\r\nDate: the day after tomorrow\r\n\r\nbody\r\n");
    const delivered = await mailFromMime(raw, { ...LOCAL, receivedAt: 5 }, NOW);
    expect(delivered.mail.receivedAt).toBe(5);
    expect(delivered.problem).toBe(
      'Its Date header ("the day after tomorrow") is not a date; it is dated by its delivery line.',
    );
    const imported = await mailFromMime(raw, LOCAL, NOW);
    expect(imported.mail.receivedAt).toBe(NOW);
    expect(imported.problem).toContain("it is dated by the time of the import");
  });

  it("a message cut off inside an attachment: the text and the partial attachment kept, the cut named", async () => {
    const { mail, problem } = await read("truncated.eml");
    expect(mail.subject).toBe("The upload stopped halfway");
    expect(mail.text).toContain("The archive follows.");
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0]).toMatchObject({ filename: "backup.zip", mimeType: "application/zip" });
    expect(mail.attachments[0]?.size).toBeLessThan(3000);
    expect(problem).toBe(
      "It ends before its closing boundary: the message looks cut off, and its last part may be incomplete.",
    );
  });

  it("a file that is not a mail: its text kept as it is, and the problem says no headers were found", async () => {
    const { mail, problem } = await mailFromMime(encode("just some words\nwith no headers at all\n"), LOCAL, NOW);
    expect(mail.text).toBe("just some words\nwith no headers at all\n");
    expect(mail.subject).toBe("");
    expect(problem).toMatch(/^No mail headers were found/);
  });

  it("an empty message is kept with its problem, never an exception", async () => {
    const { mail, problem } = await mailFromMime(new Uint8Array(0), LOCAL, NOW);
    expect(mail.text).toBe("");
    expect(problem).toMatch(/^No mail headers were found/);
  });

  it("a structure postal-mime refuses (headers over its 2 MiB limit): kept with what could be read, the reason named", async () => {
    const filler = Array.from({ length: 2200 }, (_, index) => `X-Filler-${index}: ${"y".repeat(1000)}\r\n`).join("");
    const raw = encode(
      `From: a@example.com\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\nSubject: big\r\n${filler}\r\nbody\r\n`,
    );
    const { mail, problem } = await mailFromMime(raw, LOCAL, NOW);
    expect(problem).toMatch(/^Its body could not be read \(.+\); only its headers are kept\.$/);
    expect(mail.subject).toBe("big");
    expect(mail.from).toEqual({ address: "a@example.com" });
    expect(mail.id).toMatch(/^local:[0-9a-f]{64}$/);
  });

  it("ids: local:<sha-256 of the raw bytes>, or the origin's id (Gmail), with its thread and labels", async () => {
    const raw = fixture("base64-utf8.eml");
    const { mail } = await mailFromMime(raw, LOCAL, NOW);
    expect(mail.id).toBe(`local:${createHash("sha256").update(raw).digest("hex")}`);
    const gmail = await mailFromMime(
      raw,
      { source: "gmail", sourceId: "18f0c", id: "gmail:18f0c", threadId: "t1", labels: ["INBOX"] },
      NOW,
    );
    expect(gmail.mail).toMatchObject({ id: "gmail:18f0c", source: "gmail", threadId: "t1", labels: ["INBOX"] });
  });

  it("a view into a larger buffer is read as itself, not as the whole buffer", async () => {
    const whole = encode("Subject: before\r\n\r\nx\r\n----From: a@example.com\r\nSubject: inside\r\n\r\nbody\r\n");
    const start = whole.indexOf(0x46); // "From: …"
    const view = whole.subarray(start);
    const { mail } = await mailFromMime(view, LOCAL, NOW);
    expect(mail.subject).toBe("inside");
    expect(mail.id).toBe(`local:${createHash("sha256").update(view).digest("hex")}`);
  });

  it("caps text and HTML at MAIL_TEXT_LIMIT and MAIL_HTML_LIMIT characters", async () => {
    const text = "a".repeat(MAIL_TEXT_LIMIT + 500);
    const html = `<p>${"b".repeat(MAIL_HTML_LIMIT)}</p>`;
    const raw = encode(
      `From: a@example.com\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\nContent-Type: multipart/alternative; boundary=x\r\n\r\n` +
        `--x\r\nContent-Type: text/plain\r\n\r\n${text}\r\n--x\r\nContent-Type: text/html\r\n\r\n${html}\r\n--x--\r\n`,
    );
    const { mail, problem } = await mailFromMime(raw, LOCAL, NOW);
    expect(problem).toBeUndefined();
    expect(mail.text).toHaveLength(MAIL_TEXT_LIMIT);
    expect(mail.html).toHaveLength(MAIL_HTML_LIMIT);
    expect(mail.snippet).toHaveLength(200);
  });

  it("a 12 MB attachment is listed with its exact size, and its bytes are not kept", async () => {
    const size = 12_000_000;
    const base64 = Buffer.alloc(size, 7).toString("base64").replace(/.{76}/g, "$&\r\n");
    const raw = encode(
      `From: a@example.com\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\nSubject: video\r\nContent-Type: multipart/mixed; boundary=q\r\n\r\n` +
        `--q\r\nContent-Type: text/plain\r\n\r\nThe recording.\r\n--q\r\nContent-Type: video/mp4\r\nContent-Disposition: attachment; filename=talk.mp4\r\n` +
        `Content-Transfer-Encoding: base64\r\n\r\n${base64}\r\n--q--\r\n`,
    );
    const { mail, problem } = await mailFromMime(raw, LOCAL, NOW);
    expect(problem).toBeUndefined();
    expect(mail.attachments).toEqual([{ filename: "talk.mp4", mimeType: "video/mp4", size }]);
    expect(JSON.stringify(mail).length).toBeLessThan(2000);
  });
});
