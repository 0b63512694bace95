/**
 * The Gmail OAuth scopes Tabclaw asks for, one per feature, asked only when the user turns that
 * feature on. Pure constants: the agent worker's tool declarations and the page's OAuth flow share them.
 */
export const GMAIL_READONLY_SCOPE = "https://www.googleapis.com/auth/gmail.readonly";
export const GMAIL_MODIFY_SCOPE = "https://www.googleapis.com/auth/gmail.modify";
/** Covers drafts and sending (Google's `messages.send` accepts it): sending asks for nothing more. */
export const GMAIL_COMPOSE_SCOPE = "https://www.googleapis.com/auth/gmail.compose";

/** What the user turns on, and the scope each needs. */
export const GMAIL_FEATURES = ["triage", "labels", "drafts"] as const;
export type GmailFeature = (typeof GMAIL_FEATURES)[number];

export const GMAIL_FEATURE_SCOPES: Readonly<Record<GmailFeature, string>> = {
  triage: GMAIL_READONLY_SCOPE,
  labels: GMAIL_MODIFY_SCOPE,
  drafts: GMAIL_COMPOSE_SCOPE,
};

/** How Settings and error messages name each feature. */
export const GMAIL_FEATURE_TITLES: Readonly<Record<GmailFeature, string>> = {
  triage: "Connect Gmail (read-only)",
  labels: "Apply labels",
  drafts: "Create drafts",
};

/**
 * Scopes that also allow what a feature's scope allows: Google's `gmail.modify` reads, writes drafts
 * and sends too, so a user who granted it needs no narrower one.
 */
const SCOPES_THAT_COVER: Readonly<Record<string, readonly string[]>> = {
  [GMAIL_READONLY_SCOPE]: [GMAIL_READONLY_SCOPE, GMAIL_MODIFY_SCOPE, "https://mail.google.com/"],
  [GMAIL_MODIFY_SCOPE]: [GMAIL_MODIFY_SCOPE, "https://mail.google.com/"],
  [GMAIL_COMPOSE_SCOPE]: [GMAIL_COMPOSE_SCOPE, GMAIL_MODIFY_SCOPE, "https://mail.google.com/"],
};

/** Whether `granted` allows what `needed` allows. */
export function scopeGranted(granted: readonly string[], needed: string): boolean {
  const covering = SCOPES_THAT_COVER[needed] ?? [needed];
  return granted.some((scope) => covering.includes(scope));
}

/** The feature whose scope a call needs, for "turn on …" messages. */
export function featureOfScope(scope: string): GmailFeature | undefined {
  return GMAIL_FEATURES.find((feature) => GMAIL_FEATURE_SCOPES[feature] === scope);
}
