import type { ArgumentsOf, ObjectSchema } from "./json-schema";

/**
 * What a tool does to the world. `read` looks; `write` changes the user's own data (a label, a
 * draft, a memory, a re-run); `send` makes something leave the device for other people or hosts
 * (a mail, a Slack post, a request to an arbitrary URL). Sends always wait for approval.
 */
export type ToolEffect = "read" | "write" | "send";

/** Whether a tool's results may contain text written by someone other than the user. */
export type ResultTrust = "trusted" | "untrusted";

export interface PreviewField {
  label: string;
  value: string;
}

/** What a human sees on the approval card: exactly what will go out, and to whom. */
export interface ActionPreview {
  title: string;
  fields: PreviewField[];
  recipients?: string[];
  /** A channel, repository, URL or mailbox. */
  destination?: string;
  body?: string;
}

/** What every tool declares, whatever its arguments. */
export interface ToolDeclaration {
  /** snake_case; `reply` is reserved for "answer the user". */
  readonly name: string;
  /** One short line: it is sent to the model on every turn. */
  readonly description: string;
  readonly effect: ToolEffect;
  /** The source it touches, e.g. "gmail", "slack", "github", "memory", "user", "web". */
  readonly connector?: string;
  /** The OAuth scope (or token permission) the call needs. */
  readonly scope?: string;
  /** `untrusted` if results carry outside text (a mail body, a log); the Gate may only lower trust. */
  readonly resultTrust: ResultTrust;
  /**
   * A `write` that stays on the device and that Tabclaw can undo by itself (a memory save): it runs
   * without asking, and the chat shows it with an Undo. Never set on anything that leaves the device.
   */
  readonly undoable?: boolean;
  readonly argumentsSchema: ObjectSchema;
}

/** A tool as its author writes it: `preview` gets arguments typed from the schema literal. */
export interface ToolDefinition<S extends ObjectSchema> extends ToolDeclaration {
  readonly argumentsSchema: S;
  preview(args: ArgumentsOf<S>): ActionPreview;
}

/**
 * A tool of any schema, as the registry holds it. A separate interface (not `ToolDefinition<ObjectSchema>`)
 * so TypeScript compares it structurally: method parameters are bivariant, so every typed tool fits.
 */
export interface AnyToolDefinition extends ToolDeclaration {
  preview(args: Readonly<Record<string, unknown>>): ActionPreview;
}

/** Declares a tool with `preview`'s argument typed from the schema literal. */
export function defineTool<const S extends ObjectSchema>(definition: ToolDefinition<S>): ToolDefinition<S> {
  return definition;
}
