import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import { batchSchema, digestMaxTokens, digestMessages, planDigestBatches } from "../../src/core/slack/digest-prompt";
import { groupByThread } from "../../src/core/slack/thread-grouping";
import { FIXTURE_DIR } from "../fakes/fake-hub";
import { READ_SCOPES, SlackFixture } from "../unit/connectors/slack/slack-fixture";
import { linkHeavyThreads, manyLinkHeavyThreads, typicalMorning } from "../unit/core/slack/sample-digest";
import { YOU } from "../unit/core/slack/slack-messages";
import type { BenchTarget, Figure } from "./report";

const CONTEXT_WINDOW = 4_096;

let tokenizer: Tokenizer | undefined;

/** Tokens of `text` under SmolLM2-135M's published tokenizer (a real BPE vocabulary of a small model). */
export function smolLmTokenCount(text: string): number {
  if (!tokenizer) {
    const read = (file: string): object => JSON.parse(readFileSync(join(FIXTURE_DIR, file), "utf8")) as object;
    tokenizer = new Tokenizer(read("tokenizer.json"), read("tokenizer_config.json"));
  }
  return tokenizer.encode(text).ids.length;
}

export const SLACK_TARGETS: BenchTarget[] = [
  { key: "slack_digest_full_batch_fits_4k_context", target: "true", met: (value) => value === true },
  { key: "slack_idle_read_rate_limit_refusals", target: "0", met: (value) => Number(value) === 0 },
];

/** Requests one read makes when nothing is new: the seeded fake workspace, two chosen channels. */
async function idleRead(): Promise<{ requests: number; refusals: number }> {
  const fixture = await new SlackFixture().start();
  try {
    await fixture.signIn(READ_SCOPES);
    await fixture.settings.set("slackChannels", ["C0GENERAL1", "C0RELEASE1"]);
    await fixture.execute("slack_read_updates");
    const before = fixture.fake.requests.length;
    await fixture.execute("slack_read_updates");
    return { requests: fixture.fake.requests.length - before, refusals: fixture.fake.rateLimits.refusals.length };
  } finally {
    await fixture.stop();
  }
}

/**
 * The Slack digest's sizes, counted with SmolLM2's tokenizer: the prompt of an ordinary morning's
 * batches and of a batch filled to the caps with link-heavy text, the answer tokens reserved, and
 * whether prompt plus answer fit a 4,096-token context; the decoding schema apart (it goes to
 * xgrammar, not into the prompt). And what an idle read costs in Slack requests (no model call).
 */
export async function measureSlackFigures(): Promise<Record<string, Figure>> {
  const rendering = { you: YOU, timeZone: "UTC" };
  const promptTokens = (material: ReturnType<typeof typicalMorning>) =>
    planDigestBatches(groupByThread(material), rendering).map((batch) => ({
      threads: batch.threads.length,
      tokens: smolLmTokenCount(
        digestMessages(batch, rendering)
          .map((turn) => turn.content)
          .join("\n"),
      ),
      schema: smolLmTokenCount(JSON.stringify(batchSchema(batch))),
    }));
  const morning = promptTokens(typicalMorning());
  // The worse of two full batches: long link-heavy threads, and eight of them (the largest answer).
  const [full] = [
    ...promptTokens(linkHeavyThreads()).slice(0, 1),
    ...promptTokens(manyLinkHeavyThreads()).slice(0, 1),
  ].sort((a, b) => b.tokens + digestMaxTokens(b.threads) - (a.tokens + digestMaxTokens(a.threads)));
  const fullTokens = full?.tokens ?? 0;
  const fullAnswer = digestMaxTokens(full?.threads ?? 0);
  const idle = await idleRead();
  return {
    slack_digest_batches_morning: morning.length,
    slack_digest_prompt_tokens_morning_max: Math.max(...morning.map((batch) => batch.tokens)),
    slack_digest_prompt_tokens_full_batch: fullTokens,
    slack_digest_answer_tokens_reserved_full_batch: fullAnswer,
    slack_digest_full_batch_fits_4k_context: fullTokens + fullAnswer <= CONTEXT_WINDOW,
    slack_digest_schema_tokens_if_prompted: full?.schema ?? 0,
    slack_idle_read_requests: idle.requests,
    slack_idle_read_rate_limit_refusals: idle.refusals,
  };
}
