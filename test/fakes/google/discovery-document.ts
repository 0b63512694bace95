import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { PROJECT_ROOT } from "../paths";

/** The published Gmail discovery document the fakes are held to. */
export const GMAIL_DISCOVERY_PATH = resolve(PROJECT_ROOT, "..", "shared", "api-specs", "gmail-v1-discovery.json");

/** The parts of a Google API discovery document (v1) the validator reads. */
export interface DiscoveryParameter {
  type: "string" | "integer" | "boolean" | "number" | "any" | "object" | "array";
  location?: "query" | "path";
  required?: boolean;
  repeated?: boolean;
  enum?: string[];
  enumDescriptions?: string[];
  format?: string;
  description?: string;
  pattern?: string;
  minimum?: string;
  maximum?: string;
}

export interface DiscoverySchema {
  id?: string;
  $ref?: string;
  type?: DiscoveryParameter["type"];
  format?: string;
  enum?: string[];
  properties?: Record<string, DiscoverySchema>;
  additionalProperties?: DiscoverySchema;
  items?: DiscoverySchema;
  annotations?: { required?: string[] };
  description?: string;
}

export interface DiscoveryMediaUpload {
  accept: string[];
  maxSize?: string;
  protocols: Record<string, { multipart: boolean; path: string }>;
}

export interface DiscoveryMethod {
  id: string;
  path: string;
  flatPath?: string;
  httpMethod: string;
  parameters?: Record<string, DiscoveryParameter>;
  parameterOrder?: string[];
  request?: { $ref: string };
  response?: { $ref: string };
  scopes?: string[];
  mediaUpload?: DiscoveryMediaUpload;
  supportsMediaUpload?: boolean;
}

export interface DiscoveryResource {
  methods?: Record<string, DiscoveryMethod>;
  resources?: Record<string, DiscoveryResource>;
}

export interface DiscoveryDocument {
  name: string;
  version: string;
  rootUrl: string;
  servicePath: string;
  batchPath: string;
  parameters: Record<string, DiscoveryParameter>;
  auth: { oauth2: { scopes: Record<string, { description: string }> } };
  resources: Record<string, DiscoveryResource>;
  schemas: Record<string, DiscoverySchema>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads a discovery document, checking the top-level fields the validator depends on. */
export function parseDiscoveryDocument(text: string): DiscoveryDocument {
  const parsed: unknown = JSON.parse(text);
  if (!isRecord(parsed)) throw new Error("A discovery document must be a JSON object");
  for (const key of ["rootUrl", "servicePath", "batchPath"] as const) {
    if (typeof parsed[key] !== "string") throw new Error(`The discovery document has no string "${key}"`);
  }
  for (const key of ["parameters", "resources", "schemas", "auth"] as const) {
    if (!isRecord(parsed[key])) throw new Error(`The discovery document has no object "${key}"`);
  }
  // The checks above cover what the validator dereferences without a guard; the rest is read defensively.
  return parsed as unknown as DiscoveryDocument;
}

let gmailDocument: DiscoveryDocument | undefined;

/** The Gmail v1 discovery document from `../shared/api-specs/`, read once. */
export function gmailDiscovery(): DiscoveryDocument {
  gmailDocument ??= parseDiscoveryDocument(readFileSync(GMAIL_DISCOVERY_PATH, "utf8"));
  return gmailDocument;
}

/** Every method of the document, depth first. */
export function discoveryMethods(document: DiscoveryDocument): DiscoveryMethod[] {
  const methods: DiscoveryMethod[] = [];
  const walk = (resources: Record<string, DiscoveryResource>): void => {
    for (const resource of Object.values(resources)) {
      methods.push(...Object.values(resource.methods ?? {}));
      walk(resource.resources ?? {});
    }
  };
  walk(document.resources);
  return methods;
}
