import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/**
 * GitHub's published REST description (`@octokit/openapi`, api.github.com), read once per process
 * and indexed by path template, so the fake finds the operation a request names the way GitHub's
 * router would: the template with the most literal segments wins.
 */

export type HttpMethod = "get" | "post" | "put" | "patch" | "delete";

export interface OpenApiSchema {
  readonly [keyword: string]: unknown;
}

export interface OpenApiParameter {
  readonly name: string;
  readonly in: "path" | "query" | "header" | "cookie";
  readonly required?: boolean;
  readonly schema?: OpenApiSchema;
}

export interface OpenApiResponse {
  readonly description?: string;
  readonly headers?: Readonly<Record<string, unknown>>;
  readonly content?: Readonly<Record<string, { readonly schema?: OpenApiSchema }>>;
}

export interface OpenApiOperation {
  readonly operationId: string;
  readonly summary?: string;
  readonly parameters?: readonly (OpenApiParameter | { readonly $ref: string })[];
  readonly requestBody?: {
    readonly required?: boolean;
    readonly content: Readonly<Record<string, { readonly schema?: OpenApiSchema }>>;
  };
  readonly responses: Readonly<Record<string, OpenApiResponse>>;
  readonly "x-github-breaking-changes"?: readonly BreakingChange[];
}

/** A versioned change: a JSON Patch over the operation, in force from `version` on. */
export interface BreakingChange {
  readonly changeset: string;
  readonly version: string;
  readonly patch: readonly { op: "remove" | "replace" | "add"; path: string; value?: unknown }[];
}

export interface OpenApiDescription {
  readonly openapi: string;
  readonly paths: Readonly<Record<string, Readonly<Partial<Record<HttpMethod, OpenApiOperation>>>>>;
  readonly components: {
    readonly parameters: Readonly<Record<string, OpenApiParameter>>;
    readonly schemas: Readonly<Record<string, OpenApiSchema>>;
    readonly examples: Readonly<Record<string, { readonly value?: unknown }>>;
  };
}

/** The version GitHub serves when a request names none; the description only lists later ones. */
export const DEFAULT_API_VERSION = "2022-11-28";

export interface OperationMatch {
  readonly method: HttpMethod;
  readonly template: string;
  readonly operation: OpenApiOperation;
  readonly pathParams: Readonly<Record<string, string>>;
}

interface CompiledPath {
  readonly template: string;
  readonly pattern: RegExp;
  readonly names: readonly string[];
  readonly literalSegments: number;
}

const DESCRIPTION_PATH = "@octokit/openapi/generated/api.github.com.json";

let loaded: GitHubDescription | undefined;

/** The description and its index; the 13 MB file is parsed on first use only. */
export function githubDescription(): GitHubDescription {
  loaded ??= new GitHubDescription(
    JSON.parse(readFileSync(createRequire(import.meta.url).resolve(DESCRIPTION_PATH), "utf8")) as OpenApiDescription,
  );
  return loaded;
}

function compile(template: string): CompiledPath {
  const names: string[] = [];
  const segments = template.split("/").slice(1);
  const source = segments
    .map((segment) => {
      const parameter = /^\{([^}]+)\}$/.exec(segment);
      if (parameter?.[1] !== undefined) {
        names.push(parameter[1]);
        return "([^/]+)";
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  return {
    template,
    pattern: new RegExp(`^/${source}$`),
    names,
    literalSegments: segments.filter((segment) => !segment.startsWith("{")).length,
  };
}

export class GitHubDescription {
  readonly spec: OpenApiDescription;
  /** Every version the description knows of, oldest first. */
  readonly versions: readonly string[];
  readonly #paths: readonly CompiledPath[];

  constructor(spec: OpenApiDescription) {
    this.spec = spec;
    this.#paths = Object.keys(spec.paths)
      .map(compile)
      .sort((a, b) => b.literalSegments - a.literalSegments);
    const versions = new Set([DEFAULT_API_VERSION]);
    for (const operations of Object.values(spec.paths)) {
      for (const operation of Object.values(operations)) {
        for (const change of operation["x-github-breaking-changes"] ?? []) versions.add(change.version);
      }
    }
    this.versions = [...versions].sort();
  }

  /** The operation a method and path name, as it reads under `version` (its breaking changes applied). */
  match(method: string, pathname: string, version = DEFAULT_API_VERSION): OperationMatch | undefined {
    const lower = method.toLowerCase() as HttpMethod;
    for (const path of this.#paths) {
      const found = path.pattern.exec(pathname);
      if (!found) continue;
      const operation = this.spec.paths[path.template]?.[lower];
      if (!operation) continue;
      const pathParams: Record<string, string> = {};
      path.names.forEach((name, index) => {
        pathParams[name] = decodeURIComponent(found[index + 1] ?? "");
      });
      return { method: lower, template: path.template, operation: applyVersion(operation, version), pathParams };
    }
    return undefined;
  }

  /** Whether any operation exists on this path (for 405 versus 404). */
  hasPath(pathname: string): boolean {
    return this.#paths.some((path) => path.pattern.test(pathname));
  }

  parameters(operation: OpenApiOperation): OpenApiParameter[] {
    return (operation.parameters ?? []).map((parameter) => {
      if (!("$ref" in parameter)) return parameter;
      const name = parameter.$ref.replace("#/components/parameters/", "");
      const resolved = this.spec.components.parameters[name];
      if (!resolved) throw new Error(`The description names a parameter it does not define: ${parameter.$ref}`);
      return resolved;
    });
  }

  /** A deep copy of one of the description's examples, for a response built from it. */
  example(name: string): Record<string, unknown> {
    const value = this.spec.components.examples[name]?.value;
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new Error(`The description has no object example "${name}".`);
    }
    return structuredClone(value) as Record<string, unknown>;
  }
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, "/").replace(/~0/g, "~");
}

/** The operation with every breaking change up to `version` applied (RFC 6902, the ops the description uses). */
function applyVersion(operation: OpenApiOperation, version: string): OpenApiOperation {
  const changes = (operation["x-github-breaking-changes"] ?? []).filter((change) => change.version <= version);
  if (changes.length === 0) return operation;
  const copy = structuredClone(operation) as unknown as Record<string, unknown>;
  for (const change of changes) {
    for (const step of change.patch) {
      const segments = step.path.split("/").slice(1).map(unescapePointer);
      const last = segments.pop();
      let parent: unknown = copy;
      for (const segment of segments) {
        parent =
          typeof parent === "object" && parent !== null ? (parent as Record<string, unknown>)[segment] : undefined;
      }
      if (last === undefined || typeof parent !== "object" || parent === null) continue;
      const target = parent as Record<string, unknown>;
      if (step.op === "remove") Reflect.deleteProperty(target, last);
      else target[last] = step.value;
    }
  }
  return copy as unknown as OpenApiOperation;
}
