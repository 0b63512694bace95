/**
 * The small JSON Schema subset that tool arguments may use. It is what xgrammar (web-llm's
 * constrained decoder) turns into a grammar faithfully, and what `validateJson` checks, so the
 * decoder and the validator agree on what a valid call is.
 *
 * xgrammar caveat: a string with `minLength`/`maxLength` is decoded as `[^"\\\r\n]{min,max}`, so
 * it can hold no quote, backslash or newline. Bound only short one-line fields (subjects, labels,
 * ids); leave bodies unbounded and cap them with the request's `maxTokens`.
 */

export interface StringSchema {
  readonly type: "string";
  readonly enum?: readonly string[];
  readonly minLength?: number;
  readonly maxLength?: number;
}

export interface NumberSchema {
  readonly type: "number" | "integer";
  readonly enum?: readonly number[];
  readonly minimum?: number;
  readonly maximum?: number;
}

export interface BooleanSchema {
  readonly type: "boolean";
}

export interface ArraySchema {
  readonly type: "array";
  readonly items: JsonSchema;
  readonly minItems?: number;
  readonly maxItems?: number;
}

export interface ObjectSchema {
  readonly type: "object";
  readonly properties: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  /** Always false: a tool call carries exactly the declared arguments. */
  readonly additionalProperties: false;
}

export type JsonSchema = StringSchema | NumberSchema | BooleanSchema | ArraySchema | ObjectSchema;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type RequiredKeys<S> = S extends { readonly required: readonly (infer K)[] } ? K : never;

type ObjectValue<P, R> = string extends keyof P
  ? Readonly<Record<string, unknown>>
  : Simplify<
      { readonly [K in keyof P as K extends R ? K : never]: ValueOf<P[K]> } & {
        readonly [K in keyof P as K extends R ? never : K]?: ValueOf<P[K]>;
      }
    >;

/** The TypeScript type of a value that satisfies schema `S` (used to type `preview(args)`). */
export type ValueOf<S> = JsonSchema extends S
  ? unknown
  : S extends { readonly type: "string"; readonly enum: readonly (infer E)[] }
    ? E
    : S extends { readonly type: "string" }
      ? string
      : S extends { readonly type: "number" | "integer" }
        ? number
        : S extends { readonly type: "boolean" }
          ? boolean
          : S extends { readonly type: "array"; readonly items: infer I }
            ? readonly ValueOf<I>[]
            : S extends { readonly type: "object"; readonly properties: infer P }
              ? ObjectValue<P, RequiredKeys<S>>
              : never;

export type ArgumentsOf<S extends ObjectSchema> = ValueOf<S>;

export interface SchemaViolation {
  /** Where in the value, e.g. `arguments.to[1]`. */
  path: string;
  message: string;
}

const KEYWORDS: Record<JsonSchema["type"], readonly string[]> = {
  string: ["type", "enum", "minLength", "maxLength"],
  number: ["type", "enum", "minimum", "maximum"],
  integer: ["type", "enum", "minimum", "maximum"],
  boolean: ["type"],
  array: ["type", "items", "minItems", "maxItems"],
  object: ["type", "properties", "required", "additionalProperties"],
};

/** Length in Unicode code points, the unit JSON Schema's `minLength`/`maxLength` count. */
export function codePointLength(text: string): number {
  let length = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    // A high surrogate followed by a low one is a single code point.
    if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) index += 1;
    }
    length += 1;
  }
  return length;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isNonNegativeInteger(value: unknown): boolean {
  return typeof value === "number" && Number.isInteger(value) && value >= 0;
}

/**
 * Checks at run time that a schema stays inside the subset (definitions may arrive as JSON, past
 * the type checker). Returns one line per problem; empty means usable.
 */
export function checkSchemaSubset(schema: unknown, path = "schema"): string[] {
  if (!isRecord(schema)) return [`${path}: must be an object`];
  const type = schema.type;
  if (typeof type !== "string" || !(type in KEYWORDS)) return [`${path}: unsupported type ${JSON.stringify(type)}`];
  const allowed = KEYWORDS[type as JsonSchema["type"]];
  const problems = Object.keys(schema)
    .filter((key) => !allowed.includes(key))
    .map((key) => `${path}: keyword "${key}" is not supported for type ${type}`);
  for (const key of ["minLength", "maxLength", "minItems", "maxItems"]) {
    if (key in schema && !isNonNegativeInteger(schema[key]))
      problems.push(`${path}.${key}: must be a whole number ≥ 0`);
  }
  for (const key of ["minimum", "maximum"]) {
    if (key in schema && typeof schema[key] !== "number") problems.push(`${path}.${key}: must be a number`);
  }
  if ("enum" in schema) {
    const values = schema.enum;
    const valueType = type === "string" ? "string" : "number";
    if (!Array.isArray(values) || values.length === 0 || values.some((value) => typeof value !== valueType)) {
      problems.push(`${path}.enum: must be a non-empty list of ${valueType}s`);
    }
  }
  if (type === "array") problems.push(...checkSchemaSubset(schema.items, `${path}.items`));
  if (type === "object") {
    if (schema.additionalProperties !== false) problems.push(`${path}.additionalProperties: must be false`);
    const properties = schema.properties;
    if (!isRecord(properties)) return [...problems, `${path}.properties: must be an object`];
    for (const [name, child] of Object.entries(properties)) {
      problems.push(...checkSchemaSubset(child, `${path}.properties.${name}`));
    }
    const required = schema.required ?? [];
    if (
      !Array.isArray(required) ||
      required.some((name) => typeof name !== "string" || !Object.hasOwn(properties, name))
    ) {
      problems.push(`${path}.required: must list declared properties only`);
    }
  }
  return problems;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** Validates `value` against a subset schema. Returns every violation found; empty means valid. */
export function validateJson(schema: JsonSchema, value: unknown, path = "value"): SchemaViolation[] {
  const fail = (message: string): SchemaViolation[] => [{ path, message }];
  switch (schema.type) {
    case "string": {
      if (typeof value !== "string") return fail(`expected a string, got ${describe(value)}`);
      const length = codePointLength(value);
      if (schema.enum && !schema.enum.includes(value)) return fail(`must be one of ${schema.enum.join(", ")}`);
      if (schema.minLength !== undefined && length < schema.minLength) {
        return fail(`must be at least ${schema.minLength} characters`);
      }
      if (schema.maxLength !== undefined && length > schema.maxLength) {
        return fail(`must be at most ${schema.maxLength} characters`);
      }
      return [];
    }
    case "number":
    case "integer": {
      if (typeof value !== "number" || !Number.isFinite(value))
        return fail(`expected a number, got ${describe(value)}`);
      if (schema.type === "integer" && !Number.isInteger(value)) return fail("expected a whole number");
      if (schema.enum && !schema.enum.includes(value)) return fail(`must be one of ${schema.enum.join(", ")}`);
      if (schema.minimum !== undefined && value < schema.minimum) return fail(`must be ≥ ${schema.minimum}`);
      if (schema.maximum !== undefined && value > schema.maximum) return fail(`must be ≤ ${schema.maximum}`);
      return [];
    }
    case "boolean":
      return typeof value === "boolean" ? [] : fail(`expected true or false, got ${describe(value)}`);
    case "array": {
      if (!Array.isArray(value)) return fail(`expected an array, got ${describe(value)}`);
      const items: readonly unknown[] = value;
      if (schema.minItems !== undefined && items.length < schema.minItems) {
        return fail(`needs at least ${schema.minItems} items`);
      }
      if (schema.maxItems !== undefined && items.length > schema.maxItems) {
        return fail(`allows at most ${schema.maxItems} items`);
      }
      return items.flatMap((item, index) => validateJson(schema.items, item, `${path}[${index}]`));
    }
    case "object": {
      if (!isRecord(value)) return fail(`expected an object, got ${describe(value)}`);
      const violations: SchemaViolation[] = [];
      for (const name of schema.required ?? []) {
        if (!Object.hasOwn(value, name)) violations.push({ path: `${path}.${name}`, message: "is required" });
      }
      for (const [name, child] of Object.entries(value)) {
        // Own properties only: a model could name "constructor" or "__proto__".
        const childSchema = Object.hasOwn(schema.properties, name) ? schema.properties[name] : undefined;
        if (childSchema === undefined)
          violations.push({ path: `${path}.${name}`, message: "is not an allowed argument" });
        else violations.push(...validateJson(childSchema, child, `${path}.${name}`));
      }
      return violations;
    }
  }
}
