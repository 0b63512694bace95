import { MAIL_CATEGORIES } from "../../store/mail-record";
import type { ObjectSchema } from "../agent/json-schema";

/**
 * The shape the model answers in when it triages one mail, decoded under this schema (web-llm's
 * `response_format`, xgrammar) so every catalog model answers in it. Inside the subset
 * `json-schema.ts` describes, so `validateJson` checks exactly what the decoder allowed:
 *
 * - `summary` first: the model says what the mail is before it files it. Bounded, so xgrammar keeps
 *   it to one line without quotes: what the Inbox list shows as is.
 * - `category`: one of the six, as an enum.
 * - `draftReply`: always present (one shape for every model; no `anyOf`), empty unless the mail
 *   needs a reply. Unbounded, so it can hold line breaks and quotes; the request's `maxTokens` caps it.
 */

export const TRIAGE_SUMMARY_MAX = 140;
/** A summary (about 35 tokens), a short draft (about 200) and the JSON around them. */
export const TRIAGE_MAX_TOKENS = 360;

export const TRIAGE_SCHEMA = {
  type: "object",
  properties: {
    summary: { type: "string", minLength: 1, maxLength: TRIAGE_SUMMARY_MAX },
    category: { type: "string", enum: MAIL_CATEGORIES },
    draftReply: { type: "string" },
  },
  required: ["summary", "category", "draftReply"],
  additionalProperties: false,
} as const satisfies ObjectSchema;

/** The schema as web-llm takes it (`response_format.schema`), built once. */
export const TRIAGE_SCHEMA_TEXT = JSON.stringify(TRIAGE_SCHEMA);
