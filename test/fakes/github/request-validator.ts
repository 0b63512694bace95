import { Ajv, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import {
  DEFAULT_API_VERSION,
  githubDescription,
  type GitHubDescription,
  type OpenApiOperation,
  type OpenApiParameter,
  type OpenApiSchema,
  type OperationMatch,
} from "./openapi-description";

/**
 * Checks each request the fake receives against GitHub's published description: the operation
 * exists for the method and path, path and query parameters are declared and fit their schemas
 * (types, enums, required), the body fits the request body schema and is sent as JSON, and the
 * headers are the ones GitHub's REST guide asks for (`Accept: application/vnd.github+json`, a
 * known `X-GitHub-Api-Version`, a token in `Authorization`). It also checks the fake's own
 * responses against the response schemas, so the fake cannot hand the client a shape GitHub never
 * sends.
 */

export interface IncomingGitHubRequest {
  method: string;
  url: URL;
  headers: Readonly<Record<string, string | undefined>>;
  /** The raw body, or undefined when none was sent. */
  body: string | undefined;
}

export interface RequestCheck {
  match: OperationMatch | undefined;
  /** The API version the request asked for (GitHub's default when it named none). */
  version: string;
  /** What breaks the description; empty for a valid request. */
  problems: string[];
  /** How GitHub answers a request it refuses for these problems (404 unknown route, 400 bad version, 422 invalid). */
  refusal: { status: number; message: string } | undefined;
  /** The parsed JSON body, when there was one. */
  json: unknown;
  /** Typed path and query values (numbers and booleans coerced as the schemas declare). */
  params: Readonly<Record<string, unknown>>;
}

/** Media types GitHub's REST API answers with JSON; the guide recommends the first. */
const GITHUB_JSON_MEDIA_TYPES = ["application/vnd.github+json", "application/vnd.github.v3+json", "application/json"];

const SPEC_ID = "github-rest";

function rewriteRefs(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(rewriteRefs);
  if (typeof schema !== "object" || schema === null) return schema;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    copy[key] =
      key === "$ref" && typeof value === "string" && value.startsWith("#/") ? `${SPEC_ID}${value}` : rewriteRefs(value);
  }
  return copy;
}

/** An operation whose only success is a 302 with a Location (a download on another host). */
function redirectsElsewhere(operation: OpenApiOperation): boolean {
  const statuses = Object.keys(operation.responses).filter(
    (status) => status.startsWith("2") || status.startsWith("3"),
  );
  return statuses.length > 0 && statuses.every((status) => status === "302");
}

function coerce(raw: string, schema: OpenApiSchema | undefined): unknown {
  switch (schema?.type) {
    case "integer":
    case "number":
      return /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
    case "boolean":
      return raw === "true" ? true : raw === "false" ? false : raw;
    default:
      return raw;
  }
}

export class GitHubRequestValidator {
  readonly description: GitHubDescription;
  readonly #ajv: Ajv;
  readonly #compiled = new Map<string, ValidateFunction>();

  constructor(description: GitHubDescription = githubDescription()) {
    this.description = description;
    // strict off: the description carries OpenAPI keywords (example, discriminator, x-…) JSON Schema does not define.
    this.#ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.#ajv);
    this.#ajv.addSchema({ components: description.spec.components }, SPEC_ID);
  }

  check(request: IncomingGitHubRequest): RequestCheck {
    const problems: string[] = [];
    const where = `${request.method} ${request.url.pathname}`;
    const requested = request.headers["x-github-api-version"];
    const version = requested ?? DEFAULT_API_VERSION;
    const empty = { match: undefined, version, json: undefined, params: {} };
    if (requested !== undefined && !this.description.versions.includes(requested)) {
      const message = `API version ${requested} is not supported.`;
      return { ...empty, problems: [`${where}: ${message}`], refusal: { status: 400, message } };
    }
    const match = this.description.match(request.method, request.url.pathname, version);
    if (!match) {
      const message = this.description.hasPath(request.url.pathname) ? "Method not allowed" : "Not Found";
      return {
        ...empty,
        problems: [`${where}: no operation in GitHub's description (${message})`],
        refusal: { status: this.description.hasPath(request.url.pathname) ? 405 : 404, message },
      };
    }
    const label = match.operation.operationId;
    problems.push(...this.#checkHeaders(request, label, match.operation));
    const params: Record<string, unknown> = {};
    const parameters = this.description.parameters(match.operation);
    problems.push(...this.#checkPath(match, parameters, params, label));
    problems.push(...this.#checkQuery(request.url, parameters, params, label, match));
    const body = this.#checkBody(request, match, label);
    problems.push(...body.problems);
    const invalid = problems.filter((problem) => !problem.includes("(guide)"));
    return {
      match,
      version,
      problems,
      refusal: body.malformed
        ? { status: 400, message: "Problems parsing JSON" }
        : invalid.length > 0
          ? { status: 422, message: "Validation Failed" }
          : undefined,
      json: body.json,
      params,
    };
  }

  /** What is wrong with a response the fake is about to send; empty when it fits the description. */
  checkResponse(match: OperationMatch, status: number, body: unknown): string[] {
    const label = `${match.operation.operationId} → ${status}`;
    const response = match.operation.responses[String(status)];
    if (!response) return [`${label}: the description declares no such response`];
    const schema = response.content?.["application/json"]?.schema;
    if (!schema) return body === undefined ? [] : [`${label}: a body where the description declares none`];
    const validate = this.#validator(
      `response:${match.template}:${match.method}:${status}:${JSON.stringify(schema).length}`,
      schema,
    );
    return validate(body) ? [] : this.#errors(label, validate);
  }

  #validator(key: string, schema: OpenApiSchema): ValidateFunction {
    let validate = this.#compiled.get(key);
    if (!validate) {
      validate = this.#ajv.compile(rewriteRefs(schema) as object);
      this.#compiled.set(key, validate);
    }
    return validate;
  }

  #errors(label: string, validate: ValidateFunction): string[] {
    return (validate.errors ?? [])
      .slice(0, 5)
      .map((error) => `${label}: ${error.instancePath || "(root)"} ${error.message ?? "is invalid"}`);
  }

  #checkHeaders(request: IncomingGitHubRequest, label: string, operation: OpenApiOperation): string[] {
    const problems: string[] = [];
    const accept = request.headers.accept;
    if (accept === undefined || !GITHUB_JSON_MEDIA_TYPES.some((type) => accept.includes(type))) {
      problems.push(`${label}: Accept should be application/vnd.github+json, got ${accept ?? "none"} (guide)`);
    }
    // A redirect to another host carries every header but the token along: there the version header
    // would force a CORS preflight on GitHub's storage host, so such operations may leave it out.
    if (request.headers["x-github-api-version"] === undefined && !redirectsElsewhere(operation)) {
      problems.push(`${label}: no X-GitHub-Api-Version; requests should pin the version they were written for (guide)`);
    }
    const authorization = request.headers.authorization;
    if (authorization !== undefined && !/^(Bearer|token) \S+$/.test(authorization)) {
      problems.push(`${label}: Authorization must be "Bearer <token>"`);
    }
    return problems;
  }

  #checkPath(
    match: OperationMatch,
    parameters: readonly OpenApiParameter[],
    params: Record<string, unknown>,
    label: string,
  ): string[] {
    const problems: string[] = [];
    for (const [name, raw] of Object.entries(match.pathParams)) {
      const parameter = parameters.find((candidate) => candidate.in === "path" && candidate.name === name);
      if (!parameter) {
        problems.push(`${label}: path parameter ${name} is not declared`);
        continue;
      }
      const value = coerce(raw, parameter.schema);
      params[name] = value;
      problems.push(...this.#checkValue(`${label} path ${name}`, value, parameter, match));
    }
    return problems;
  }

  #checkQuery(
    url: URL,
    parameters: readonly OpenApiParameter[],
    params: Record<string, unknown>,
    label: string,
    match: OperationMatch,
  ): string[] {
    const problems: string[] = [];
    const declared = parameters.filter((parameter) => parameter.in === "query");
    for (const name of new Set(url.searchParams.keys())) {
      const parameter = declared.find((candidate) => candidate.name === name);
      if (!parameter) {
        problems.push(`${label}: query parameter ${name} is not declared`);
        continue;
      }
      const values = url.searchParams.getAll(name);
      if (values.length > 1 && parameter.schema?.type !== "array") {
        problems.push(`${label}: query parameter ${name} given ${values.length} times`);
      }
      const value = coerce(values[0] ?? "", parameter.schema);
      params[name] = value;
      problems.push(...this.#checkValue(`${label} query ${name}`, value, parameter, match));
    }
    for (const parameter of declared) {
      if (parameter.required && !url.searchParams.has(parameter.name)) {
        problems.push(`${label}: required query parameter ${parameter.name} is missing`);
      }
    }
    return problems;
  }

  #checkValue(label: string, value: unknown, parameter: OpenApiParameter, match: OperationMatch): string[] {
    if (!parameter.schema) return [];
    const validate = this.#validator(`param:${match.template}:${parameter.in}:${parameter.name}`, parameter.schema);
    return validate(value) ? [] : this.#errors(label, validate);
  }

  #checkBody(
    request: IncomingGitHubRequest,
    match: OperationMatch,
    label: string,
  ): { problems: string[]; json: unknown; malformed: boolean } {
    const declared = match.operation.requestBody;
    const raw = request.body;
    if (raw === undefined || raw === "") {
      return declared?.required
        ? { problems: [`${label}: the request body is required`], json: undefined, malformed: false }
        : { problems: [], json: undefined, malformed: false };
    }
    if (!declared)
      return { problems: [`${label}: a body where the description declares none`], json: undefined, malformed: false };
    const contentType = request.headers["content-type"] ?? "";
    const problems: string[] = [];
    if (!contentType.startsWith("application/json")) {
      problems.push(`${label}: the body must be sent as application/json, not ${contentType || "no content type"}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(raw) as unknown;
    } catch {
      return { problems: [...problems, `${label}: the body is not JSON`], json: undefined, malformed: true };
    }
    const schema = declared.content["application/json"]?.schema;
    if (schema) {
      const validate = this.#validator(
        `body:${match.template}:${match.method}:${JSON.stringify(schema).length}`,
        schema,
      );
      if (!validate(json)) problems.push(...this.#errors(`${label} body`, validate));
    }
    return { problems, json, malformed: false };
  }
}
