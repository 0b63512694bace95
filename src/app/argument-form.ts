import type { JsonSchema, ObjectSchema, SchemaViolation } from "../core/agent/json-schema";

/**
 * The Edit form of an approval card, as data: one field per argument the tool declares, a draft
 * of text (and checkboxes) the user types into, and the draft read back as arguments. The Gate
 * checks the result against the schema; this only turns text into JSON values.
 */

export type FieldKind = "text" | "textarea" | "number" | "boolean" | "select" | "lines" | "json";

export interface ArgumentField {
  name: string;
  kind: FieldKind;
  required: boolean;
  /** The argument was in the proposal: an optional field left empty is then still left out. */
  initiallyPresent: boolean;
  /** For `select`: the allowed values, as the option values (numbers as text). */
  options: string[];
  schema: JsonSchema;
}

export type DraftValue = string | boolean;
export type ArgumentDraft = Record<string, DraftValue>;

export type DraftReading =
  { ok: true; arguments: Record<string, unknown> } | { ok: false; errors: Record<string, string> };

/** Longer one-line limits than this get a textarea: a subject fits a line, a description does not. */
const SHORT_TEXT_MAX = 200;

function kindOf(schema: JsonSchema, value: unknown): FieldKind {
  switch (schema.type) {
    case "string":
      if (schema.enum) return "select";
      if (typeof value === "string" && value.includes("\n")) return "textarea";
      return schema.maxLength !== undefined && schema.maxLength <= SHORT_TEXT_MAX ? "text" : "textarea";
    case "number":
    case "integer":
      return schema.enum ? "select" : "number";
    case "boolean":
      return "boolean";
    case "array":
      return schema.items.type === "string" && !schema.items.enum ? "lines" : "json";
    case "object":
      return "json";
  }
}

function optionsOf(schema: JsonSchema): string[] {
  if ((schema.type === "string" || schema.type === "number" || schema.type === "integer") && schema.enum) {
    return schema.enum.map(String);
  }
  return [];
}

/** One field per declared argument, in the schema's order. */
export function argumentFields(schema: ObjectSchema, args: Readonly<Record<string, unknown>>): ArgumentField[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties).map(([name, property]) => ({
    name,
    kind: kindOf(property, args[name]),
    required: required.has(name),
    initiallyPresent: Object.hasOwn(args, name),
    options: optionsOf(property),
    schema: property,
  }));
}

/** The current arguments as the form shows them. */
export function draftArguments(
  fields: readonly ArgumentField[],
  args: Readonly<Record<string, unknown>>,
): ArgumentDraft {
  const draft: ArgumentDraft = {};
  for (const field of fields) {
    const value = Object.hasOwn(args, field.name) ? args[field.name] : undefined;
    switch (field.kind) {
      case "boolean":
        draft[field.name] = value === true;
        break;
      case "lines":
        draft[field.name] = Array.isArray(value) ? value.map(String).join("\n") : "";
        break;
      case "json":
        draft[field.name] = value === undefined ? "" : JSON.stringify(value, null, 2);
        break;
      default:
        draft[field.name] = typeof value === "string" || typeof value === "number" ? String(value) : "";
    }
  }
  return draft;
}

const NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

function readField(field: ArgumentField, value: DraftValue): { value?: unknown; error?: string } {
  if (field.kind === "boolean") {
    const checked = value === true;
    return !checked && !field.required && !field.initiallyPresent ? {} : { value: checked };
  }
  const text = typeof value === "string" ? value : "";
  // An optional argument left empty is left out, rather than sent as "".
  if (text.trim() === "" && !field.required) return {};
  switch (field.kind) {
    case "number": {
      const compact = text.trim();
      return NUMBER.test(compact) ? { value: Number(compact) } : { error: "Enter a number." };
    }
    case "select":
      return { value: field.schema.type === "string" ? text : Number(text) };
    case "lines":
      return {
        value: text
          .split("\n")
          .map((line) => line.trim())
          .filter((line) => line !== ""),
      };
    case "json":
      try {
        return { value: JSON.parse(text) as unknown };
      } catch (error) {
        return { error: `Not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
      }
    default:
      return { value: text };
  }
}

/** The draft as arguments, or what cannot be read (a number that is not one, broken JSON) per field. */
export function readDraft(fields: readonly ArgumentField[], draft: ArgumentDraft): DraftReading {
  const args: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const read = readField(field, draft[field.name] ?? "");
    if (read.error !== undefined) errors[field.name] = read.error;
    else if ("value" in read) args[field.name] = read.value;
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, arguments: args };
}

/** The argument a violation is about: `arguments.to[1]` → `to`; undefined for the whole call. */
export function fieldOfViolation(violation: SchemaViolation): string | undefined {
  return /^arguments\.([^.[\]]+)/.exec(violation.path)?.[1];
}
