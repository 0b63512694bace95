import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseMultipart, splitHeadersAndBody } from "../../../fakes/google/multipart";
import { buildRawMail, fetchViaFake, startFakeGoogle, type FakeGoogle } from "../../../fakes/google/start-fake-google";

const READONLY = "https://www.googleapis.com/auth/gmail.readonly";
const MODIFY = "https://www.googleapis.com/auth/gmail.modify";
const BATCH = "https://gmail.googleapis.com/batch/gmail/v1";
const BOUNDARY = "batch_tabclaw_test";

let fake: FakeGoogle;
let googleFetch: typeof fetch;

beforeEach(async () => {
  fake = await startFakeGoogle();
  googleFetch = fetchViaFake(fake);
});

afterEach(async () => {
  await fake.close();
});

interface PartAnswer {
  contentId?: string;
  status: number;
  json: Record<string, unknown>;
}

/** A batch body the way Google's client libraries write it. */
function batchBody(calls: { id: string; request: string; headers?: Record<string, string>; body?: string }[]): string {
  const lines: string[] = [];
  for (const call of calls) {
    lines.push(`--${BOUNDARY}`, "Content-Type: application/http", `Content-ID: <${call.id}>`, "");
    lines.push(call.request);
    for (const [name, value] of Object.entries(call.headers ?? {})) lines.push(`${name}: ${value}`);
    lines.push("");
    if (call.body !== undefined) lines.push(call.body);
  }
  lines.push(`--${BOUNDARY}--`, "");
  return lines.join("\r\n");
}

async function sendBatch(
  body: string,
  accessToken: string,
): Promise<{ status: number; parts: PartAnswer[]; text: string }> {
  const response = await googleFetch(BATCH, {
    method: "POST",
    headers: { authorization: `Bearer ${accessToken}`, "content-type": `multipart/mixed; boundary=${BOUNDARY}` },
    body,
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  const contentType = response.headers.get("content-type") ?? "";
  if (!contentType.startsWith("multipart/mixed")) return { status: response.status, parts: [], text: bytes.toString() };
  const parts = parseMultipart(contentType, bytes).map((part) => {
    const { headerText, body: inner } = splitHeadersAndBody(part.body);
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(headerText)?.[1]);
    const text = inner.toString("utf8");
    const answer: PartAnswer = { status, json: text === "" ? {} : (JSON.parse(text) as Record<string, unknown>) };
    const contentId = part.headers["content-id"];
    if (contentId !== undefined) answer.contentId = contentId;
    return answer;
  });
  return { status: response.status, parts, text: "" };
}

function deliver(subject: string): string {
  return fake.gmail.addMessage({
    raw: buildRawMail({ from: "a@example.org", to: "user@example.com", subject, text: subject }),
  }).id;
}

describe("fake Gmail batch endpoint", () => {
  it("answers each application/http part in order with its own status and Content-ID, charging each call", async () => {
    const ids = [deliver("one"), deliver("two"), deliver("three")];
    const read = token();
    const answer = await sendBatch(
      batchBody(
        ids.map((id, index) => ({
          id: `item${index}`,
          request: `GET /gmail/v1/users/me/messages/${id}?format=metadata&metadataHeaders=Subject HTTP/1.1`,
        })),
      ),
      read,
    );
    expect(answer.status).toBe(200);
    expect(answer.parts.map((part) => part.status)).toEqual([200, 200, 200]);
    expect(answer.parts.map((part) => part.contentId)).toEqual([
      "<response-item0>",
      "<response-item1>",
      "<response-item2>",
    ]);
    expect(answer.parts.map((part) => part.json.id)).toEqual(ids);
    expect(fake.quotaUnits()).toBe(15);
    expect(fake.gmail.calls.every((c) => c.inBatch)).toBe(true);
    expect(fake.violations).toEqual([]);
  });

  it("validates each part like a direct call: a bad part gets its 400, the others still run", async () => {
    const id = deliver("one");
    const answer = await sendBatch(
      batchBody([
        { id: "good", request: `GET /gmail/v1/users/me/messages/${id}?format=minimal HTTP/1.1` },
        { id: "bad", request: `GET /gmail/v1/users/me/messages/${id}?format=fancy HTTP/1.1` },
        {
          id: "modify",
          request: `POST /gmail/v1/users/me/messages/${id}/modify HTTP/1.1`,
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ removeLabelIds: ["UNREAD"] }),
        },
      ]),
      fake.oauth.issueToken([MODIFY]).accessToken,
    );
    expect(answer.parts.map((part) => part.status)).toEqual([200, 400, 200]);
    expect(fake.violations).toEqual([
      expect.stringContaining('batch part 2: gmail.users.messages.get: parameter "format" must be one of'),
    ]);
    expect(fake.gmail.mailbox.message(id)?.labelIds.has("UNREAD")).toBe(false);
  });

  it("uses the part's own Authorization over the outer one, and checks its scopes", async () => {
    const id = deliver("one");
    const answer = await sendBatch(
      batchBody([
        {
          id: "m",
          request: `POST /gmail/v1/users/me/messages/${id}/modify HTTP/1.1`,
          headers: { "Content-Type": "application/json", Authorization: `Bearer ${token()}` },
          body: JSON.stringify({ addLabelIds: ["STARRED"] }),
        },
      ]),
      fake.oauth.issueToken([MODIFY]).accessToken,
    );
    expect(answer.parts[0]?.status).toBe(403);
  });

  it("gives injected 429s to parts, as Gmail does to batches that go too fast", async () => {
    const ids = [deliver("one"), deliver("two")];
    fake.gmail.failNext(1, { kind: "rateLimitExceeded" });
    const answer = await sendBatch(
      batchBody(
        ids.map((id, index) => ({
          id: `i${index}`,
          request: `GET /gmail/v1/users/me/messages/${id}?format=minimal HTTP/1.1`,
        })),
      ),
      token(),
    );
    expect(answer.status).toBe(200);
    expect(answer.parts.map((part) => part.status)).toEqual([429, 200]);
  });

  it("refuses more than 100 calls, a nested batch, a part that is not application/http, and a body that is not multipart/mixed", async () => {
    const id = deliver("one");
    const many = batchBody(
      Array.from({ length: 101 }, (_, index) => ({
        id: `i${index}`,
        request: `GET /gmail/v1/users/me/messages/${id} HTTP/1.1`,
      })),
    );
    const tooMany = await sendBatch(many, token());
    expect(tooMany.status).toBe(400);
    expect(tooMany.text).toContain("at most 100 calls");

    const nested = await sendBatch(batchBody([{ id: "n", request: "POST /batch/gmail/v1 HTTP/1.1" }]), token());
    expect(nested.parts[0]?.status).toBe(400);

    const notHttp = await sendBatch(
      [`--${BOUNDARY}`, "Content-Type: application/json", "", "{}", `--${BOUNDARY}--`, ""].join("\r\n"),
      token(),
    );
    expect(notHttp.status).toBe(400);
    expect(notHttp.text).toContain("must be application/http");

    const json = await googleFetch(BATCH, {
      method: "POST",
      headers: { authorization: `Bearer ${token()}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(json.status).toBe(400);
    expect(fake.violations).toHaveLength(4);
    expect(fake.quotaUnits()).toBe(0);
  });
});

function token(): string {
  return fake.oauth.issueToken([READONLY]).accessToken;
}
