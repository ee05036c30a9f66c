import type { Readable } from 'node:stream';
import type { Principal } from '../auth/principal';
import type { AppServices } from './app-services';

/**
 * A plain HTTP route beside GraphQL (FHIR reads, exports, reports), written
 * without the HTTP framework: the server authenticates the caller with the
 * same bearer token as /graphql (401 UNAUTHENTICATED without one), runs the
 * handler inside the request's log, metrics and trace, and sends what it
 * returns. Errors map as for GraphQL: a DomainError to its status (NOT_FOUND
 * 404, FORBIDDEN 403, BAD_USER_INPUT 400, CONFLICT 409), a database outage to
 * 503 SERVICE_UNAVAILABLE with Retry-After, anything else to a masked 500.
 *
 * Mount one by adding it to `httpRoutes` below; `path` uses the router's
 * syntax (`/fhir/AdverseEvent/:id`), its parameters arrive in `params`.
 */
export interface HttpRoute {
  method: 'GET';
  path: string;
  handler(request: HttpRouteRequest): Promise<HttpRouteResponse>;
}

export interface HttpRouteRequest {
  principal: Principal;
  /** The full request URL (query parameters in `url.searchParams`). */
  url: URL;
  params: Readonly<Record<string, string>>;
  /** Request headers, lower-case names. */
  headers: Readonly<Record<string, string | undefined>>;
  requestId: string;
  services: AppServices;
  /** Aborted when the client goes away or the drain at shutdown runs out: stop streaming. */
  signal: AbortSignal;
}

export interface HttpRouteResponse {
  /** Default 200. */
  status?: number;
  headers?: Record<string, string>;
  /** A whole body, or a stream of chunks sent as they come (large exports). */
  body: string | Buffer | Readable | AsyncIterable<string | Buffer>;
}

/** Every route the server mounts besides /graphql, /healthz, /readyz and /metrics. */
export const httpRoutes: readonly HttpRoute[] = [];
