import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { VAULT_KEY_RECORD, VAULT_TOKEN_PREFIX } from "../../../src/auth/token-encryption";
import { TokenVault, type StoredToken } from "../../../src/auth/token-vault";
import { SettingsStore } from "../../../src/store/settings-store";
import { FreshDatabase } from "../store/fresh-database";

const GOOGLE: StoredToken = {
  accessToken: "ya29.secret-google-access-token",
  expiresAt: 1_900_000_000_000,
  scopes: ["https://www.googleapis.com/auth/gmail.readonly"],
  account: "ann@example.com",
};
const SLACK: StoredToken = { accessToken: "xoxp-secret-slack", refreshToken: "xoxe-refresh", scopes: ["search:read"] };

let database: FreshDatabase;
const opened: TokenVault[] = [];

async function openVault(channel: string | null = null): Promise<TokenVault> {
  const vault = await TokenVault.open(database.db, new SettingsStore(database.db), { channel });
  opened.push(vault);
  return vault;
}

/** Everything in connectorState, as text a search for a token would look at. */
async function storedText(): Promise<string> {
  const values: unknown[] = await database.db.getAll("connectorState");
  return values
    .map((value) => {
      if (value instanceof CryptoKey) return "[CryptoKey]";
      if (
        typeof value === "object" &&
        value !== null &&
        "ciphertext" in value &&
        value.ciphertext instanceof ArrayBuffer
      ) {
        return new TextDecoder("latin1").decode(value.ciphertext);
      }
      return JSON.stringify(value);
    })
    .join("\n");
}

beforeEach(async () => {
  database = new FreshDatabase();
  await database.open();
});

afterEach(async () => {
  for (const vault of opened.splice(0)) vault.close();
  await database.dispose();
});

describe("TokenVault without persistence (the default)", () => {
  it("keeps tokens in memory only: a reload forgets them and nothing is stored", async () => {
    const vault = await openVault();
    expect(vault.persistent).toBe(false);
    await vault.set("google", GOOGLE);
    expect(vault.get("google")).toEqual(GOOGLE);
    expect(await database.db.getAllKeys("connectorState")).toEqual([]);

    await database.reopen();
    const reloaded = await openVault();
    expect(reloaded.get("google")).toBeUndefined();
  });

  it("hands out copies, so a caller cannot change the stored token", async () => {
    const vault = await openVault();
    await vault.set("google", GOOGLE);
    const copy = vault.get("google");
    copy?.scopes.push("https://mail.google.com/");
    expect(vault.get("google")?.scopes).toEqual(GOOGLE.scopes);
  });

  it("refuses a token without an access token", async () => {
    const vault = await openVault();
    await expect(vault.set("github", { accessToken: "", scopes: [] })).rejects.toThrow(/access token/);
    expect(vault.get("github")).toBeUndefined();
  });

  it("tells listeners which service changed, until they unsubscribe", async () => {
    const vault = await openVault();
    const heard: string[] = [];
    const stop = vault.onChange((service) => heard.push(service));
    await vault.set("slack", SLACK);
    await vault.remove("slack");
    stop();
    await vault.set("github", { accessToken: "github_pat_x", scopes: [] });
    expect(heard).toEqual(["slack", "slack"]);
  });
});

describe("TokenVault with persistence on", () => {
  it("survives a reload, sealed: no token text is readable in IndexedDB", async () => {
    const vault = await openVault();
    await vault.set("google", GOOGLE);
    await vault.setPersistent(true);
    await vault.set("slack", SLACK);

    const text = await storedText();
    expect(text).not.toContain("secret");
    expect(text).not.toContain("ann@example.com");
    expect(await database.db.getAllKeys("connectorState")).toEqual(
      expect.arrayContaining([VAULT_KEY_RECORD, `${VAULT_TOKEN_PREFIX}google`, `${VAULT_TOKEN_PREFIX}slack`]),
    );

    await database.reopen();
    const reloaded = await openVault();
    expect(reloaded.persistent).toBe(true);
    expect(reloaded.get("google")).toEqual(GOOGLE);
    expect(reloaded.get("slack")).toEqual(SLACK);
  });

  it("keeps its key non-extractable: the key bytes cannot be read out", async () => {
    const vault = await openVault();
    await vault.setPersistent(true);
    await vault.set("google", GOOGLE);
    const key: unknown = await database.db.get("connectorState", VAULT_KEY_RECORD);
    if (!(key instanceof CryptoKey)) throw new Error("no CryptoKey stored");
    expect(key.extractable).toBe(false);
    await expect(crypto.subtle.exportKey("raw", key)).rejects.toThrow();
  });

  it("turning it off deletes every stored copy and the key, and keeps this page signed in", async () => {
    const vault = await openVault();
    await vault.setPersistent(true);
    await vault.set("google", GOOGLE);
    await vault.setPersistent(false);
    expect(await database.db.getAllKeys("connectorState")).toEqual([]);
    expect(vault.get("google")).toEqual(GOOGLE);

    await database.reopen();
    expect((await openVault()).get("google")).toBeUndefined();
  });

  it("remove deletes the stored copy too", async () => {
    const vault = await openVault();
    await vault.setPersistent(true);
    await vault.set("google", GOOGLE);
    await vault.remove("google");
    await database.reopen();
    expect((await openVault()).get("google")).toBeUndefined();
    expect(await database.db.getKey("connectorState", `${VAULT_TOKEN_PREFIX}google`)).toBeUndefined();
  });

  it("treats a damaged or moved sealed token as signed out instead of failing to open", async () => {
    const vault = await openVault();
    await vault.setPersistent(true);
    await vault.set("google", GOOGLE);
    await vault.set("slack", SLACK);
    // The Google token copied into GitHub's slot: bound to "google", it must not open as GitHub's.
    const sealedGoogle: unknown = await database.db.get("connectorState", `${VAULT_TOKEN_PREFIX}google`);
    await database.db.put("connectorState", sealedGoogle, `${VAULT_TOKEN_PREFIX}github`);
    // Slack's ciphertext with one bit flipped.
    const sealedSlack = (await database.db.get("connectorState", `${VAULT_TOKEN_PREFIX}slack`)) as {
      ciphertext: ArrayBuffer;
    };
    const bytes = new Uint8Array(sealedSlack.ciphertext);
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    await database.db.put("connectorState", { ...sealedSlack, ciphertext: bytes.buffer }, `${VAULT_TOKEN_PREFIX}slack`);

    await database.reopen();
    const reloaded = await openVault();
    expect(reloaded.get("google")).toEqual(GOOGLE);
    expect(reloaded.get("github")).toBeUndefined();
    expect(reloaded.get("slack")).toBeUndefined();
  });

  it("opening with persistence off clears copies a crash left behind", async () => {
    const vault = await openVault();
    await vault.setPersistent(true);
    await vault.set("google", GOOGLE);
    // The setting went off without the copies being deleted (a tab closed mid-switch).
    await new SettingsStore(database.db).set("persistTokens", false);
    await database.reopen();
    const reloaded = await openVault();
    expect(reloaded.get("google")).toBeUndefined();
    expect(await database.db.getAllKeys("connectorState")).toEqual([]);
  });
});

describe("TokenVault across tabs", () => {
  it("a sign-out in one tab signs out the others; a sign-in travels only as a stored copy", async () => {
    const channel = `vault-test-${crypto.randomUUID()}`;
    const first = await openVault(channel);
    const second = await openVault(channel);
    await first.set("google", GOOGLE);
    await second.set("google", { ...GOOGLE, accessToken: "second-tab-token" });
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Without persistence no token crosses: each tab keeps its own.
    expect(first.get("google")?.accessToken).toBe(GOOGLE.accessToken);

    const heard = new Promise<string>((resolve) => second.onChange(resolve));
    await first.remove("google");
    expect(await heard).toBe("google");
    expect(second.get("google")).toBeUndefined();

    await first.setPersistent(true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const pickedUp = new Promise<string>((resolve) => second.onChange(resolve));
    await first.set("slack", SLACK);
    await pickedUp;
    expect(second.get("slack")).toEqual(SLACK);
  });
});
