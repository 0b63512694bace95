import { describe, expect, it } from "vitest";
import { digestMaxTokens, digestMessages, planDigestBatches } from "../../../../src/core/slack/digest-prompt";
import { groupByThread } from "../../../../src/core/slack/thread-grouping";
import { smolLmTokenCount } from "../../../bench/slack-figures";
import { linkHeavyThreads, manyLinkHeavyThreads, typicalMorning } from "./sample-digest";
import { YOU } from "./slack-messages";

/** web-llm's default context window when a model record names none; the smallest Tabclaw plans for. */
const CONTEXT_WINDOW = 4_096;
const rendering = { you: YOU, timeZone: "UTC" };

describe("a digest batch fits a small model's context (counted with SmolLM2's tokenizer)", () => {
  it.each([
    ["an ordinary morning", typicalMorning],
    ["link-heavy threads filling the caps", linkHeavyThreads],
    ["eight link-heavy threads (the largest answer too)", manyLinkHeavyThreads],
  ])("%s: prompt and answer together stay within 4,096 tokens", (_name, material) => {
    const batches = planDigestBatches(groupByThread(material()), rendering);
    expect(batches.length).toBeGreaterThan(0);
    for (const batch of batches) {
      const prompt = digestMessages(batch, rendering)
        .map((turn) => turn.content)
        .join("\n");
      expect(smolLmTokenCount(prompt) + digestMaxTokens(batch.threads.length)).toBeLessThanOrEqual(CONTEXT_WINDOW);
    }
  });
});
