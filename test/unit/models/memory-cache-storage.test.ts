import { describe, expect, it } from "vitest";
import { MemoryCacheStorage } from "../../fakes/memory-cache-storage";

/** The model tests lean on these behaviours of the real Cache API; the fake must have them too. */
describe("MemoryCacheStorage", () => {
  it("normalises keys like the real one and returns a fresh response each time", async () => {
    const cache = await new MemoryCacheStorage().open("c");
    await cache.put("https://Example.ORG/a b/../x.bin", new Response("hello", { headers: { "x-k": "v" } }));
    expect((await cache.keys()).map((request) => request.url)).toEqual(["https://example.org/x.bin"]);
    const first = await cache.match(new Request("https://example.org/x.bin"));
    const second = await cache.match("https://example.org/x.bin");
    expect(await first?.text()).toBe("hello");
    expect(await second?.text()).toBe("hello");
    expect(second?.headers.get("x-k")).toBe("v");
    expect(await cache.match("https://example.org/y.bin")).toBeUndefined();
  });

  it("stores nothing when the body stream errors part-way", async () => {
    const cache = await new MemoryCacheStorage().open("c");
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(10));
        controller.error(new TypeError("network error"));
      },
    });
    await expect(cache.put("https://example.org/x.bin", new Response(body))).rejects.toThrow("network error");
    expect(await cache.keys()).toEqual([]);
  });

  it("throws a QuotaExceededError DOMException beyond its quota, counting every cache", async () => {
    const storage = new MemoryCacheStorage({ quotaBytes: 15 });
    await (await storage.open("a")).put("https://example.org/1", new Response(new Uint8Array(10)));
    const b = await storage.open("b");
    const failure = b.put("https://example.org/2", new Response(new Uint8Array(6)));
    await expect(failure).rejects.toBeInstanceOf(DOMException);
    await expect(failure).rejects.toMatchObject({ name: "QuotaExceededError" });
    expect(await b.keys()).toEqual([]);
    // Replacing an entry only needs room for the difference.
    await (await storage.open("a")).put("https://example.org/1", new Response(new Uint8Array(15)));
    expect(storage.usedBytes).toBe(15);
  });

  it("opens, lists and deletes caches like CacheStorage", async () => {
    const storage = new MemoryCacheStorage();
    expect(await storage.has("webllm/model")).toBe(false);
    await storage.open("webllm/model");
    expect(await storage.keys()).toEqual(["webllm/model"]);
    expect(await storage.delete("webllm/model")).toBe(true);
    expect(await storage.has("webllm/model")).toBe(false);
  });
});
