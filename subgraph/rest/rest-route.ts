import type { Readable } from 'node:stream';
import type { TokenVerifier } from '../auth/jwt';
import { ErrorCode, httpStatusOf, isDomainError, type DomainError } from '../common/errors';
import { isDatabaseUnavailable } from '../database/database-faults';
import type { AppServices } from '../server/app-services';
import { createRequestContext, type RequestContext } from '../server/context';

/*
 * REST routes, independent of the HTTP framework: a handler gets the
 * caller's request context (the same token, tenant, read scope, field
 * protection and loaders as a GraphQL request) and the parsed URL, and
 * returns a status, headers and a body that is a string or a stream. The
 * HTTP layer mounts `restRoutes` (see `serveRest`) and writes the answer.
 */

export interface RestResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Readable;
}

export interface RestCall {
  context: RequestContext;
  url: URL;
  /** Path parameters, in the order of the route pattern's groups. */
  params: string[];
  /** Scheme, host and port the client used, for absolute links (`https://host`). */
  baseUrl: string;
}

/** How a route tells the caller about an error: `fhir` as an OperationOutcome, `json` as `{ errors }`. */
export type ErrorStyle = 'fhir' | 'json';

export interface RestRoute {
  pattern: RegExp;
  errors: ErrorStyle;
  handle(call: RestCall): Promise<RestResponse>;
}

/** What the HTTP layer passes in, whatever the framework. */
export interface RestRequest {
  method: string;
  url: URL;
  authorization: string | undefined;
  requestId: string;
  baseUrl: string;
}

export interface RestDependencies {
  services: AppServices;
  verifyToken: TokenVerifier;
}

/** FHIR's issue type for each of our codes (http://hl7.org/fhir/issue-type). */
const fhirIssueTypeOf: Record<string, string> = {
  [ErrorCode.BadUserInput]: 'invalid',
  [ErrorCode.Unauthenticated]: 'login',
  [ErrorCode.Forbidden]: 'forbidden',
  [ErrorCode.NotFound]: 'not-found',
  [ErrorCode.Conflict]: 'conflict',
  [ErrorCode.GateBlocked]: 'business-rule',
  METHOD_NOT_ALLOWED: 'not-supported',
  INTERNAL_SERVER_ERROR: 'exception',
};

/** An error answer in the route's style, carrying our code. */
export function errorResponse(
  style: ErrorStyle,
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
): RestResponse {
  if (style === 'json') {
    return {
      status,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ errors: [{ message, extensions: { code, ...extra } }] }),
    };
  }
  const outcome = {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: 'error',
        code: fhirIssueTypeOf[code] ?? 'processing',
        details: { coding: [{ system: 'urn:near-miss-subgraph:error-code', code }], text: message },
      },
    ],
  };
  return { status, headers: { 'content-type': 'application/fhir+json; charset=utf-8' }, body: JSON.stringify(outcome) };
}

const domainErrorResponse = (style: ErrorStyle, error: DomainError) => {
  const { code: _code, ...extra } = error.extensions as { code: string } & Record<string, unknown>;
  return errorResponse(style, httpStatusOf[error.code], error.code, error.message, extra);
};

/** The route for a path, if any. */
export function matchRestRoute(
  routes: readonly RestRoute[],
  pathname: string,
): { route: RestRoute; params: string[] } | undefined {
  for (const route of routes) {
    const match = route.pattern.exec(pathname);
    if (match) return { route, params: match.slice(1).map((param) => decodeURIComponent(param)) };
  }
  return undefined;
}

/**
 * Authenticates the bearer token, builds the request context and runs the
 * route; coded errors become answers in the route's style, anything else is
 * logged and masked.
 */
export async function runRestRoute(
  matched: { route: RestRoute; params: string[] },
  dependencies: RestDependencies,
  request: RestRequest,
): Promise<RestResponse> {
  const { route, params } = matched;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    const answer = errorResponse(route.errors, 405, 'METHOD_NOT_ALLOWED', `${request.method} is not supported here`);
    return { ...answer, headers: { ...answer.headers, allow: 'GET' } };
  }
  try {
    const principal = await dependencies.verifyToken(request.authorization);
    const context = createRequestContext(dependencies.services, principal, request.requestId);
    return await route.handle({ context, url: request.url, params, baseUrl: request.baseUrl });
  } catch (error) {
    if (isDomainError(error)) return domainErrorResponse(route.errors, error);
    // The HTTP layer answers an outage as for GraphQL: 503 SERVICE_UNAVAILABLE, Retry-After, retryable.
    if (isDatabaseUnavailable(error)) throw error;
    dependencies.services.logger.error('REST request failed', {
      requestId: request.requestId,
      error: error instanceof Error ? error.message : String(error),
    });
    return errorResponse(route.errors, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
  }
}
