import type { Provenance } from "./provenance";

/**
 * One entry of the conversation the agent sees. The chat role is derived from provenance when the
 * context is rendered (user → user, model → assistant, everything else → tool), so nothing can
 * enter the context without saying where it came from.
 */
export interface ContextItem {
  readonly content: string;
  readonly provenance: Provenance;
  /** For tool results and notes about an action: the action's id. */
  readonly actionId?: string;
}

export function userMessage(content: string): ContextItem {
  return { content, provenance: { kind: "user" } };
}

export function modelMessage(content: string): ContextItem {
  return { content, provenance: { kind: "model" } };
}

export function systemNote(content: string): ContextItem {
  return { content, provenance: { kind: "system" } };
}

/** Outside text handed to the agent directly (not through a tool), e.g. a mail a routine quarantined. */
export function externalContent(source: string, content: string): ContextItem {
  return { content, provenance: { kind: "external", source } };
}
