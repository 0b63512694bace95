import PostalMime from "postal-mime";
import { describe, expect, it } from "vitest";
import { buildReplyMessage, encodeWords, toBase64Url } from "../../../../src/connectors/gmail/reply-message";

const ORIGINAL = { messageId: "<m2@example.com>", inReplyTo: "<m1@example.com>" };

async function parse(message: string) {
  return PostalMime.parse(new TextEncoder().encode(message));
}

describe("buildReplyMessage", () => {
  it("reads back with postal-mime exactly as approved: UTF-8 subject, names, body and threading", async () => {
    const body = "Grüße aus Zürich — 東京 too.\nSecond line with = and a very long line ".repeat(4);
    const message = buildReplyMessage({
      to: '"Doe, Jane" <jane@example.com>, Zoë Ünal <zoe@example.org>, bob@example.net',
      subject: "Re: Café meeting — 会議 about the «budget» and a long tail of words to force several encoded words",
      body,
      original: ORIGINAL,
      from: "me@example.com",
    });
    expect(message.split("\r\n").every((line) => line.length <= 998)).toBe(true);
    expect(/[^\t\r\n\x20-\x7e]/.test(message)).toBe(false);
    const email = await parse(message);
    expect(email.subject).toBe(
      "Re: Café meeting — 会議 about the «budget» and a long tail of words to force several encoded words",
    );
    expect(email.to?.map((entry) => ("address" in entry ? [entry.name, entry.address] : []))).toEqual([
      ["Doe, Jane", "jane@example.com"],
      ["Zoë Ünal", "zoe@example.org"],
      ["", "bob@example.net"],
    ]);
    expect(email.text?.replace(/\r\n/g, "\n")).toBe(body);
    expect(email.inReplyTo).toBe("<m2@example.com>");
    expect(email.references).toBe("<m1@example.com> <m2@example.com>");
    expect(email.from?.address).toBe("me@example.com");
  });

  it("refuses a recipient line that would smuggle a header or holds no address", () => {
    const base = { subject: "Re: x", body: "ok", original: ORIGINAL };
    expect(() => buildReplyMessage({ ...base, to: "a@example.com\r\nBcc: spy@evil.example" })).toThrow(/one line/);
    expect(() => buildReplyMessage({ ...base, to: "nobody" })).toThrow(/no e-mail address|not an e-mail address/);
    expect(() => buildReplyMessage({ ...base, to: "a@example.com", subject: "Hi\nBcc: x@y.z" })).toThrow(/one line/);
  });

  it("leaves threading out when the original has no usable Message-ID", async () => {
    const message = buildReplyMessage({ to: "a@example.com", subject: "Hi", body: "b", original: {} });
    expect(message).not.toMatch(/In-Reply-To|References/);
    expect((await parse(message)).subject).toBe("Hi");
  });

  it("keeps every encoded word within 75 characters without splitting a character", () => {
    const words = encodeWords("😀".repeat(40)).split("\r\n ");
    expect(words.length).toBeGreaterThan(1);
    expect(words.every((word) => word.length <= 75)).toBe(true);
  });

  it("writes base64url without padding, as Gmail's raw field takes it", () => {
    expect(toBase64Url("a?>")).toBe("YT8-");
  });
});
