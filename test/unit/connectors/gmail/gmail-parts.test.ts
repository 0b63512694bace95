import { describe, expect, it } from "vitest";
import { buildBatchRequest, parseBatchResponse } from "../../../../src/connectors/gmail/gmail-batch";
import { retryAfterMs } from "../../../../src/connectors/gmail/gmail-client";
import { mailFromMetadata, unescapeSnippet } from "../../../../src/connectors/gmail/gmail-mail-record";

describe("batch bodies", () => {
  it("writes one application/http part per call, each with its Content-ID, CRLF throughout", () => {
    const { contentType, body } = buildBatchRequest(
      [
        { id: "a1", method: "GET", path: "/gmail/v1/users/me/messages/a1?format=metadata" },
        { id: "b2", method: "GET", path: "/gmail/v1/users/me/messages/b2?format=metadata" },
      ],
      "BOUNDARY",
    );
    expect(contentType).toBe("multipart/mixed; boundary=BOUNDARY");
    expect(body).toBe(
      [
        "--BOUNDARY",
        "Content-Type: application/http",
        "Content-ID: <a1>",
        "",
        "GET /gmail/v1/users/me/messages/a1?format=metadata HTTP/1.1",
        "",
        "--BOUNDARY",
        "Content-Type: application/http",
        "Content-ID: <b2>",
        "",
        "GET /gmail/v1/users/me/messages/b2?format=metadata HTTP/1.1",
        "",
        "--BOUNDARY--",
        "",
      ].join("\r\n"),
    );
  });

  it("reads answers by Content-ID, with status, headers and body, with LF or CRLF line ends", () => {
    const text = [
      "--batch_x",
      "Content-Type: application/http",
      "Content-ID: <response-a1>",
      "",
      "HTTP/1.1 200 OK",
      "Content-Type: application/json; charset=UTF-8",
      "",
      '{"id":"a1"}',
      "--batch_x",
      "Content-Type: application/http",
      "Content-ID: <response-b2>",
      "",
      "HTTP/1.1 429 Too Many Requests",
      "Retry-After: 3",
      "",
      '{"error":{"code":429}}',
      "--batch_x",
      "Content-Type: text/plain",
      "",
      "not a response",
      "--batch_x--",
      "",
    ].join("\n");
    const answers = parseBatchResponse('multipart/mixed; boundary="batch_x"', text);
    expect(answers.map((answer) => [answer.id, answer.status, answer.body])).toEqual([
      ["a1", 200, '{"id":"a1"}'],
      ["b2", 429, '{"error":{"code":429}}'],
      [undefined, 0, ""],
    ]);
    expect(answers[1]?.headers.get("retry-after")).toBe("3");
    expect(() => parseBatchResponse("application/json", "{}")).toThrow(/not multipart/);
  });
});

describe("Retry-After", () => {
  it("reads seconds and HTTP dates, and ignores what is neither", () => {
    expect(retryAfterMs("7")).toBe(7_000);
    expect(retryAfterMs("Wed, 21 Oct 2015 07:28:30 GMT", Date.parse("Wed, 21 Oct 2015 07:28:00 GMT"))).toBe(30_000);
    expect(retryAfterMs("soon")).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });
});

describe("mail from Gmail metadata", () => {
  it("decodes encoded words and address lists like imported mail, and keeps Gmail's time and snippet", async () => {
    const mail = await mailFromMetadata(
      {
        id: "18f",
        threadId: "18e",
        labelIds: ["INBOX"],
        snippet: "Don&#39;t miss &amp; see",
        internalDate: 1_714_987_800_000,
        headers: [
          { name: "From", value: "=?UTF-8?B?w4lsb2TDrWU=?= <elodie@example.fr>" },
          { name: "To", value: '"Doe, Jane" <jane@example.com>, bob@example.com' },
          { name: "Subject", value: "=?ISO-8859-1?Q?Caf=E9?= today" },
          { name: "Date", value: "Mon, 1 Jan 2024 00:00:00 +0000" },
          { name: "Message-ID", value: "<m1@example.fr>" },
          { name: "Precedence", value: "bulk" },
        ],
      },
      5,
    );
    expect(mail).toMatchObject({
      id: "gmail:18f",
      source: "gmail",
      sourceId: "18f",
      threadId: "18e",
      from: { name: "Élodíe", address: "elodie@example.fr" },
      to: [{ name: "Doe, Jane", address: "jane@example.com" }, { address: "bob@example.com" }],
      subject: "Café today",
      messageId: "<m1@example.fr>",
      receivedAt: 1_714_987_800_000,
      snippet: "Don't miss & see",
      text: "",
      bodyLoaded: false,
      ruleHeaders: { precedence: "bulk" },
      storedAt: 5,
    });
    expect(mail.problem).toBeUndefined();
  });

  it("unescapes Gmail's snippet entities, leaving unknown ones as written", () => {
    expect(unescapeSnippet("&lt;b&gt; &#x1F600; &quot;x&quot; &nbsp;")).toBe('<b> 😀 "x" &nbsp;');
  });
});
