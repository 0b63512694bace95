import { createCipheriv, createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * Weight shards made up on the fly: deterministic pseudo-random bytes of the exact sizes in
 * tensor-cache.json, never held in memory whole. AES-256-CTR over zeros gives bytes that are cheap
 * (hardware AES) and addressable at any offset, which HTTP range requests need.
 */
const GENERATOR_VERSION = "aes-256-ctr/v1";
const CHUNK = 64 * 1024;
const ZEROS = Buffer.alloc(CHUNK);

export interface TensorCacheShard {
  dataPath: string;
  nbytes: number;
  md5sum?: string;
  [field: string]: unknown;
}

export interface TensorCacheManifest {
  metadata?: unknown;
  records: TensorCacheShard[];
}

/** Where a corrupted shard has its one flipped byte. */
export function corruptOffset(nbytes: number): number {
  return Math.floor(nbytes / 2);
}

function cipherAt(dataPath: string, offset: number): ReturnType<typeof createCipheriv> {
  const key = createHash("sha256").update(`tabclaw fake shard ${GENERATOR_VERSION} ${dataPath}`).digest();
  const iv = Buffer.alloc(16);
  iv.writeBigUInt64BE(BigInt(Math.floor(offset / 16)), 8);
  return createCipheriv("aes-256-ctr", key, iv);
}

/** Yields bytes [start, end) of a shard, in chunks of at most 64 KiB. */
export function* shardChunks(dataPath: string, start: number, end: number): Generator<Buffer> {
  const cipher = cipherAt(dataPath, start);
  // The counter starts at the 16-byte block holding `start`; the bytes before `start` are dropped.
  let cursor = start - (start % 16);
  let skip = start % 16;
  while (cursor < end) {
    const length = Math.min(CHUNK, end - cursor);
    const bytes = cipher.update(length === CHUNK ? ZEROS : ZEROS.subarray(0, length));
    yield skip > 0 ? bytes.subarray(skip) : bytes;
    skip = 0;
    cursor += length;
  }
}

/** A shard's bytes [start, end), with its one byte flipped when `corrupt`. */
export function* shardBody(shard: TensorCacheShard, start: number, end: number, corrupt: boolean): Generator<Buffer> {
  const flip = corrupt ? corruptOffset(shard.nbytes) : -1;
  let position = start;
  for (const chunk of shardChunks(shard.dataPath, start, end)) {
    if (flip >= position && flip < position + chunk.length) {
      const copy = Buffer.from(chunk);
      copy[flip - position] = (copy[flip - position] ?? 0) ^ 0xff;
      yield copy;
    } else {
      yield chunk;
    }
    position += chunk.length;
  }
}

function md5Of(shard: TensorCacheShard): string {
  const hash = createHash("md5");
  for (const chunk of shardChunks(shard.dataPath, 0, shard.nbytes)) hash.update(chunk);
  return hash.digest("hex");
}

/**
 * md5 of every generated shard, keyed by dataPath. Computed once (about 1 s for 269 MB) and kept in
 * `cacheDir` under the hash of the manifest, so later runs read a small JSON file instead.
 */
export async function generatedMd5s(manifestText: string, cacheDir: string): Promise<Map<string, string>> {
  const key = createHash("sha256").update(GENERATOR_VERSION).update(manifestText).digest("hex").slice(0, 16);
  const file = join(cacheDir, `fake-shard-md5-${key}.json`);
  if (existsSync(file))
    return new Map(Object.entries(JSON.parse(await readFile(file, "utf8")) as Record<string, string>));
  const manifest = JSON.parse(manifestText) as TensorCacheManifest;
  const md5s = new Map(manifest.records.map((shard) => [shard.dataPath, md5Of(shard)]));
  await mkdir(cacheDir, { recursive: true });
  await writeFile(file, JSON.stringify(Object.fromEntries(md5s)));
  return md5s;
}
