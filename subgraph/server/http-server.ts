import { STATUS_CODES, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin, type GraphQLRequestListener } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import Fastify, { type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import { GraphQLError, Kind, type GraphQLSchema } from 'graphql';
import type { TokenVerifier } from '../auth/jwt';
import type { Principal } from '../auth/principal';
import { httpStatusOf, isDomainError, ErrorCode } from '../common/errors';
import { isDatabaseUnavailable } from '../database/database-faults';
import type { Metrics } from '../observability/metrics';
import type { Tracing } from '../observability/tracing';
import type { Logger } from '../common/logger';
import type { Config } from '../config';
import type { AppServices } from './app-services';
import { createRequestContext, type RequestContext } from './context';
import { documentNesting, maxDocumentNesting } from './document-nesting';
import { createErrorFormatter, serviceUnavailableCode } from './format-error';
import { matchRestRoute, runRestRoute } from '../rest/rest-route';
import { restPathPrefixes, restRoutes } from '../rest/rest-routes';
import { knownOperationTypesRule } from './known-operation-types.rule';
import { createQueryLimits } from './query-limits';
import { currentRequest, requestIdFrom, withRequestRecord, type RequestRecord } from './request-scope';

/**
 * Bodies above this are refused with 413 before any parsing: far above a
 * report at its field limits (~40 kB) or a large `_entities` batch, far below
 * what would let one request hold much memory.
 */
export const maxBodyBytes = 1024 * 1024;

/** Seconds a client is told to wait (Retry-After) when the database is unavailable. */
export const retryAfterSeconds = 2;

export interface HttpServerOptions {
  schema: GraphQLSchema;
  config: Config;
  logger: Logger;
  /** The services once the database is reached and migrated; undefined before: requests answer 503. */
  services: () => AppServices | undefined;
  verifyToken: TokenVerifier;
  /** Whether the database answers and is migrated (readiness); false while it does not. */
  isReady: () => Promise<boolean>;
  metrics: Metrics;
  tracing?: Tracing;
  /** Bearer token /metrics requires; unset: /metrics is open to whoever reaches the port. */
  metricsToken?: string;
}

export interface RunningServer {
  url: string;
  server: Server;
  /**
   * Graceful stop: readiness answers 503 at once, the listener takes no new
   * connections, requests in flight finish (each answer closes its
   * connection) within `drainMs`, idle keep-alive connections close; then
   * whatever is still open is cut. Resolves with the requests cut (0 when
   * the drain was clean).
   */
  stop(drainMs?: number): Promise<{ cut: number }>;
}

declare module 'fastify' {
  interface FastifyRequest {
    record: RequestRecord;
    route: string;
    started: number;
    finishSpan?: (status: number, record: RequestRecord) => void;
  }
}

const errorBody = (message: string, code: string, extra: Record<string, unknown> = {}) => ({
  errors: [{ message, extensions: { code, ...extra } }],
});

/** Thrown while the database has not been reached since the start (answered 503, retryable). */
class DatabaseNotReached extends Error {
  readonly code = 'ECONNREFUSED';
}

const operationNamePattern = /^[A-Za-z_][A-Za-z0-9_]{0,99}$/;

/**
 * Apollo Server on Fastify (`@as-integrations/fastify`): GraphQL at
 * /graphql, liveness at /healthz, readiness at /readyz, Prometheus at
 * /metrics, and the REST routes of rest/rest-routes.ts.
 */
export async function startHttpServer(options: HttpServerOptions, port: number): Promise<RunningServer> {
  const { config, logger, metrics } = options;
  const production = config.nodeEnv === 'production';
  const limits = createQueryLimits({
    production,
    maxEntityRepresentations: config.requestLimits.maxEntityRepresentations,
  });
  const apollo = new ApolloServer<RequestContext>({
    schema: options.schema,
    // `_service { sdl }` is not introspection: the gateway still gets the SDL in production.
    introspection: !production,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: false,
    // The process drains on SIGTERM itself (main.ts); Apollo's handler would re-send the signal mid-drain.
    stopOnTerminationSignals: false,
    formatError: createErrorFormatter(logger, false),
    validationRules: [...limits.validationRules, knownOperationTypesRule],
    parseOptions: limits.parseOptions,
    plugins: [
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      observationPlugin(),
      ...limits.plugins,
    ],
  });
  await apollo.start();

  let draining = false;
  let inFlight = 0;
  const drainAborts = new AbortController();

  const app = Fastify({
    logger: false,
    bodyLimit: maxBodyBytes,
    genReqId: (request) => requestIdFrom(request.headers['x-request-id']),
    requestIdHeader: false,
    // Requests that arrive on an open connection while draining are still served (their answer closes it).
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    keepAliveTimeout: 65_000,
    // Requests Node's parser refuses (headers too large, a malformed request line) get our error shape too.
    clientErrorHandler: (error, socket) => {
      if ((error as { code?: string }).code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
      const status = (error as { code?: string }).code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
      const body = JSON.stringify(
        errorBody(status === 431 ? 'Request headers are too large' : 'Malformed HTTP request', 'BAD_REQUEST'),
      );
      socket.end(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nconnection: close\r\ncontent-type: application/json; charset=utf-8\r\n` +
          `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    },
  });

  // Every body is read as text (up to bodyLimit) and parsed as JSON whatever its
  // declared type: Apollo's CSRF prevention then refuses the types a browser
  // form could send, with its own message.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (!text) return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(
        Object.assign(new Error('Request body is not valid JSON'), { statusCode: 400, code: 'BAD_REQUEST' }),
        undefined,
      );
    }
  });

  app.decorateRequest('record', null as unknown as RequestRecord);
  app.decorateRequest('route', '');
  app.decorateRequest('started', 0);
  app.decorateRequest('finishSpan', undefined);

  app.addHook('onRequest', async (request, reply) => {
    inFlight += 1;
    metrics.httpInFlight.inc();
    request.started = performance.now();
    request.record = { requestId: request.id, errorCodes: [] };
    // Unknown paths share one label, so clients cannot grow the series.
    request.route = request.routeOptions.url ?? 'unmatched';
    request.finishSpan = options.tracing?.startRequestSpan(request.method, request.route, request.headers);
    void reply.header('x-request-id', request.id);
  });
  app.addHook('onSend', async (_request, reply) => {
    if (draining) void reply.header('connection', 'close');
  });
  app.addHook('onResponse', async (request, reply) => {
    inFlight -= 1;
    metrics.httpInFlight.dec();
    const seconds = (performance.now() - request.started) / 1000;
    const status = reply.statusCode;
    metrics.httpRequests.inc({ route: request.route, method: request.method, status: String(status) });
    metrics.httpDuration.observe({ route: request.route, method: request.method }, seconds);
    const { record } = request;
    if (record.operationType) {
      for (const field of record.rootFields ?? []) {
        metrics.graphqlOperations.inc({ type: record.operationType, field });
        metrics.graphqlDuration.observe({ type: record.operationType, field }, seconds);
      }
    }
    for (const code of record.errorCodes) metrics.graphqlErrors.inc({ code });
    request.finishSpan?.(status, record);
    if (request.route === '/healthz' || request.route === '/readyz' || request.route === '/metrics') return;
    // One line per request: identifiers and codes only (no URL query, body, headers or person ids).
    logger.info('request', {
      requestId: record.requestId,
      method: request.method,
      route: request.route,
      status,
      durationMs: Math.round(seconds * 10_000) / 10,
      operation: record.operationName,
      operationType: record.operationType,
      tenant: record.tenant,
      roles: record.roles,
      errorCodes: record.errorCodes.length ? [...new Set(record.errorCodes)] : undefined,
    });
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status === 413) {
      void reply.header('connection', 'close');
      return reply.code(413).send(errorBody(`Request body is larger than ${maxBodyBytes} bytes`, 'PAYLOAD_TOO_LARGE'));
    }
    if (isDatabaseUnavailable(error)) {
      request.record.errorCodes.push(serviceUnavailableCode);
      return reply
        .code(503)
        .header('retry-after', String(retryAfterSeconds))
        .send(
          errorBody('The database is unavailable; retry later', serviceUnavailableCode, {
            retryable: true,
            requestId: request.id,
          }),
        );
    }
    if (isDomainError(error)) {
      request.record.errorCodes.push(error.code);
      return reply.code(httpStatusOf[error.code] ?? 400).send({ errors: [error.toJSON()] });
    }
    if (status >= 400 && status < 500) {
      const message = error.code === 'BAD_REQUEST' ? error.message : 'Bad request';
      return reply.code(status).send(errorBody(message, 'BAD_REQUEST'));
    }
    logger.error('request failed', {
      requestId: request.id,
      route: request.route,
      error: error instanceof Error ? error.name : 'unknown',
    });
    request.record.errorCodes.push('INTERNAL_SERVER_ERROR');
    return reply.code(500).send(errorBody('Internal server error', 'INTERNAL_SERVER_ERROR', { requestId: request.id }));
  });

  app.setNotFoundHandler((request, reply) => {
    // A request target that is no URL (`GET http://[ HTTP/1.1`) is the client's mistake.
    if (!request.url.startsWith('/') || !URL.parse(request.url, 'http://localhost')) {
      void reply.header('connection', 'close');
      return reply.code(400).send(errorBody('Request target is not a valid URL', 'BAD_REQUEST'));
    }
    return reply.code(404).send(errorBody('Not found', 'NOT_FOUND'));
  });

  /** The services, or a 503 the client may retry while the database is not reached yet at start. */
  const servicesNow = (): AppServices => {
    const services = options.services();
    if (services) return services;
    throw new DatabaseNotReached();
  };

  const authenticate = async (request: FastifyRequest): Promise<Principal> => {
    const principal = await options.verifyToken(request.headers.authorization);
    request.record.tenant = principal.tenantId;
    request.record.roles = principal.roles;
    return principal;
  };

  app.get('/healthz', () => Promise.resolve({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const ready = !draining && (await options.isReady());
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : draining ? 'draining' : 'not ready' });
  });
  app.get('/metrics', async (request, reply) => {
    if (options.metricsToken && request.headers.authorization !== `Bearer ${options.metricsToken}`) {
      return reply.code(401).send(errorBody('/metrics needs the metrics token', ErrorCode.Unauthenticated));
    }
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });

  const apolloHandler = fastifyApolloHandler(apollo, {
    context: async (request) => {
      try {
        const services = servicesNow();
        return createRequestContext(services, await authenticate(request), request.id);
      } catch (error) {
        if (isDomainError(error)) {
          throw new GraphQLError(error.message, { extensions: { ...error.extensions, http: { status: 401 } } });
        }
        throw error;
      }
    },
  });
  app.all('/graphql', async (request, reply) => {
    servicesNow();
    // graphql-js parses recursively: a document nested thousands deep would overflow its stack.
    const document =
      request.method === 'POST'
        ? (request.body as { query?: unknown } | null | undefined)?.query
        : (request.query as { query?: unknown }).query;
    if (typeof document === 'string' && documentNesting(document) > maxDocumentNesting) {
      request.record.errorCodes.push('GRAPHQL_PARSE_FAILED');
      return reply
        .code(400)
        .send(
          errorBody(
            `Syntax Error: Document nests brackets more than ${maxDocumentNesting} levels deep.`,
            'GRAPHQL_PARSE_FAILED',
          ),
        );
    }
    // The integration types its route as answering a string; ours also answers the JSON errors above.
    const apolloRequest = request as unknown as Parameters<typeof apolloHandler>[0];
    const apolloReply = reply as unknown as Parameters<typeof apolloHandler>[1];
    return withRequestRecord(request.record, async () => apolloHandler.call(app, apolloRequest, apolloReply));
  });

  // REST routes beside GraphQL (rest/rest-routes.ts: FHIR reads, exports), framework-neutral: each authenticates
  // the bearer token itself and answers errors in its own style (a FHIR OperationOutcome, or JSON errors).
  const rest = async (request: FastifyRequest, reply: FastifyReply) => {
    const services = servicesNow();
    const baseUrl = `http://${request.headers.host ?? 'localhost'}`;
    const url = new URL(request.url, baseUrl);
    const matched = matchRestRoute(restRoutes, url.pathname);
    if (!matched) return reply.code(404).send(errorBody(`Nothing at ${url.pathname}`, ErrorCode.NotFound));
    const answer = await withRequestRecord(request.record, () =>
      runRestRoute(
        matched,
        { services, verifyToken: options.verifyToken },
        { method: request.method, url, authorization: request.headers.authorization, requestId: request.id, baseUrl },
      ),
    );
    return reply.code(answer.status).headers(answer.headers).send(answer.body);
  };
  for (const prefix of restPathPrefixes) app.all(`${prefix}/*`, rest);

  await app.listen({ port, host: '::' }).catch(async (error: unknown) => {
    if ((error as { code?: string }).code !== 'EAFNOSUPPORT') throw error;
    await app.listen({ port, host: '0.0.0.0' });
  });
  const { port: boundPort } = app.server.address() as AddressInfo;

  let stopped: Promise<{ cut: number }> | undefined;
  return {
    url: `http://localhost:${boundPort}/graphql`,
    server: app.server,
    stop(drainMs = 20_000) {
      stopped ??= (async () => {
        draining = true;
        let cut = 0;
        let timer: NodeJS.Timeout | undefined;
        const overrun = new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            cut = inFlight;
            drainAborts.abort();
            app.server.closeAllConnections();
            resolve();
          }, drainMs);
        });
        await Promise.race([app.close(), overrun]);
        clearTimeout(timer);
        await apollo.stop();
        return { cut };
      })();
      return stopped;
    },
  };
}

/** Fills the request's record for its log line and metrics, and answers a database outage with 503. */
function observationPlugin(): ApolloServerPlugin<RequestContext> {
  const listener: GraphQLRequestListener<RequestContext> = {
    didResolveOperation({ operation, operationName }) {
      const record = currentRequest();
      if (!record || !operation) return Promise.resolve();
      record.operationType = operation.operation;
      if (operationName && operationNamePattern.test(operationName)) record.operationName = operationName;
      record.rootFields = [
        ...new Set(
          operation.selectionSet.selections.map((selection) =>
            selection.kind === Kind.FIELD ? selection.name.value : 'fragment',
          ),
        ),
      ];
      return Promise.resolve();
    },
    willSendResponse({ response }) {
      if (response.body.kind !== 'single') return Promise.resolve();
      const codes = (response.body.singleResult.errors ?? []).map((error) => {
        const code = error.extensions?.code;
        return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
      });
      currentRequest()?.errorCodes.push(...codes);
      if (codes.includes(serviceUnavailableCode)) {
        response.http.status = 503;
        response.http.headers.set('retry-after', String(retryAfterSeconds));
      }
      return Promise.resolve();
    },
  };
  return { requestDidStart: () => Promise.resolve(listener) };
}
