import { validateJson, type ObjectSchema } from "../agent/json-schema";

/**
 * The deployment watch's judgement of one failure, decoded under a constrained schema so every
 * catalog model answers in this shape: a likely cause, whether a re-run is likely to help, what a
 * person should do next, and how bad it is. The short fields are bounded strings, which xgrammar
 * decodes as one plain line (no quotes, no newlines): what a notification can show as is.
 */

export const VERDICT_KINDS = ["flaky", "real", "unclear"] as const;
export const VERDICT_SEVERITIES = ["low", "medium", "high", "critical"] as const;

export type VerdictKind = (typeof VERDICT_KINDS)[number];
export type VerdictSeverity = (typeof VERDICT_SEVERITIES)[number];

export interface DeployVerdict {
  /** The likely cause, in one short line. */
  cause: string;
  /** flaky: a re-run will probably pass; real: the change broke something; unclear: cannot tell. */
  kind: VerdictKind;
  nextStep: string;
  severity: VerdictSeverity;
}

export const VERDICT_LINE_MAX = 160;
/** Enough for four short fields and the JSON around them. */
export const VERDICT_MAX_TOKENS = 160;

export const DEPLOY_VERDICT_SCHEMA = {
  type: "object",
  properties: {
    // The cause first: the model names it before it decides flaky or real.
    cause: { type: "string", minLength: 3, maxLength: VERDICT_LINE_MAX },
    kind: { type: "string", enum: VERDICT_KINDS },
    nextStep: { type: "string", minLength: 3, maxLength: VERDICT_LINE_MAX },
    severity: { type: "string", enum: VERDICT_SEVERITIES },
  },
  required: ["cause", "kind", "nextStep", "severity"],
  additionalProperties: false,
} as const satisfies ObjectSchema;

/** The schema as web-llm takes it (`response_format.schema`), built once. */
export const DEPLOY_VERDICT_SCHEMA_TEXT = JSON.stringify(DEPLOY_VERDICT_SCHEMA);

export type VerdictParse = { ok: true; verdict: DeployVerdict } | { ok: false; problem: string };

/** The model's answer as a verdict, or what is wrong with it (never a throw). */
export function parseVerdict(text: string): VerdictParse {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    return { ok: false, problem: "the answer is not JSON" };
  }
  const violations = validateJson(DEPLOY_VERDICT_SCHEMA, value, "verdict");
  if (violations.length > 0) {
    return { ok: false, problem: violations.map((violation) => `${violation.path} ${violation.message}`).join("; ") };
  }
  const verdict = value as DeployVerdict;
  return {
    ok: true,
    verdict: {
      cause: verdict.cause.trim(),
      kind: verdict.kind,
      nextStep: verdict.nextStep.trim(),
      severity: verdict.severity,
    },
  };
}
