import { jsonResponse, type FakeResponse } from "./google-exchange";

/**
 * Google API error bodies, shaped like the JSON Google's front end returns for Gmail:
 * `{ error: { code, message, errors: [{ message, domain, reason, … }], status } }`.
 */

export interface GoogleErrorItem {
  message: string;
  domain: string;
  reason: string;
  location?: string;
  locationType?: string;
}

export function googleError(
  code: number,
  status: string,
  message: string,
  items: GoogleErrorItem[],
  headers: Record<string, string> = {},
): FakeResponse {
  return jsonResponse(code, { error: { code, message, errors: items, status } }, headers);
}

export function invalidArgument(violations: readonly string[]): FakeResponse {
  const message = violations.join("; ");
  return googleError(400, "INVALID_ARGUMENT", message, [{ message, domain: "global", reason: "invalid" }]);
}

export function unauthenticated(): FakeResponse {
  return googleError(
    401,
    "UNAUTHENTICATED",
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
    [
      {
        message: "Invalid Credentials",
        domain: "global",
        reason: "authError",
        location: "Authorization",
        locationType: "header",
      },
    ],
    { "www-authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
  );
}

export function insufficientScope(acceptedScopes: readonly string[]): FakeResponse {
  return googleError(
    403,
    "PERMISSION_DENIED",
    "Request had insufficient authentication scopes.",
    [{ message: "Insufficient Permission", domain: "global", reason: "insufficientPermissions" }],
    {
      "www-authenticate": `Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="${acceptedScopes.join(" ")}"`,
    },
  );
}

export function permissionDenied(message: string): FakeResponse {
  return googleError(403, "PERMISSION_DENIED", message, [{ message, domain: "global", reason: "forbidden" }]);
}

export function notFound(message = "Requested entity was not found."): FakeResponse {
  return googleError(404, "NOT_FOUND", message, [{ message, domain: "global", reason: "notFound" }]);
}

export function failedPrecondition(message: string): FakeResponse {
  return googleError(400, "FAILED_PRECONDITION", message, [
    { message, domain: "global", reason: "failedPrecondition" },
  ]);
}

export function conflict(message: string): FakeResponse {
  return googleError(409, "ALREADY_EXISTS", message, [{ message, domain: "global", reason: "duplicate" }]);
}

export function rateLimitExceeded(retryAfterSeconds: number | undefined): FakeResponse {
  const headers: Record<string, string> =
    retryAfterSeconds === undefined ? {} : { "retry-after": String(retryAfterSeconds) };
  return googleError(
    429,
    "RESOURCE_EXHAUSTED",
    "Too many concurrent requests for user.",
    [{ message: "Too many concurrent requests for user.", domain: "usageLimits", reason: "rateLimitExceeded" }],
    headers,
  );
}

export function userRateLimitExceeded(retryAfterSeconds: number | undefined): FakeResponse {
  const headers: Record<string, string> =
    retryAfterSeconds === undefined ? {} : { "retry-after": String(retryAfterSeconds) };
  return googleError(
    403,
    "PERMISSION_DENIED",
    "User-rate limit exceeded.",
    [{ message: "User-rate limit exceeded.", domain: "usageLimits", reason: "userRateLimitExceeded" }],
    headers,
  );
}

export function backendError(): FakeResponse {
  return googleError(500, "INTERNAL", "Backend Error", [
    { message: "Backend Error", domain: "global", reason: "backendError" },
  ]);
}

export function serviceUnavailable(retryAfterSeconds: number | undefined): FakeResponse {
  const headers: Record<string, string> =
    retryAfterSeconds === undefined ? {} : { "retry-after": String(retryAfterSeconds) };
  return googleError(
    503,
    "UNAVAILABLE",
    "The service is currently unavailable.",
    [{ message: "The service is currently unavailable.", domain: "global", reason: "backendError" }],
    headers,
  );
}
