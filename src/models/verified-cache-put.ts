import { createMD5, type IHasher } from "hash-wasm";
import { contentTypeFor, storedResponse } from "./cache-entries";
import { integrityError, isQuotaExceeded, storageFullError } from "./download-errors";

export interface ExpectedContent {
  name: string;
  /** When known, the body streams straight into the cache; otherwise it is read into memory first. */
  bytes?: number;
  md5?: string;
}

export interface PutOptions {
  onChunk: (bytes: number) => void;
  signal?: AbortSignal;
  /** Turns a failure to read the source (network drop, abort, unreadable file) into the error to throw. */
  describeSourceError: (error: unknown) => Error;
}

function checkComplete(expected: ExpectedContent, received: number, md5: IHasher | undefined): Error | undefined {
  if (expected.bytes !== undefined && received !== expected.bytes) {
    return integrityError(expected.name, `expected ${expected.bytes} bytes, got ${received}`);
  }
  if (md5 && expected.md5 !== undefined) {
    const actual = md5.digest("hex");
    if (actual !== expected.md5) return integrityError(expected.name, `its MD5 is ${actual}, expected ${expected.md5}`);
  }
  return undefined;
}

/**
 * Stores `source` in `cache` under `key`, checking length and MD5 while it streams. A failed check
 * errors the body stream, so `cache.put` rejects and the Cache API keeps nothing of the file:
 * a partial or damaged file is never stored. Resolves with the number of bytes stored.
 */
export async function putVerified(
  cache: Cache,
  key: string,
  source: ReadableStream<Uint8Array>,
  expected: ExpectedContent,
  options: PutOptions,
): Promise<number> {
  const md5 = expected.md5 === undefined ? undefined : (await createMD5()).init();
  const reader = source.getReader();
  let received = 0;
  let failure: Error | undefined;
  const failWith = (controller: ReadableStreamDefaultController<Uint8Array>, error: Error): void => {
    failure ??= error;
    controller.error(failure);
    reader.cancel(failure).catch(() => undefined);
  };

  const checked = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (options.signal?.aborted) return failWith(controller, options.describeSourceError(options.signal.reason));
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        failure ??= options.describeSourceError(error);
        controller.error(failure);
        return;
      }
      if (chunk.done) {
        const problem = checkComplete(expected, received, md5);
        if (problem) failWith(controller, problem);
        else controller.close();
        return;
      }
      received += chunk.value.byteLength;
      if (expected.bytes !== undefined && received > expected.bytes) {
        // Stop at once rather than fetch the rest of an oversized file.
        return failWith(controller, integrityError(expected.name, `more than the expected ${expected.bytes} bytes`));
      }
      md5?.update(chunk.value);
      controller.enqueue(chunk.value);
      options.onChunk(chunk.value.byteLength);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });

  const contentType = contentTypeFor(expected.name);
  try {
    if (expected.bytes !== undefined) {
      await cache.put(key, storedResponse(checked, expected.bytes, contentType));
    } else {
      const body = new Uint8Array(await new Response(checked).arrayBuffer());
      await cache.put(key, storedResponse(body, body.byteLength, contentType));
    }
  } catch (error) {
    // The Cache API already stored nothing; deleting makes that true for any implementation.
    await cache.delete(key).catch(() => false);
    if (failure) throw failure;
    if (isQuotaExceeded(error)) throw storageFullError(expected.name);
    throw error;
  }
  return received;
}
