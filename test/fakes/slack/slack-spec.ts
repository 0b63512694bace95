import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { PROJECT_ROOT } from "../paths";

/** Slack's published Web API description (Swagger 2.0), shared by every project on this machine. */
export const SLACK_SPEC_PATH = resolve(PROJECT_ROOT, "..", "shared", "api-specs", "slack-web-openapi-v2.json");

export type ParameterType = "string" | "integer" | "number" | "boolean";

export interface SpecParameter {
  name: string;
  type: ParameterType;
  required: boolean;
  /** Where the description puts it (`query`, `formData`, `header`); see `SlackSpec` for why it is not binding. */
  in: string;
  /** Allowed values, where Slack documents a fixed set (only in the supplement below). */
  enum?: readonly string[];
}

export interface SpecOperation {
  /** The Web API method, e.g. `conversations.history`. */
  name: string;
  /** Upper-case HTTP methods the description lists. */
  httpMethods: string[];
  consumes: string[];
  parameters: ReadonlyMap<string, SpecParameter>;
  /** The scopes its `security` entry lists: holding any one of them is enough for some call of it. */
  scopes: string[];
}

interface RawParameter {
  name: string;
  in: string;
  type?: string;
  required?: boolean;
}

interface RawOperation {
  consumes?: string[];
  parameters?: RawParameter[];
  security?: { slackAuth?: string[] }[];
  responses: Record<string, { schema?: object }>;
}

interface RawSpec {
  paths: Record<string, Record<string, RawOperation>>;
  definitions: Record<string, object>;
}

/**
 * Arguments Slack documents today that the description (written before PKCE and token rotation)
 * lacks, from https://docs.slack.dev/reference/methods/oauth.v2.access: every argument is optional
 * there, `code_verifier` carries PKCE, and `grant_type`/`refresh_token` carry token rotation. The
 * `code` the description marks required is required only for the authorization-code grant; the
 * fake checks that itself.
 */
const SUPPLEMENT: Readonly<Record<string, readonly SpecParameter[]>> = {
  "oauth.v2.access": [
    { name: "code", type: "string", required: false, in: "formData" },
    { name: "code_verifier", type: "string", required: false, in: "formData" },
    {
      name: "grant_type",
      type: "string",
      required: false,
      in: "formData",
      enum: ["authorization_code", "refresh_token"],
    },
    { name: "refresh_token", type: "string", required: false, in: "formData" },
  ],
};

function isParameterType(type: string | undefined): type is ParameterType {
  return type === "string" || type === "integer" || type === "number" || type === "boolean";
}

const VALUE_CHECKS: Record<ParameterType, (value: string) => boolean> = {
  string: () => true,
  integer: (value) => /^-?\d+$/.test(value),
  number: (value) => /^-?\d+(\.\d+)?$/.test(value),
  // Slack reads 1/0 and true/false for flags.
  boolean: (value) => ["true", "false", "1", "0"].includes(value),
};

/**
 * The Slack Web API description, indexed by method. How the fake reads it:
 *
 * - Slack's methods are RPC calls: Slack documents that every method takes its arguments either in
 *   the query string or as fields of a POST body, whatever `in` the description names. So a
 *   parameter's `in` is not binding; its name, type and `required` are. The `token` parameter is
 *   handled apart (the browser rule: form body only).
 * - `consumes` lists the body types a method accepts; a POST in any other type is refused.
 * - `security` lists scopes. Slack's granular user tokens hold `chat:write` where the description
 *   still names the legacy `chat:write:user`/`chat:write:bot`; the token parameter's own text
 *   ("Requires scope: `chat:write`") names the granular one, which is what the fake checks.
 */
export class SlackSpec {
  readonly #operations = new Map<string, SpecOperation>();
  readonly #responses = new Map<string, Record<string, { schema?: object }>>();
  readonly #definitions: Record<string, object>;
  readonly #validators = new Map<string, ValidateFunction>();
  #ajv: Ajv | undefined;

  private constructor(raw: RawSpec) {
    this.#definitions = raw.definitions;
    for (const [path, byMethod] of Object.entries(raw.paths)) {
      const name = path.replace(/^\//, "");
      const httpMethods = Object.keys(byMethod).map((method) => method.toUpperCase());
      const first = Object.values(byMethod)[0];
      if (!first) continue;
      const parameters = new Map<string, SpecParameter>();
      for (const parameter of first.parameters ?? []) {
        if (!isParameterType(parameter.type)) continue;
        parameters.set(parameter.name, {
          name: parameter.name,
          type: parameter.type,
          required: parameter.required === true,
          in: parameter.in,
        });
      }
      for (const extra of SUPPLEMENT[name] ?? []) parameters.set(extra.name, extra);
      this.#operations.set(name, {
        name,
        httpMethods,
        consumes: first.consumes ?? [],
        parameters,
        scopes: (first.security ?? []).flatMap((entry) => entry.slackAuth ?? []),
      });
      this.#responses.set(name, first.responses);
    }
  }

  static #loaded: SlackSpec | undefined;

  /** Parsed once per process: the file is a megabyte. */
  static load(): SlackSpec {
    SlackSpec.#loaded ??= new SlackSpec(JSON.parse(readFileSync(SLACK_SPEC_PATH, "utf8")) as RawSpec);
    return SlackSpec.#loaded;
  }

  operation(name: string): SpecOperation | undefined {
    return this.#operations.get(name);
  }

  /**
   * What is wrong with a call's arguments (the token left out): unknown names, values of the wrong
   * type or outside a documented set, required ones missing. Empty means the description allows it.
   */
  argumentProblems(operation: SpecOperation, args: ReadonlyMap<string, string>): string[] {
    const problems: string[] = [];
    for (const [name, value] of args) {
      if (name === "token") continue;
      const parameter = operation.parameters.get(name);
      if (!parameter) {
        problems.push(`${operation.name}: "${name}" is not an argument of this method`);
        continue;
      }
      if (!VALUE_CHECKS[parameter.type](value)) {
        problems.push(`${operation.name}: "${name}" must be a ${parameter.type}, got ${JSON.stringify(value)}`);
      }
      if (parameter.enum && !parameter.enum.includes(value)) {
        problems.push(`${operation.name}: "${name}" must be one of ${parameter.enum.join(", ")}`);
      }
    }
    for (const parameter of operation.parameters.values()) {
      if (parameter.name !== "token" && parameter.required && !args.has(parameter.name)) {
        problems.push(`${operation.name}: the required argument "${parameter.name}" is missing`);
      }
    }
    return problems;
  }

  /**
   * Checks a response body against the description's schema for it (`200` for `ok: true`, `default`
   * for `ok: false`). Used by the fake's own tests, so the fake cannot drift from Slack's shapes.
   */
  responseProblems(method: string, body: unknown): string[] {
    const ok = typeof body === "object" && body !== null && (body as { ok?: unknown }).ok === true;
    const key = `${method} ${ok ? "200" : "default"}`;
    let validate = this.#validators.get(key);
    if (!validate) {
      const schema = this.#responses.get(method)?.[ok ? "200" : "default"]?.schema;
      if (!schema) return [`${method}: the description has no ${ok ? "success" : "error"} schema`];
      if (!this.#ajv) {
        // The description is Swagger's JSON Schema dialect (tuple-style `items` for unions): not strict.
        this.#ajv = new Ajv({ strict: false, allErrors: true });
        addFormats(this.#ajv);
      }
      validate = this.#ajv.compile({ ...schema, definitions: this.#definitions });
      this.#validators.set(key, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).map(
      (error) => `${method}: ${error.instancePath || "(body)"} ${error.message ?? ""}`,
    );
  }
}
