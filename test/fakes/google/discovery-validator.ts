import {
  discoveryMethods,
  gmailDiscovery,
  type DiscoveryDocument,
  type DiscoveryMethod,
  type DiscoveryParameter,
  type DiscoverySchema,
} from "./discovery-document";
import { parseMultipart, type MimePart } from "./multipart";

/**
 * Holds an HTTP request to a Google API discovery document: the method exists at that path, every
 * query parameter is declared (by the method or globally) with the right type, enum value and
 * repetition, required parameters are present, the JSON body matches the method's request schema
 * (no unknown properties), uploads use a declared upload path and media type, and the token's
 * scopes include one the method accepts.
 */

export type ViolationKind =
  /** No method at this path, or not with this HTTP method: Google answers 404. */
  | "path"
  /** A parameter, body or content type Google would refuse with 400. */
  | "request"
  /** The token lacks every scope the method accepts: Google answers 403. */
  | "scope";

export interface Violation {
  kind: ViolationKind;
  message: string;
}

export interface RequestToValidate {
  httpMethod: string;
  /** Path and query on the API host, e.g. `/gmail/v1/users/me/messages?maxResults=5`. */
  target: string;
  /** The Content-Type header, if any. */
  contentType?: string;
  body: Uint8Array;
  /** Scopes the bearer token grants; leave undefined to skip the scope check. */
  grantedScopes?: readonly string[];
}

export type UploadProtocol = "media" | "multipart";

export interface ValidatedRequest {
  /** The discovery method the request names, when one matched. */
  method?: DiscoveryMethod;
  pathParameters: Record<string, string>;
  query: URLSearchParams;
  /** The JSON body (request schema), `{}` when the method takes one and none was sent. */
  json?: unknown;
  /** The uploaded media of an upload request (`/upload/…`). */
  media?: { contentType: string; bytes: Buffer };
  violations: Violation[];
}

interface PathTemplate {
  method: DiscoveryMethod;
  pattern: RegExp;
  names: string[];
  /** Literal characters in the template: the more, the more specific. */
  literalLength: number;
  upload?: "simple" | "resumable";
}

const REQUIRED_PREFIX = /^\s*Required\./;
const INT32_RANGE = { min: -(2 ** 31), max: 2 ** 31 - 1 };
const UINT32_RANGE = { min: 0, max: 2 ** 32 - 1 };
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;
const METADATA_SCOPE = "https://www.googleapis.com/auth/gmail.metadata";
const METADATA_REFUSAL = /cannot be used when accessing the api using the gmail\.metadata scope/i;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function compileTemplate(template: string): { pattern: RegExp; names: string[]; literalLength: number } {
  const names: string[] = [];
  let source = "";
  let literalLength = 0;
  let last = 0;
  for (const match of template.matchAll(/\{(\+?)([^}]+)\}/g)) {
    const literal = template.slice(last, match.index);
    source += escapeRegExp(literal);
    literalLength += literal.length;
    const [, reserved = "", name = ""] = match;
    names.push(name);
    source += reserved === "+" ? "(.+)" : "([^/]+)";
    last = match.index + match[0].length;
  }
  const tail = template.slice(last);
  source += escapeRegExp(tail);
  literalLength += tail.length;
  return { pattern: new RegExp(`^${source}$`), names, literalLength };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

function mediaTypeAccepted(mediaType: string, accepted: readonly string[]): boolean {
  return accepted.some((pattern) => {
    const [type, subtype] = pattern.toLowerCase().split("/");
    const [actualType, actualSubtype] = mediaType.split("/");
    return type === actualType && (subtype === "*" || subtype === actualSubtype);
  });
}

export class DiscoveryValidator {
  readonly document: DiscoveryDocument;
  readonly #templates: PathTemplate[] = [];
  readonly #knownScopes: Set<string>;

  constructor(document: DiscoveryDocument = gmailDiscovery()) {
    this.document = document;
    this.#knownScopes = new Set(Object.keys(document.auth.oauth2.scopes));
    const servicePrefix = `/${document.servicePath}`;
    for (const method of discoveryMethods(document)) {
      const templates = new Set([method.flatPath ?? method.path, method.path]);
      for (const template of templates) {
        this.#templates.push({ method, ...compileTemplate(`${servicePrefix}${template}`) });
      }
      for (const [protocol, description] of Object.entries(method.mediaUpload?.protocols ?? {})) {
        const upload = protocol === "resumable" ? "resumable" : "simple";
        this.#templates.push({ method, upload, ...compileTemplate(description.path) });
      }
    }
  }

  /** Scopes the document declares (its `auth.oauth2.scopes`). */
  get knownScopes(): ReadonlySet<string> {
    return this.#knownScopes;
  }

  /** The paths batch requests go to: the document's `batchPath` and Google's per-API batch path. */
  isBatchPath(path: string): boolean {
    const documented = `/${this.document.batchPath}`;
    const perApi = `/batch/${this.document.name}/${this.document.version}`;
    return path === documented || path === perApi;
  }

  /** Finds the method by its id, e.g. `gmail.users.messages.get`. */
  methodById(id: string): DiscoveryMethod | undefined {
    return this.#templates.find((template) => template.method.id === id)?.method;
  }

  validate(request: RequestToValidate): ValidatedRequest {
    const url = new URL(request.target, "https://api.invalid");
    const query = url.searchParams;
    const violations: Violation[] = [];
    const result: ValidatedRequest = { pathParameters: {}, query, violations };
    const httpMethod = request.httpMethod.toUpperCase();

    const matching = this.#templates
      .map((template) => ({ template, match: template.pattern.exec(url.pathname) }))
      .filter((candidate): candidate is { template: PathTemplate; match: RegExpExecArray } => candidate.match !== null);
    const sameVerb = matching
      .filter((candidate) => candidate.template.method.httpMethod === httpMethod)
      .sort((a, b) => b.template.literalLength - a.template.literalLength);
    const chosen = sameVerb[0];
    if (!chosen) {
      if (matching.length === 0) {
        violations.push({
          kind: "path",
          message: `No ${this.document.name} API method at ${httpMethod} ${url.pathname}`,
        });
      } else {
        const allowed = [...new Set(matching.map((c) => `${c.template.method.httpMethod} (${c.template.method.id})`))];
        violations.push({
          kind: "path",
          message: `${httpMethod} is not allowed on ${url.pathname}; the document allows ${allowed.join(", ")}`,
        });
      }
      return result;
    }

    const { method, upload } = chosen.template;
    result.method = method;
    for (const [index, name] of chosen.template.names.entries()) {
      const encoded = chosen.match[index + 1] ?? "";
      try {
        result.pathParameters[name] = decodeURIComponent(encoded);
      } catch {
        violations.push({
          kind: "request",
          message: `${method.id}: path parameter "${name}" is not valid percent-encoding: ${encoded}`,
        });
        result.pathParameters[name] = encoded;
      }
    }

    this.#checkParameters(method, result, violations);
    if (upload === "resumable") {
      violations.push({ kind: "request", message: `${method.id}: the fake does not implement resumable uploads` });
    } else if (upload === "simple") {
      this.#checkUpload(method, request, result, violations);
    } else {
      this.#checkJsonBody(method, request, result, violations);
    }
    if (request.grantedScopes !== undefined) this.#checkScopes(method, request.grantedScopes, query, violations);
    return result;
  }

  #checkParameters(method: DiscoveryMethod, result: ValidatedRequest, violations: Violation[]): void {
    const declared = method.parameters ?? {};
    for (const [name, value] of Object.entries(result.pathParameters)) {
      const parameter = declared[name];
      if (!parameter) {
        violations.push({ kind: "request", message: `${method.id}: path parameter "${name}" is not declared` });
        continue;
      }
      if (value === "")
        violations.push({ kind: "request", message: `${method.id}: path parameter "${name}" is empty` });
      else this.#checkParameterValues(method, name, [value], parameter, violations);
    }

    const names = new Set(result.query.keys());
    for (const name of names) {
      const values = result.query.getAll(name);
      const parameter = declared[name] ?? this.document.parameters[name];
      if (!parameter || parameter.location !== "query") {
        violations.push({
          kind: "request",
          message: `${method.id}: unknown query parameter "${name}" (declared: ${this.#queryParameterNames(method).join(", ")})`,
        });
        continue;
      }
      if (values.length > 1 && parameter.repeated !== true) {
        violations.push({
          kind: "request",
          message: `${method.id}: query parameter "${name}" is not repeated but was given ${values.length} times`,
        });
      }
      this.#checkParameterValues(method, name, values, parameter, violations);
    }

    for (const [name, parameter] of Object.entries(declared)) {
      if (parameter.location !== "query") continue;
      const required = parameter.required === true || REQUIRED_PREFIX.test(parameter.description ?? "");
      if (required && !names.has(name)) {
        violations.push({ kind: "request", message: `${method.id}: required query parameter "${name}" is missing` });
      }
    }
  }

  #queryParameterNames(method: DiscoveryMethod): string[] {
    const own = Object.entries(method.parameters ?? {})
      .filter(([, parameter]) => parameter.location === "query")
      .map(([name]) => name);
    return [...own, ...Object.keys(this.document.parameters)];
  }

  #checkParameterValues(
    method: DiscoveryMethod,
    name: string,
    values: readonly string[],
    parameter: DiscoveryParameter,
    violations: Violation[],
  ): void {
    for (const value of values) {
      const problem = parameterValueProblem(value, parameter);
      if (problem !== undefined) {
        violations.push({ kind: "request", message: `${method.id}: parameter "${name}" ${problem}` });
      }
    }
  }

  #checkJsonBody(
    method: DiscoveryMethod,
    request: RequestToValidate,
    result: ValidatedRequest,
    violations: Violation[],
  ): void {
    const hasBody = request.body.byteLength > 0;
    if (!method.request) {
      if (hasBody) violations.push({ kind: "request", message: `${method.id} takes no request body` });
      return;
    }
    let value: unknown = {};
    if (hasBody) {
      const mediaType = mediaTypeOf(request.contentType);
      if (mediaType !== "application/json") {
        violations.push({
          kind: "request",
          message: `${method.id}: the body must be application/json, not "${request.contentType ?? "(no Content-Type)"}"`,
        });
        return;
      }
      try {
        value = JSON.parse(Buffer.from(request.body).toString("utf8"));
      } catch (error) {
        violations.push({ kind: "request", message: `${method.id}: the body is not JSON (${String(error)})` });
        return;
      }
    }
    result.json = value;
    this.#checkSchema(method, value, { $ref: method.request.$ref }, "body", violations, new Set());
  }

  #checkUpload(
    method: DiscoveryMethod,
    request: RequestToValidate,
    result: ValidatedRequest,
    violations: Violation[],
  ): void {
    const accepted = method.mediaUpload?.accept ?? [];
    const uploadType = result.query.get("uploadType");
    const maxSize = Number(method.mediaUpload?.maxSize ?? Infinity);
    const checkMedia = (contentType: string | undefined, bytes: Buffer): void => {
      const mediaType = mediaTypeOf(contentType);
      if (!mediaTypeAccepted(mediaType, accepted)) {
        violations.push({
          kind: "request",
          message: `${method.id}: uploaded media type "${mediaType || "(none)"}" is not one of ${accepted.join(", ")}`,
        });
      }
      if (bytes.byteLength > maxSize) {
        violations.push({
          kind: "request",
          message: `${method.id}: upload of ${bytes.byteLength} bytes exceeds ${maxSize}`,
        });
      }
      result.media = { contentType: contentType ?? "", bytes };
    };

    if (uploadType === "media") {
      checkMedia(request.contentType, Buffer.from(request.body));
      // Media-only uploads carry no metadata: the body schema's required fields are the media itself.
      result.json = {};
      return;
    }
    if (uploadType === "multipart") {
      if (mediaTypeOf(request.contentType) !== "multipart/related") {
        violations.push({
          kind: "request",
          message: `${method.id}: uploadType=multipart needs a multipart/related body`,
        });
        return;
      }
      let parts: MimePart[];
      try {
        parts = parseMultipart(request.contentType ?? "", Buffer.from(request.body));
      } catch (error) {
        violations.push({ kind: "request", message: `${method.id}: ${(error as Error).message}` });
        return;
      }
      const [metadata, media] = parts;
      if (parts.length !== 2 || !metadata || !media) {
        violations.push({
          kind: "request",
          message: `${method.id}: a multipart upload has two parts (JSON metadata, then the media), not ${parts.length}`,
        });
        return;
      }
      if (mediaTypeOf(metadata.headers["content-type"]) !== "application/json") {
        violations.push({
          kind: "request",
          message: `${method.id}: the first part of a multipart upload must be application/json`,
        });
        return;
      }
      let value: unknown;
      try {
        value = JSON.parse(metadata.body.toString("utf8"));
      } catch (error) {
        violations.push({ kind: "request", message: `${method.id}: the metadata part is not JSON (${String(error)})` });
        return;
      }
      result.json = value;
      if (method.request) {
        this.#checkSchema(method, value, { $ref: method.request.$ref }, "metadata", violations, new Set(), true);
      }
      checkMedia(media.headers["content-type"], media.body);
      return;
    }
    violations.push({
      kind: "request",
      message: `${method.id}: an upload to /upload/… needs uploadType=media or uploadType=multipart, got ${uploadType === null ? "none" : `"${uploadType}"`}`,
    });
  }

  #resolve(schema: DiscoverySchema): DiscoverySchema {
    let current = schema;
    const seen = new Set<string>();
    while (current.$ref !== undefined) {
      if (seen.has(current.$ref)) throw new Error(`$ref cycle at ${current.$ref}`);
      seen.add(current.$ref);
      const target = this.document.schemas[current.$ref];
      if (!target) throw new Error(`The discovery document has no schema "${current.$ref}"`);
      current = target;
    }
    return current;
  }

  /** True when the property, or something inside it, is annotated as required for this method. */
  #requiredFor(methodId: string, property: DiscoverySchema, visiting: Set<string>): boolean {
    if (property.annotations?.required?.includes(methodId) === true) return true;
    const resolved = this.#resolve(property);
    if (resolved.id !== undefined) {
      if (visiting.has(resolved.id)) return false;
      visiting.add(resolved.id);
    }
    try {
      if (resolved.annotations?.required?.includes(methodId) === true) return true;
      return Object.values(resolved.properties ?? {}).some((child) => this.#requiredFor(methodId, child, visiting));
    } finally {
      if (resolved.id !== undefined) visiting.delete(resolved.id);
    }
  }

  #checkSchema(
    method: DiscoveryMethod,
    value: unknown,
    schema: DiscoverySchema,
    at: string,
    violations: Violation[],
    visiting: Set<string>,
    mediaCarriesBody = false,
  ): void {
    const resolved = this.#resolve(schema);
    const problem = (message: string): void => {
      violations.push({ kind: "request", message: `${method.id}: ${at} ${message}` });
    };
    switch (resolved.type) {
      case "object": {
        if (!isPlainObject(value)) {
          problem(`must be an object, got ${describe(value)}`);
          return;
        }
        const properties = resolved.properties ?? {};
        for (const [name, child] of Object.entries(value)) {
          const childSchema = properties[name] ?? resolved.additionalProperties;
          if (!childSchema) {
            const known = Object.keys(properties);
            problem(`has unknown property "${name}"${known.length > 0 ? ` (known: ${known.join(", ")})` : ""}`);
            continue;
          }
          this.#checkSchema(method, child, childSchema, `${at}.${name}`, violations, visiting, mediaCarriesBody);
        }
        for (const [name, child] of Object.entries(properties)) {
          if (name in value) continue;
          // In an upload the media stands in for the message's raw bytes.
          if (mediaCarriesBody && name === "raw") continue;
          if (this.#requiredFor(method.id, child, new Set(visiting))) problem(`is missing required property "${name}"`);
        }
        return;
      }
      case "array": {
        if (!Array.isArray(value)) {
          problem(`must be an array, got ${describe(value)}`);
          return;
        }
        const items = resolved.items;
        if (items) {
          value.forEach((item: unknown, index) => {
            this.#checkSchema(method, item, items, `${at}[${index}]`, violations, visiting, mediaCarriesBody);
          });
        }
        return;
      }
      case "string":
      case "integer":
      case "number":
      case "boolean": {
        const text = jsonScalarProblem(value, resolved);
        if (text !== undefined) problem(text);
        return;
      }
      default:
        return;
    }
  }

  #checkScopes(
    method: DiscoveryMethod,
    grantedScopes: readonly string[],
    query: URLSearchParams,
    violations: Violation[],
  ): void {
    const accepted = method.scopes ?? [];
    const usable = accepted.filter((scope) => grantedScopes.includes(scope));
    if (usable.length === 0) {
      violations.push({
        kind: "scope",
        message: `${method.id} needs one of ${accepted.join(", ")}; the token grants ${grantedScopes.join(" ") || "no scopes"}`,
      });
      return;
    }
    // The document says some parameters and formats are refused under the metadata scope alone.
    if (usable.length === 1 && usable[0] === METADATA_SCOPE) {
      for (const [name, parameter] of Object.entries(method.parameters ?? {})) {
        const value = query.get(name);
        if (value === null) continue;
        if (METADATA_REFUSAL.test(parameter.description ?? "")) {
          violations.push({
            kind: "scope",
            message: `${method.id}: "${name}" cannot be used with the gmail.metadata scope`,
          });
        }
        const index = parameter.enum?.findIndex((option) => option.toLowerCase() === value.toLowerCase()) ?? -1;
        const enumDescription = parameter.enumDescriptions?.[index];
        if (index >= 0 && METADATA_REFUSAL.test(enumDescription ?? "")) {
          violations.push({
            kind: "scope",
            message: `${method.id}: ${name}=${value} cannot be used with the gmail.metadata scope`,
          });
        }
      }
    }
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "string" ? `the string ${JSON.stringify(value)}` : `${typeof value} ${JSON.stringify(value)}`;
}

function integerProblem(text: string, format: string | undefined): string | undefined {
  if (!/^-?\d+$/.test(text)) return `must be an integer, got ${JSON.stringify(text)}`;
  if (format === "int64" || format === "uint64") {
    if (format === "uint64" && text.startsWith("-")) return `must be an unsigned integer, got ${text}`;
    return undefined;
  }
  const range = format === "uint32" ? UINT32_RANGE : INT32_RANGE;
  const number = Number(text);
  if (number < range.min || number > range.max) return `is out of the ${format ?? "int32"} range: ${text}`;
  return undefined;
}

/** What is wrong with one query or path parameter value, if anything. */
export function parameterValueProblem(value: string, parameter: DiscoveryParameter): string | undefined {
  if (parameter.enum && !parameter.enum.some((option) => option.toLowerCase() === value.toLowerCase())) {
    return `must be one of ${parameter.enum.join(", ")}, got ${JSON.stringify(value)}`;
  }
  switch (parameter.type) {
    case "integer":
      return integerProblem(value, parameter.format);
    case "number":
      return Number.isFinite(Number(value)) && value.trim() !== ""
        ? undefined
        : `must be a number, got ${JSON.stringify(value)}`;
    case "boolean":
      return value === "true" || value === "false" ? undefined : `must be true or false, got ${JSON.stringify(value)}`;
    case "string":
      if (parameter.format === "int64" || parameter.format === "uint64") return integerProblem(value, parameter.format);
      if (parameter.pattern !== undefined && !new RegExp(parameter.pattern).test(value)) {
        return `does not match ${parameter.pattern}: ${JSON.stringify(value)}`;
      }
      return undefined;
    default:
      return undefined;
  }
}

/** What is wrong with a JSON scalar against its schema, if anything (proto3 JSON rules: 64-bit integers may be strings). */
function jsonScalarProblem(value: unknown, schema: DiscoverySchema): string | undefined {
  switch (schema.type) {
    case "string": {
      if (schema.format === "int64" || schema.format === "uint64") {
        if (typeof value === "number" && Number.isInteger(value)) return integerProblem(String(value), schema.format);
        if (typeof value !== "string") return `must be a ${schema.format} string, got ${describe(value)}`;
        return integerProblem(value, schema.format);
      }
      if (typeof value !== "string") return `must be a string, got ${describe(value)}`;
      if (schema.format === "byte" && !BASE64URL.test(value)) {
        return "must be base64url (A–Z a–z 0–9 - _, optional = padding)";
      }
      if (schema.format === "google-datetime" && Number.isNaN(Date.parse(value)))
        return `must be an RFC 3339 time, got ${value}`;
      if (schema.enum && !schema.enum.includes(value))
        return `must be one of ${schema.enum.join(", ")}, got ${JSON.stringify(value)}`;
      return undefined;
    }
    case "integer":
      if (typeof value === "number") {
        return Number.isInteger(value)
          ? integerProblem(String(value), schema.format)
          : `must be an integer, got ${value}`;
      }
      if (typeof value === "string") return integerProblem(value, schema.format);
      return `must be an integer, got ${describe(value)}`;
    case "number":
      return typeof value === "number" ? undefined : `must be a number, got ${describe(value)}`;
    case "boolean":
      return typeof value === "boolean" ? undefined : `must be true or false, got ${describe(value)}`;
    default:
      return undefined;
  }
}
