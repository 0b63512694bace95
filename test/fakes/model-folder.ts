import { createWriteStream } from "node:fs";
import { copyFile, link, mkdir, readFile, readdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { FIXTURE_DIR, FIXTURE_MODEL_ID, TINY_WASM } from "./fake-hub";
import { generatedMd5s, shardChunks, type TensorCacheManifest } from "./generated-shards";
import { BUILD_DIR } from "./paths";

/** The model library's name in the folder, as MLC names a compiled library. */
export const FOLDER_LIBRARY_FILE = `${FIXTURE_MODEL_ID}-webgpu.wasm`;

/** A model folder on disk in the MLC layout, as a user would pick it. */
export interface ModelFolder {
  /** Absolute path of the folder. */
  dir: string;
  /** Its own name (the app names the model `local-<slug of this>`). */
  name: string;
  /** tensor-cache.json as written (md5sums of the generated shards). */
  manifest: TensorCacheManifest;
  /** Every file in the folder and its size in bytes, by file name. */
  sizes: Map<string, number>;
}

async function sizesOf(dir: string): Promise<Map<string, number>> {
  const names = await readdir(dir);
  const sizes = await Promise.all(names.map(async (name) => [name, (await stat(join(dir, name))).size] as const));
  return new Map(sizes);
}

/**
 * Writes the fixture model as a folder `<parent>/<name>`: the real config and tokenizer files, the
 * generated weight shards (the same bytes the fake hub serves) with a tensor-cache.json whose md5sums
 * match them, and {@link TINY_WASM} as the library. About 270 MB; the shards are streamed to disk.
 */
export async function writeModelFolder(parent: string, name: string): Promise<ModelFolder> {
  const dir = join(parent, name);
  await mkdir(dir, { recursive: true });
  const manifestText = await readFile(join(FIXTURE_DIR, "tensor-cache.json"), "utf8");
  const md5s = await generatedMd5s(manifestText, BUILD_DIR);
  const published = JSON.parse(manifestText) as TensorCacheManifest;
  const manifest: TensorCacheManifest = {
    ...published,
    records: published.records.map((shard) => ({ ...shard, md5sum: md5s.get(shard.dataPath) ?? "" })),
  };
  await writeFile(join(dir, "tensor-cache.json"), JSON.stringify(manifest, null, 4));
  // Written as the q0f32 sibling the tests use everywhere: a q0f16 quantisation would (rightly) make
  // the app require shader-f16, which SwiftShader lacks. Nothing else in the config changes.
  const config = JSON.parse(await readFile(join(FIXTURE_DIR, "mlc-chat-config.json"), "utf8")) as Record<
    string,
    unknown
  >;
  await writeFile(join(dir, "mlc-chat-config.json"), JSON.stringify({ ...config, quantization: "q0f32" }, null, 2));
  for (const file of ["tokenizer.json", "tokenizer_config.json"]) {
    await copyFile(join(FIXTURE_DIR, file), join(dir, file));
  }
  for (const shard of manifest.records) {
    await pipeline(
      Readable.from(shardChunks(shard.dataPath, 0, shard.nbytes)),
      createWriteStream(join(dir, shard.dataPath)),
    );
  }
  await writeFile(join(dir, FOLDER_LIBRARY_FILE), TINY_WASM);
  return { dir, name, manifest, sizes: await sizesOf(dir) };
}

/** Another folder `<parent>/<name>` with the files of `folder` except `omit`, hard-linked (no copy of the shards). */
export async function linkModelFolder(
  folder: ModelFolder,
  parent: string,
  name: string,
  omit: readonly string[],
): Promise<ModelFolder> {
  const dir = join(parent, name);
  await mkdir(dir, { recursive: true });
  for (const file of folder.sizes.keys()) {
    if (!omit.includes(file)) await link(join(folder.dir, file), join(dir, file));
  }
  return { dir, name, manifest: folder.manifest, sizes: await sizesOf(dir) };
}
