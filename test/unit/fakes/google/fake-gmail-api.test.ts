import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildRawMail, fetchViaFake, startFakeGoogle, type FakeGoogle } from "../../../fakes/google/start-fake-google";

const GMAIL = "https://gmail.googleapis.com/gmail/v1/users/me";
const READONLY = "https://www.googleapis.com/auth/gmail.readonly";
const MODIFY = "https://www.googleapis.com/auth/gmail.modify";
const COMPOSE = "https://www.googleapis.com/auth/gmail.compose";

interface MessageRef {
  id: string;
  threadId: string;
}

interface Answer {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
}

let fake: FakeGoogle;
let googleFetch: typeof fetch;

beforeEach(async () => {
  fake = await startFakeGoogle();
  googleFetch = fetchViaFake(fake);
});

afterEach(async () => {
  await fake.close();
});

function deliver(
  subject: string,
  options: { from?: string; minutesAgo?: number; text?: string; messageId?: string } = {},
): string {
  return fake.gmail.addMessage({
    raw: buildRawMail({
      from: options.from ?? "alice@example.org",
      to: "user@example.com",
      subject,
      text: options.text ?? `Body of ${subject}`,
      ...(options.messageId === undefined ? {} : { messageId: options.messageId }),
    }),
    internalDate: Date.now() - (options.minutesAgo ?? 0) * 60_000,
  }).id;
}

function token(...scopes: string[]): string {
  return fake.oauth.issueToken(scopes).accessToken;
}

async function call(method: string, path: string, accessToken: string, body?: unknown): Promise<Answer> {
  const response = await googleFetch(`${GMAIL}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${accessToken}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    json: text === "" ? {} : (JSON.parse(text) as Record<string, unknown>),
  };
}

function errorReason(answer: Answer): string | undefined {
  const error = answer.json.error as { errors?: { reason?: string }[] } | undefined;
  return error?.errors?.[0]?.reason;
}

describe("fake Gmail: reading", () => {
  it("serves profile, list (pages), get (metadata) and modify to a correct client with no violations", async () => {
    const first = deliver("Quarterly report", { from: "bob@example.org", minutesAgo: 10 });
    const second = deliver("Lunch?", { from: "carol@example.org", minutesAgo: 5 });
    const modify = token(MODIFY);

    const profile = await call("GET", "/profile", modify);
    expect(profile.status).toBe(200);
    expect(profile.json).toMatchObject({ emailAddress: "user@example.com", messagesTotal: 2, threadsTotal: 2 });
    expect(profile.json.historyId).toMatch(/^\d+$/);

    const list = await call("GET", "/messages?labelIds=INBOX&maxResults=1", modify);
    expect((list.json.messages as MessageRef[]).map((m) => m.id)).toEqual([second]);
    expect(list.json.resultSizeEstimate).toBe(2);
    const next = await call(
      "GET",
      `/messages?labelIds=INBOX&maxResults=1&pageToken=${String(list.json.nextPageToken)}`,
      modify,
    );
    expect((next.json.messages as MessageRef[]).map((m) => m.id)).toEqual([first]);
    expect(next.json.nextPageToken).toBeUndefined();

    const metadata = await call(
      "GET",
      `/messages/${first}?format=metadata&metadataHeaders=Subject&metadataHeaders=From`,
      modify,
    );
    expect((metadata.json.payload as { headers: unknown }).headers).toEqual([
      { name: "From", value: "bob@example.org" },
      { name: "Subject", value: "Quarterly report" },
    ]);
    expect(metadata.json).toMatchObject({
      snippet: "Body of Quarterly report",
      labelIds: ["INBOX", "UNREAD"],
      threadId: first,
    });
    expect(metadata.json.raw).toBeUndefined();

    const modified = await call("POST", `/messages/${first}/modify`, modify, { removeLabelIds: ["UNREAD", "INBOX"] });
    expect(modified.status).toBe(200);
    expect(modified.json.labelIds).toBeUndefined();
    expect(fake.gmail.mailbox.message(first)?.labelIds).toEqual(new Set());
    expect(fake.violations).toEqual([]);
  });

  it("returns the raw bytes base64url-encoded (format=raw) and a parsed tree (format=full)", async () => {
    const rawMail = buildRawMail({
      from: { name: "Zoë Ünal", address: "zoe@example.org" },
      to: "user@example.com",
      subject: "Café plans — today?",
      text: "Shall we meet at the café?\nSee you <soon> & don't be late",
      html: "<p>Shall we meet at the <b>café</b>?</p>",
      attachments: [{ filename: "menu.txt", contentType: "text/plain", content: "Espresso 2.50" }],
    });
    const id = fake.gmail.addMessage({ raw: rawMail }).id;
    const read = token(READONLY);

    const raw = await call("GET", `/messages/${id}?format=raw`, read);
    expect(Buffer.from(String(raw.json.raw), "base64url").equals(rawMail)).toBe(true);
    expect(String(raw.json.raw)).not.toMatch(/[+/]/);

    const full = await call("GET", `/messages/${id}?format=full`, read);
    const payload = full.json.payload as {
      mimeType: string;
      headers: { name: string; value: string }[];
      parts: {
        partId: string;
        mimeType: string;
        filename: string;
        body: { data?: string; attachmentId?: string };
        parts?: { mimeType: string; body: { data?: string } }[];
      }[];
    };
    expect(payload.mimeType).toBe("multipart/mixed");
    expect(payload.headers.find((h) => h.name === "Subject")?.value).toBe("Café plans — today?");
    expect(payload.headers.find((h) => h.name === "From")?.value).toBe("Zoë Ünal <zoe@example.org>");
    expect(payload.parts.map((p) => [p.partId, p.mimeType, p.filename])).toEqual([
      ["0", "multipart/alternative", ""],
      ["1", "text/plain", "menu.txt"],
    ]);
    const plain = payload.parts[0]?.parts?.[0];
    expect(Buffer.from(plain?.body.data ?? "", "base64url").toString("utf8")).toContain("meet at the café?");
    const attachmentId = payload.parts[1]?.body.attachmentId ?? "";
    const attachment = await call("GET", `/messages/${id}/attachments/${attachmentId}`, read);
    expect(Buffer.from(String(attachment.json.data), "base64url").toString()).toBe("Espresso 2.50");
    // Gmail's snippets are HTML-escaped text.
    expect(full.json.snippet).toBe("Shall we meet at the café? See you &lt;soon&gt; &amp; don&#39;t be late");
    expect(fake.violations).toEqual([]);
  });

  it("searches with the documented q subset and refuses syntax outside it loudly", async () => {
    deliver("Invoice 42", { from: "billing@shop.example", minutesAgo: 60 * 24 * 3 });
    const recent = deliver("Team lunch", { from: "carol@example.org", minutesAgo: 30 });
    const read = token(READONLY);
    const ids = async (q: string): Promise<string[]> =>
      (
        ((await call("GET", `/messages?q=${encodeURIComponent(q)}`, read)).json.messages as MessageRef[] | undefined) ??
        []
      ).map((m) => m.id);
    expect(await ids("newer_than:2d")).toEqual([recent]);
    expect(await ids("from:carol is:unread")).toEqual([recent]);
    expect(await ids("-from:carol")).toHaveLength(1);
    expect(await ids('subject:"team lunch"')).toEqual([recent]);
    expect(await ids("lunch")).toEqual([recent]);
    const refused = await call("GET", `/messages?q=${encodeURIComponent("from:a OR from:b")}`, read);
    expect(refused.status).toBe(400);
    expect(fake.violations.join()).toContain("does not support OR");
  });

  it("applies the fields parameter like Google's partial responses", async () => {
    const id = deliver("Hello");
    const answer = await call(
      "GET",
      `/messages?fields=${encodeURIComponent("messages(id),resultSizeEstimate")}`,
      token(READONLY),
    );
    expect(answer.json).toEqual({ messages: [{ id }], resultSizeEstimate: 1 });
  });
});

describe("fake Gmail: history", () => {
  it("lists changes after startHistoryId in order, with gaps between ids, and 404 once history is forgotten", async () => {
    const read = token(MODIFY);
    const start = String((await call("GET", "/profile", read)).json.historyId);
    const id = deliver("New mail");
    await call("POST", `/messages/${id}/modify`, read, { addLabelIds: ["STARRED"] });

    const history = await call("GET", `/history?startHistoryId=${start}`, read);
    expect(history.status).toBe(200);
    const records = history.json.history as {
      id: string;
      messagesAdded?: unknown[];
      labelsAdded?: { labelIds: string[] }[];
    }[];
    expect(records).toHaveLength(2);
    expect(records[0]?.messagesAdded).toEqual([{ message: { id, threadId: id, labelIds: ["INBOX", "UNREAD"] } }]);
    expect(records[1]?.labelsAdded?.[0]?.labelIds).toEqual(["STARRED"]);
    expect(Number(records[1]?.id)).toBeGreaterThan(Number(records[0]?.id) + 0);
    expect(history.json.historyId).toBe(records[1]?.id);

    const onlyAdded = await call("GET", `/history?startHistoryId=${start}&historyTypes=messageAdded`, read);
    expect(onlyAdded.json.history).toHaveLength(1);
    const nothingNew = await call("GET", `/history?startHistoryId=${String(history.json.historyId)}`, read);
    expect(nothingNew.json.history).toBeUndefined();

    fake.gmail.mailbox.forgetHistory();
    const tooOld = await call("GET", `/history?startHistoryId=${start}`, read);
    expect(tooOld.status).toBe(404);
    expect(errorReason(tooOld)).toBe("notFound");
    expect(fake.violations).toEqual([]);
  });
});

describe("fake Gmail: labels, drafts and sending", () => {
  it("creates a label once (409 on the same name) and applies it with batchModify", async () => {
    const a = deliver("One");
    const b = deliver("Two");
    const modify = token(MODIFY);
    const label = { name: "Tabclaw/Newsletter", labelListVisibility: "labelShow", messageListVisibility: "show" };
    const created = await call("POST", "/labels", modify, label);
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({ name: "Tabclaw/Newsletter", type: "user" });
    const again = await call("POST", "/labels", modify, label);
    expect(again.status).toBe(409);
    const labels = await call("GET", "/labels", modify);
    expect((labels.json.labels as { name: string }[]).map((l) => l.name)).toContain("Tabclaw/Newsletter");

    const batch = await call("POST", "/messages/batchModify", modify, {
      ids: [a, b],
      addLabelIds: [created.json.id],
      removeLabelIds: ["INBOX"],
    });
    expect(batch.status).toBe(204);
    for (const id of [a, b])
      expect([...(fake.gmail.mailbox.message(id)?.labelIds ?? [])]).toEqual(["UNREAD", created.json.id]);
    expect(fake.violations).toEqual([]);
  });

  it("refuses labels Gmail refuses (unknown id, DRAFT) and records them as violations", async () => {
    const id = deliver("One");
    const modify = token(MODIFY);
    expect((await call("POST", `/messages/${id}/modify`, modify, { addLabelIds: ["Label_99"] })).status).toBe(400);
    expect((await call("POST", `/messages/${id}/modify`, modify, { addLabelIds: ["DRAFT"] })).status).toBe(400);
    expect(fake.violations).toEqual([
      "gmail.users.messages.modify: Invalid label: Label_99",
      "gmail.users.messages.modify: Invalid label: DRAFT cannot be added",
    ]);
  });

  it("creates a reply draft in the thread and records recipients, subject, thread and In-Reply-To when it is sent", async () => {
    const original = deliver("Plans for Friday", { from: "bob@example.org", messageId: "<plans-1@example.org>" });
    const compose = token(COMPOSE);
    const reply = buildRawMail({
      from: "user@example.com",
      to: "bob@example.org",
      subject: "Re: Plans for Friday",
      text: "Friday works.",
      inReplyTo: "<plans-1@example.org>",
      references: "<plans-1@example.org>",
    }).toString("base64url");
    const draft = await call("POST", "/drafts", compose, { message: { raw: reply, threadId: original } });
    expect(draft.status).toBe(200);
    expect(draft.json.message).toMatchObject({ threadId: original, labelIds: ["DRAFT"] });
    expect(fake.gmail.mailbox.sent).toEqual([]);

    const sent = await call("POST", "/drafts/send", compose, { id: draft.json.id });
    expect(sent.status).toBe(200);
    expect(sent.json).toMatchObject({ threadId: original, labelIds: ["SENT"] });
    expect(fake.gmail.mailbox.sent).toHaveLength(1);
    expect(fake.gmail.mailbox.sent[0]).toMatchObject({
      to: ["bob@example.org"],
      subject: "Re: Plans for Friday",
      threadId: original,
      requestedThreadId: original,
      inReplyTo: "<plans-1@example.org>",
      viaDraftId: draft.json.id,
    });
    expect(fake.gmail.mailbox.drafts()).toEqual([]);
    expect(fake.violations).toEqual([]);
  });

  it("puts a reply in a new thread, as Gmail does, when the subject does not match", async () => {
    const original = deliver("Plans for Friday", { messageId: "<plans-2@example.org>" });
    const raw = buildRawMail({
      from: "user@example.com",
      to: "bob@example.org",
      subject: "Something else",
      text: "x",
      inReplyTo: "<plans-2@example.org>",
    }).toString("base64url");
    const sent = await call("POST", "/messages/send", token(COMPOSE), { raw, threadId: original });
    expect(sent.status).toBe(200);
    expect(sent.json.threadId).not.toBe(original);
    expect(fake.gmail.mailbox.sent[0]?.requestedThreadId).toBe(original);
  });

  it("sends a media upload (message/rfc822 to /upload/…?uploadType=media)", async () => {
    const raw = buildRawMail({
      from: "user@example.com",
      to: ["dan@example.org", "erin@example.org"],
      subject: "Hi",
      text: "Hello",
    });
    const response = await googleFetch(
      "https://gmail.googleapis.com/upload/gmail/v1/users/me/messages/send?uploadType=media",
      {
        method: "POST",
        headers: { authorization: `Bearer ${token(COMPOSE)}`, "content-type": "message/rfc822" },
        body: new Uint8Array(raw),
      },
    );
    expect(response.status).toBe(200);
    expect(fake.gmail.mailbox.sent[0]?.to).toEqual(["dan@example.org", "erin@example.org"]);
    expect(fake.violations).toEqual([]);
  });
});

describe("fake Gmail: ids and uploads", () => {
  it("answers 404 for a message that is gone (not a violation) and 400 for an id that is not Gmail's (a violation)", async () => {
    const read = token(MODIFY);
    const gone = await call("GET", "/messages/18f3a2b4c5d6ffff?format=metadata", read);
    expect(gone.status).toBe(404);
    expect(fake.violations).toEqual([]);
    const appId = await call("GET", `/messages/${encodeURIComponent("gmail:18f3a2b4c5d6ffff")}?format=metadata`, read);
    expect(appId.status).toBe(400);
    expect(fake.violations).toEqual(['gmail.users.messages.get: Invalid id value: "gmail:18f3a2b4c5d6ffff"']);
  });

  it("sends a multipart upload (JSON metadata with threadId, then the message)", async () => {
    const original = deliver("Question", { messageId: "<q-1@example.org>" });
    const raw = buildRawMail({
      from: "user@example.com",
      to: "alice@example.org",
      subject: "Re: Question",
      text: "Answer",
      inReplyTo: "<q-1@example.org>",
    });
    const boundary = "upload_boundary_1";
    const body = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n${JSON.stringify({ threadId: original })}\r\n`,
      ),
      Buffer.from(`--${boundary}\r\nContent-Type: message/rfc822\r\n\r\n`),
      raw,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const response = await googleFetch(
      "https://gmail.googleapis.com/upload/gmail/v1/users/me/messages/send?uploadType=multipart",
      {
        method: "POST",
        headers: {
          authorization: `Bearer ${token(COMPOSE)}`,
          "content-type": `multipart/related; boundary=${boundary}`,
        },
        body: new Uint8Array(body),
      },
    );
    expect(response.status).toBe(200);
    expect(fake.gmail.mailbox.sent[0]).toMatchObject({ threadId: original, subject: "Re: Question" });
    expect(fake.gmail.mailbox.sent[0]?.raw.equals(raw)).toBe(true);
    expect(fake.violations).toEqual([]);
  });

  it("pages history with maxResults and pageToken", async () => {
    const read = token(READONLY);
    const start = String((await call("GET", "/profile", read)).json.historyId);
    for (const subject of ["a", "b", "c"]) deliver(subject);
    const first = await call("GET", `/history?startHistoryId=${start}&maxResults=2`, read);
    expect(first.json.history).toHaveLength(2);
    const second = await call(
      "GET",
      `/history?startHistoryId=${start}&maxResults=2&pageToken=${String(first.json.nextPageToken)}`,
      read,
    );
    expect(second.json.history).toHaveLength(1);
    expect(second.json.nextPageToken).toBeUndefined();
  });
});

describe("fake Gmail: refusals a client must handle", () => {
  it("answers a malformed request with a Google-style 400 that says what is wrong, and records it", async () => {
    const id = deliver("One");
    const answer = await call("GET", `/messages/${id}?format=fancy`, token(READONLY));
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatchObject({ code: 400, status: "INVALID_ARGUMENT" });
    expect((answer.json.error as { message: string }).message).toContain('"format" must be one of');
    expect(fake.violations).toHaveLength(1);
    expect(fake.quotaUnits()).toBe(0);
  });

  it("answers 401 for a missing, unknown, expired or revoked token, keeping violations empty", async () => {
    const live = token(READONLY);
    expect((await googleFetch(`${GMAIL}/profile`)).status).toBe(401);
    expect((await call("GET", "/profile", "ya29.not-issued")).status).toBe(401);
    expect((await call("GET", "/profile", live)).status).toBe(200);
    fake.gmail.expireToken(live);
    const expired = await call("GET", "/profile", live);
    expect(expired.status).toBe(401);
    expect(errorReason(expired)).toBe("authError");
    expect(fake.violations).toEqual([]);
    expect(fake.gmail.authFailures).toHaveLength(3);
  });

  it("answers 403 insufficientPermissions when the token lacks the method's scopes", async () => {
    const id = deliver("One");
    const answer = await call("POST", `/messages/${id}/modify`, token(READONLY), { addLabelIds: ["STARRED"] });
    expect(answer.status).toBe(403);
    expect(errorReason(answer)).toBe("insufficientPermissions");
    expect(fake.gmail.mailbox.message(id)?.labelIds.has("STARRED")).toBe(false);
    expect(fake.violations).toEqual([]);
  });

  it("injects 429 rateLimitExceeded with and without Retry-After, 403 userRateLimitExceeded, 500 and 503 for the next calls", async () => {
    const read = token(READONLY);
    fake.gmail.failNext(1, { kind: "rateLimitExceeded", retryAfterSeconds: 7 });
    fake.gmail.failNext(1, { kind: "rateLimitExceeded" });
    fake.gmail.failNext(1, { kind: "userRateLimitExceeded" });
    fake.gmail.failNext(1, { kind: "backendError" });
    fake.gmail.failNext(1, { kind: "unavailable" });
    const answers = [];
    for (let index = 0; index < 6; index++) answers.push(await call("GET", "/profile", read));
    expect(answers.map((a) => a.status)).toEqual([429, 429, 403, 500, 503, 200]);
    expect(answers.slice(0, 5).map(errorReason)).toEqual([
      "rateLimitExceeded",
      "rateLimitExceeded",
      "userRateLimitExceeded",
      "backendError",
      "backendError",
    ]);
    // A page cannot read Retry-After unless the server exposes it; the default fake does not.
    expect(answers[0]?.headers.get("retry-after")).toBeNull();
    expect(fake.gmail.pendingFaults()).toBe(0);
    expect(fake.quotaUnits()).toBe(1);
  });

  it("shows Retry-After to the page when the fake is started with exposeRetryAfter", async () => {
    const exposed = await startFakeGoogle({ exposeRetryAfter: true });
    try {
      exposed.gmail.failNext(1, { kind: "rateLimitExceeded", retryAfterSeconds: 7 });
      const response = await fetchViaFake(exposed)(`${GMAIL}/profile`, {
        headers: { authorization: `Bearer ${exposed.oauth.issueToken([READONLY]).accessToken}` },
      });
      expect(response.status).toBe(429);
      expect(response.headers.get("retry-after")).toBe("7");
    } finally {
      await exposed.close();
    }
  });
});

describe("fake Gmail: quota", () => {
  it("counts Gmail's published units per method: sync of 3 mails (list + 3 metadata gets) + label + draft + send", async () => {
    const ids = [deliver("a"), deliver("b"), deliver("c")];
    const all = token(MODIFY, COMPOSE);
    await call("GET", "/messages?labelIds=INBOX", all);
    for (const id of ids) await call("GET", `/messages/${id}?format=metadata&metadataHeaders=Subject`, all);
    await call("POST", `/messages/${ids[0] ?? ""}/modify`, all, { addLabelIds: ["STARRED"] });
    await call("POST", "/messages/batchModify", all, { ids, removeLabelIds: ["UNREAD"] });
    const raw = buildRawMail({ from: "user@example.com", to: "x@example.org", subject: "s", text: "t" }).toString(
      "base64url",
    );
    await call("POST", "/drafts", all, { message: { raw } });
    await call("POST", "/messages/send", all, { raw });
    await call("GET", "/history?startHistoryId=4100", all);
    expect(fake.gmail.quotaUnitsByMethod()).toEqual({
      "gmail.users.messages.list": 5,
      "gmail.users.messages.get": 15,
      "gmail.users.messages.modify": 5,
      "gmail.users.messages.batchModify": 50,
      "gmail.users.drafts.create": 10,
      "gmail.users.messages.send": 100,
      "gmail.users.history.list": 2,
    });
    expect(fake.quotaUnits()).toBe(187);
    expect(fake.violations).toEqual([]);
  });
});
