import { validateJson, type ObjectSchema } from "../agent/json-schema";

/**
 * What the model answers for one batch of the Slack digest, constrained by xgrammar to this
 * schema: per thread, by the label the prompt gave it (`T1`…, constrained to the labels shown, so
 * it cannot invent or re-target a thread), a one-line summary, whether the user needs to reply,
 * and an optional draft. The summary is bounded, which under xgrammar also keeps it to one line
 * without quotes; the draft is free text, capped by the call's `maxTokens`.
 */

export const SUMMARY_MAX_LENGTH = 160;

export interface DigestAnswerItem {
  /** The thread's label in the prompt, e.g. `T3`. */
  thread: string;
  summary: string;
  needsReply: boolean;
  /** Only kept when `needsReply` is true and it is not blank. */
  draftReply?: string;
}

/** The schema the decoder gets: exactly one item per label. `exactCount: false` is for reading an answer back. */
export function digestSchema(labels: readonly string[], options: { exactCount?: boolean } = {}): ObjectSchema {
  const count = options.exactCount === false ? {} : { minItems: labels.length, maxItems: labels.length };
  return {
    type: "object",
    properties: {
      threads: {
        type: "array",
        ...count,
        items: {
          type: "object",
          properties: {
            thread: { type: "string", enum: [...labels] },
            summary: { type: "string", minLength: 1, maxLength: SUMMARY_MAX_LENGTH },
            needsReply: { type: "boolean" },
            draftReply: { type: "string" },
          },
          required: ["thread", "summary", "needsReply"],
          additionalProperties: false,
        },
      },
    },
    required: ["threads"],
    additionalProperties: false,
  };
}

export type ParsedDigestAnswer =
  | {
      ok: true;
      /** One per label, in the order of `labels`; a label the model skipped is missing here. */
      items: DigestAnswerItem[];
      /** What was off but survivable: a repeated or missing thread, a draft for a thread that needs none. */
      problems: string[];
    }
  | { ok: false; problem: string };

interface RawItem {
  thread: string;
  summary: string;
  needsReply: boolean;
  draftReply?: string;
}

/**
 * Reads the model's answer. It is checked again against the schema (another engine might not
 * constrain), each label is taken once (the first answer wins), and a draft survives only on a
 * thread marked as needing a reply.
 */
export function parseDigestAnswer(text: string, labels: readonly string[]): ParsedDigestAnswer {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problem: "The model's digest was not valid JSON." };
  }
  // The count is not checked here: a skipped or repeated thread is survivable, the others are still good.
  const violations = validateJson(digestSchema(labels, { exactCount: false }), value);
  if (violations.length > 0) {
    const first = violations.slice(0, 3).map((violation) => `${violation.path} ${violation.message}`);
    return { ok: false, problem: `The model's digest did not fit the schema: ${first.join("; ")}.` };
  }
  const raw = (value as { threads: readonly RawItem[] }).threads;
  const problems: string[] = [];
  const byLabel = new Map<string, DigestAnswerItem>();
  for (const item of raw) {
    if (byLabel.has(item.thread)) {
      problems.push(`${item.thread} was summarised twice; the first was kept.`);
      continue;
    }
    const draft = item.draftReply?.trim();
    if (draft !== undefined && draft !== "" && !item.needsReply) {
      problems.push(`${item.thread} had a draft but needs no reply; the draft was dropped.`);
    }
    byLabel.set(item.thread, {
      thread: item.thread,
      summary: item.summary.trim(),
      needsReply: item.needsReply,
      ...(item.needsReply && draft !== undefined && draft !== "" ? { draftReply: draft } : {}),
    });
  }
  const items: DigestAnswerItem[] = [];
  for (const label of labels) {
    const item = byLabel.get(label);
    if (item) items.push(item);
    else problems.push(`${label} was not summarised.`);
  }
  return { ok: true, items, problems };
}
