import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  buildRawMail,
  DEFAULT_CLIENT_ID,
  fetchViaFake,
  startFakeGoogle,
  type FakeGoogle,
} from "../../../fakes/google/start-fake-google";

const GMAIL = "https://gmail.googleapis.com/gmail/v1/users/me";
const MODIFY = "https://www.googleapis.com/auth/gmail.modify";

interface MessageRef {
  id: string;
  threadId: string;
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

function deliver(subject: string, from = "alice@example.org", minutesAgo = 0): string {
  return fake.gmail.addMessage({
    raw: buildRawMail({ from, to: "user@example.com", subject, text: `Body of ${subject}` }),
    internalDate: Date.now() - minutesAgo * 60_000,
  }).id;
}

async function getJson(url: string, token: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await googleFetch(url, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe("fake Gmail over HTTP", () => {
  it("serves profile, list, get (metadata) and modify to a correct client with no violations", async () => {
    const first = deliver("Quarterly report", "bob@example.org", 10);
    const second = deliver("Lunch?", "carol@example.org", 5);
    const token = fake.oauth.issueToken([MODIFY], { clientId: DEFAULT_CLIENT_ID }).accessToken;

    const profile = await getJson(`${GMAIL}/profile`, token);
    expect(profile.status).toBe(200);
    expect(profile.json).toMatchObject({ emailAddress: "user@example.com", messagesTotal: 2 });
    expect(typeof profile.json.historyId).toBe("string");

    const list = await getJson(`${GMAIL}/messages?labelIds=INBOX&maxResults=1`, token);
    expect(list.status).toBe(200);
    expect((list.json.messages as MessageRef[]).map((m) => m.id)).toEqual([second]);
    expect(typeof list.json.nextPageToken).toBe("string");
    const next = await getJson(
      `${GMAIL}/messages?labelIds=INBOX&maxResults=1&pageToken=${String(list.json.nextPageToken)}`,
      token,
    );
    expect((next.json.messages as MessageRef[]).map((m) => m.id)).toEqual([first]);
    expect(next.json.nextPageToken).toBeUndefined();

    const metadata = await getJson(
      `${GMAIL}/messages/${first}?format=metadata&metadataHeaders=Subject&metadataHeaders=From`,
      token,
    );
    expect(metadata.status).toBe(200);
    const payload = metadata.json.payload as { headers: { name: string; value: string }[] };
    expect(payload.headers).toEqual([
      { name: "From", value: "bob@example.org" },
      { name: "Subject", value: "Quarterly report" },
    ]);
    expect(metadata.json.snippet).toBe("Body of Quarterly report");
    expect(metadata.json.labelIds).toEqual(["INBOX", "UNREAD"]);

    const modified = await googleFetch(`${GMAIL}/messages/${first}/modify`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ removeLabelIds: ["UNREAD", "INBOX"] }),
    });
    expect(modified.status).toBe(200);
    expect(fake.gmail.mailbox.message(first)?.labelIds).toEqual(new Set());
    expect(fake.violations).toEqual([]);
    expect(fake.quotaUnits()).toBe(1 + 5 + 5 + 5 + 5);
  });
});
