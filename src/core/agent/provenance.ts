/**
 * Where a piece of context came from. Only the user gives instructions; everything written by
 * someone else (a mail, a Slack message, a CI log, a web page) is data, marked untrusted with the
 * source it came from, e.g. "gmail:1890ab", "slack:C01/123.45", "github:run/42/log", "web:https://…".
 */
export type Provenance =
  | { readonly kind: "user" }
  | { readonly kind: "model" }
  | { readonly kind: "system" }
  | { readonly kind: "external"; readonly source: string }
  | { readonly kind: "tool"; readonly tool: string; readonly trusted: boolean; readonly source?: string };

export function isUntrusted(provenance: Provenance): boolean {
  return provenance.kind === "external" || (provenance.kind === "tool" && !provenance.trusted);
}

/** The untrusted source to name on an approval card, or undefined for trusted provenance. */
export function untrustedSourceOf(provenance: Provenance): string | undefined {
  if (provenance.kind === "external") return provenance.source;
  if (provenance.kind === "tool" && !provenance.trusted) return provenance.source ?? `tool:${provenance.tool}`;
  return undefined;
}

/** Text the user wrote: a chat message, or an answer given through `ask_user`. */
export function isUserAuthored(provenance: Provenance): boolean {
  return (
    provenance.kind === "user" || (provenance.kind === "tool" && provenance.trusted && provenance.source === "user")
  );
}

/** A short human label, for cards and logs. */
export function describeProvenance(provenance: Provenance): string {
  switch (provenance.kind) {
    case "user":
      return "you";
    case "model":
      return "the model";
    case "system":
      return "Tabclaw";
    case "external":
      return `${provenance.source} (untrusted)`;
    case "tool": {
      const origin = provenance.source ? ` from ${provenance.source}` : "";
      return `${provenance.tool} result${origin}${provenance.trusted ? "" : " (untrusted)"}`;
    }
  }
}
