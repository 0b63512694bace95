import type { Database } from "../store/database";

/** Where the vault keeps its key and its sealed tokens, inside `connectorState` (no schema change). */
export const VAULT_KEY_RECORD = "vault:key";
export const VAULT_TOKEN_PREFIX = "vault:token:";

const ALGORITHM = "AES-GCM";
const IV_BYTES = 12;

/** A token as it is stored: AES-GCM ciphertext with its IV. Nothing in it is readable without the key. */
export interface SealedToken {
  version: 1;
  iv: Uint8Array<ArrayBuffer>;
  ciphertext: ArrayBuffer;
}

export function isSealedToken(value: unknown): value is SealedToken {
  if (typeof value !== "object" || value === null) return false;
  const sealed = value as Partial<SealedToken>;
  return (
    sealed.version === 1 &&
    sealed.iv instanceof Uint8Array &&
    sealed.iv.buffer instanceof ArrayBuffer &&
    sealed.ciphertext instanceof ArrayBuffer
  );
}

function isVaultKey(value: unknown): value is CryptoKey {
  return (
    typeof CryptoKey !== "undefined" &&
    value instanceof CryptoKey &&
    value.algorithm.name === ALGORITHM &&
    !value.extractable &&
    value.usages.includes("encrypt") &&
    value.usages.includes("decrypt")
  );
}

/**
 * The device's vault key: made once, non-extractable, and stored in IndexedDB as a CryptoKey
 * (structured-cloneable), so script on the page can use it but never read its bytes out.
 */
export async function loadOrCreateVaultKey(db: Database): Promise<CryptoKey> {
  const stored: unknown = await db.get("connectorState", VAULT_KEY_RECORD);
  if (isVaultKey(stored)) return stored;
  const key = await crypto.subtle.generateKey({ name: ALGORITHM, length: 256 }, false, ["encrypt", "decrypt"]);
  // Another tab may have made one meanwhile: the put wins, and whichever key loses seals nothing stored.
  await db.put("connectorState", key, VAULT_KEY_RECORD);
  return key;
}

/** The stored key, if any; never makes one (reading must not leave a key behind). */
export async function loadVaultKey(db: Database): Promise<CryptoKey | undefined> {
  const stored: unknown = await db.get("connectorState", VAULT_KEY_RECORD);
  return isVaultKey(stored) ? stored : undefined;
}

/**
 * Seals a value. `slot` (the service name) is bound as additional data, so a sealed Google token
 * copied into the Slack slot fails to open instead of being used as a Slack token.
 */
export async function sealValue(key: CryptoKey, slot: string, value: unknown): Promise<SealedToken> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const plaintext = new TextEncoder().encode(JSON.stringify(value));
  const ciphertext = await crypto.subtle.encrypt(
    { name: ALGORITHM, iv, additionalData: new TextEncoder().encode(slot) },
    key,
    plaintext,
  );
  return { version: 1, iv, ciphertext };
}

/** Opens a sealed value; `undefined` when it was sealed under another key, for another slot, or is damaged. */
export async function openSealedValue(key: CryptoKey, slot: string, sealed: SealedToken): Promise<unknown> {
  try {
    const plaintext = await crypto.subtle.decrypt(
      { name: ALGORITHM, iv: sealed.iv, additionalData: new TextEncoder().encode(slot) },
      key,
      sealed.ciphertext,
    );
    return JSON.parse(new TextDecoder().decode(plaintext)) as unknown;
  } catch {
    return undefined;
  }
}
