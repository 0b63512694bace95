import { describe, expect, it } from "vitest";
import { splitFinishedBlocks } from "../../../src/core/markdown-blocks";

describe("splitting a streaming answer into finished blocks and the tail", () => {
  it("cuts after the last blank line", () => {
    expect(splitFinishedBlocks("One.\n\nTwo.\n\nThre")).toEqual({ finished: "One.\n\nTwo.\n\n", tail: "Thre" });
  });

  it("keeps an open code fence in the tail, blank lines included", () => {
    const text = "Intro.\n\n```js\nconst a = 1;\n\nconst b = 2;";
    expect(splitFinishedBlocks(text)).toEqual({ finished: "Intro.\n\n", tail: "```js\nconst a = 1;\n\nconst b = 2;" });
  });

  it("finishes a closed code fence at the next blank line", () => {
    const text = "```\ncode\n```\n\nAfter";
    expect(splitFinishedBlocks(text)).toEqual({ finished: "```\ncode\n```\n\n", tail: "After" });
  });

  it("has nothing finished in a single growing paragraph", () => {
    expect(splitFinishedBlocks("just one paragraph")).toEqual({ finished: "", tail: "just one paragraph" });
  });

  it("never loses or duplicates text", () => {
    const text = "a\n\n\n\nb\n\n```\nx\n\n```\nc\n\nd";
    const { finished, tail } = splitFinishedBlocks(text);
    expect(finished + tail).toBe(text);
  });
});
