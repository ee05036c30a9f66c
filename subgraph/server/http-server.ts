import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import type { TokenVerifier } from '../auth/jwt';
import { isDomainError } from '../common/errors';
import type { AppServices } from './app-services';
import { createRequestContext, type RequestContext } from './context';
import { createErrorFormatter } from './format-error';
import { documentNesting, maxDocumentNesting } from './document-nesting';
import { knownOperationTypesRule } from './known-operation-types.rule';
import { createQueryLimits } from './query-limits';
import { requestIdFrom, withRequestId } from './request-id';
import { matchRestRoute, runRestRoute, type RestResponse } from '../rest/rest-route';
import { restRoutes } from '../rest/rest-routes';

/**
 * Bodies above this are refused with 413 before any parsing: far above a
 * report at its field limits (~40 kB) or a large `_entities` batch, far below
 * what would let one request hold much memory.
 */
export const maxBodyBytes = 1024 * 1024;

export interface HttpServerOptions {
  schema: GraphQLSchema;
  services: AppServices;
  verifyToken: TokenVerifier;
  isReady: () => Promise<boolean>;
}

export interface RunningServer {
  url: string;
  server: Server;
  stop(): Promise<void>;
}

class BodyTooLarge extends Error {}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // Refused without buffering; the rest is drained so the client reads the 413.
    const refuse = () => {
      request.removeListener('data', collect);
      request.resume();
      reject(new BodyTooLarge());
    };
    const collect = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) return refuse();
      chunks.push(chunk);
    };
    if (Number(request.headers['content-length']) > maxBodyBytes) return refuse();
    request.on('data', collect);
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

const sendJson = (response: ServerResponse, status: number, body: unknown) => {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
};

/** The Host the client used, for absolute links; `localhost` when it is missing or not a plain host name. */
const hostOf = (request: IncomingMessage) => {
  const host = request.headers.host;
  return host && /^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(host) ? host : 'localhost';
};

/** Writes a REST route's answer; a streamed body is piped with back-pressure. */
async function sendRest(response: ServerResponse, answer: RestResponse, requestId: string): Promise<void> {
  response.writeHead(answer.status, { ...answer.headers, 'x-request-id': requestId });
  if (typeof answer.body === 'string') {
    response.end(answer.body);
    return;
  }
  await pipeline(answer.body, response);
}

/** GraphQL at POST /graphql, REST routes (rest/rest-routes.ts), liveness at /healthz, readiness at /readyz. */
export async function startHttpServer(options: HttpServerOptions, port: number): Promise<RunningServer> {
  const { services } = options;
  const production = services.config.nodeEnv === 'production';
  const limits = createQueryLimits({
    production,
    maxEntityRepresentations: services.config.requestLimits.maxEntityRepresentations,
  });
  const apollo = new ApolloServer<RequestContext>({
    schema: options.schema,
    // `_service { sdl }` is not introspection: the gateway still gets the SDL in production.
    introspection: !production,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: false,
    formatError: createErrorFormatter(services.logger, false),
    validationRules: [...limits.validationRules, knownOperationTypesRule],
    parseOptions: limits.parseOptions,
    plugins: [ApolloServerPluginCacheControlDisabled(), ApolloServerPluginInlineTraceDisabled(), ...limits.plugins],
  });
  await apollo.start();

  const handleGraphql = async (request: IncomingMessage, response: ServerResponse, url: URL) => {
    const requestId = requestIdFrom(request.headers['x-request-id']);
    let body: unknown;
    if (request.method === 'POST') {
      let text: string;
      try {
        text = await readBody(request);
      } catch (error) {
        if (error instanceof BodyTooLarge) {
          response.setHeader('connection', 'close');
          response.setHeader('x-request-id', requestId);
          return sendJson(response, 413, {
            errors: [
              {
                message: `Request body is larger than ${maxBodyBytes} bytes`,
                extensions: { code: 'PAYLOAD_TOO_LARGE' },
              },
            ],
          });
        }
        throw error;
      }
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        response.setHeader('x-request-id', requestId);
        return sendJson(response, 400, {
          errors: [{ message: 'Request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }],
        });
      }
    }
    // graphql-js parses recursively: a document nested thousands deep would overflow its stack.
    const document =
      request.method === 'POST' ? (body as { query?: unknown } | null)?.query : url.searchParams.get('query');
    if (typeof document === 'string' && documentNesting(document) > maxDocumentNesting) {
      response.setHeader('x-request-id', requestId);
      return sendJson(response, 400, {
        errors: [
          {
            message: `Syntax Error: Document nests brackets more than ${maxDocumentNesting} levels deep.`,
            extensions: { code: 'GRAPHQL_PARSE_FAILED' },
          },
        ],
      });
    }
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const result = await withRequestId(requestId, () =>
      apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: request.method ?? 'GET', headers, search: url.search, body },
        context: async () => {
          try {
            const principal = await options.verifyToken(headers.get('authorization'));
            return createRequestContext(services, principal, requestId);
          } catch (error) {
            if (isDomainError(error)) {
              throw new GraphQLError(error.message, { extensions: { ...error.extensions, http: { status: 401 } } });
            }
            throw error;
          }
        },
      }),
    );
    const responseHeaders: Record<string, string> = { 'x-request-id': requestId };
    for (const [name, value] of result.headers) responseHeaders[name] = value;
    response.writeHead(result.status ?? 200, responseHeaders);
    if (result.body.kind === 'complete') {
      response.end(result.body.string);
    } else {
      for await (const chunk of result.body.asyncIterator) response.write(chunk);
      response.end();
    }
  };

  const server = createServer((request, response) => {
    // A request target that is no URL (`GET http://[ HTTP/1.1`) threw here and took the process down.
    const url = URL.parse(request.url ?? '/', 'http://localhost');
    if (!url) {
      response.setHeader('connection', 'close');
      return sendJson(response, 400, {
        errors: [{ message: 'Request target is not a valid URL', extensions: { code: 'BAD_REQUEST' } }],
      });
    }
    const route = async () => {
      if (url.pathname === '/healthz') return sendJson(response, 200, { status: 'ok' });
      if (url.pathname === '/readyz') {
        const ready = await options.isReady();
        return sendJson(response, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready' });
      }
      if (url.pathname === '/graphql') return handleGraphql(request, response, url);
      const rest = matchRestRoute(restRoutes, url.pathname);
      if (rest) {
        const requestId = requestIdFrom(request.headers['x-request-id']);
        const answer = await withRequestId(requestId, () =>
          runRestRoute(rest, options, {
            method: request.method ?? 'GET',
            url,
            authorization: request.headers.authorization,
            requestId,
            baseUrl: `http://${hostOf(request)}`,
          }),
        );
        return sendRest(response, answer, requestId);
      }
      return sendJson(response, 404, { error: 'not found' });
    };
    route().catch((error: unknown) => {
      services.logger.error('request failed', { error: error instanceof Error ? error.message : String(error) });
      if (!response.headersSent)
        sendJson(response, 500, {
          errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
        });
      else response.end();
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve());
  });
  const { port: boundPort } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${boundPort}/graphql`,
    server,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await apollo.stop();
    },
  };
}
