import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ErrorCode, isDomainError, type FieldProblem } from '../common/errors';
import { isDatabaseUnavailable } from '../database/database-faults';
import type { Logger } from '../common/logger';
import { currentRequestId } from './request-scope';

/** GraphQL's own input-coercion messages, turned into the contract's field problems. */
export function inputProblemsFromMessage(message: string): FieldProblem[] | undefined {
  const variable = /^Variable "\$(\w+)" got invalid value .*?(?: at "([^"]+)")?; (.*)$/s.exec(message);
  if (variable) {
    const [, name, at, reason] = variable;
    const missing = /^Field "(\w+)" of required type/.exec(reason);
    const segments = (at ?? name).split('.');
    if (missing) segments.push(missing[1]);
    if (segments[0] === name && segments.length > 1) segments.shift();
    return [{ path: segments.join('.'), message: missing ? 'is required' : reason }];
  }
  const literalMissing = /^Field "(\w+)\.(\w+)" of required type "[^"]+" was not provided\.$/.exec(message);
  if (literalMissing) return [{ path: literalMissing[2], message: 'is required' }];
  const argumentMissing =
    /^Field "(\w+)" argument "(\w+)" of type "[^"]+" is required, but it was not provided\.$/.exec(message);
  if (argumentMissing) return [{ path: argumentMissing[2], message: 'is required' }];
  const wrongLiteral =
    /^(Expected value of type "[^"]+", found .*|Enum "\w+" cannot represent .*|\w+ cannot represent .*)$/s.exec(
      message,
    );
  if (wrongLiteral) return [{ path: 'input', message }];
  return undefined;
}

/**
 * Apollo Server's own refusals of a request before execution: an
 * `operationName` that names no operation in the document (or none given for a
 * document of several), or an APQ hash that does not match its query. They
 * carry a 4xx status but no code of the contract's.
 */
function isRequestMistake(code: unknown, error: unknown): boolean {
  if (code === 'OPERATION_RESOLUTION_FAILURE') return true;
  if (code !== 'INTERNAL_SERVER_ERROR' || !(error instanceof GraphQLError) || error.originalError) return false;
  const status = (error.extensions?.http as { status?: number } | undefined)?.status;
  return status !== undefined && status >= 400 && status < 500;
}

/** The code of an answer the database could not give: HTTP 503 with Retry-After, `extensions.retryable: true`. */
export const serviceUnavailableCode = 'SERVICE_UNAVAILABLE';

/**
 * One place that decides what a client sees of an error: coded domain errors
 * as they are, input errors as BAD_USER_INPUT with fields, anything else
 * masked with a request id to find it in the logs.
 */
export function createErrorFormatter(logger: Logger, exposeInternals: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (isDomainError(original)) return formatted;
    const code = formatted.extensions?.code;
    if (code === 'BAD_USER_INPUT' || code === 'GRAPHQL_VALIDATION_FAILED') {
      const fields =
        (formatted.extensions?.fields as FieldProblem[] | undefined) ?? inputProblemsFromMessage(formatted.message);
      if (fields)
        return { ...formatted, extensions: { ...formatted.extensions, code: ErrorCode.BadUserInput, fields } };
      return formatted;
    }
    if (
      code === 'UNAUTHENTICATED' ||
      code === 'FORBIDDEN' ||
      code === 'GRAPHQL_PARSE_FAILED' ||
      code === 'BAD_REQUEST' ||
      code === 'PERSISTED_QUERY_NOT_FOUND'
    ) {
      return formatted;
    }
    if (isRequestMistake(code, error)) {
      return { ...formatted, extensions: { ...formatted.extensions, code: 'BAD_REQUEST' } };
    }
    const requestId = currentRequestId();
    if (isDatabaseUnavailable(original)) {
      logger.warn('database unavailable', {
        requestId,
        path: formatted.path,
        error: original instanceof Error ? original.name : undefined,
        code: (original as { code?: unknown } | undefined)?.code,
      });
      // A mutation may or may not have committed: retrying is safe with its idempotency key or expected version.
      return {
        message: 'The database is unavailable; retry later',
        path: formatted.path,
        locations: formatted.locations,
        extensions: { code: serviceUnavailableCode, retryable: true, requestId },
      };
    }
    logger.error('unexpected error', {
      requestId,
      path: formatted.path,
      error: redactQuoted(original instanceof Error ? `${original.name}: ${original.message}` : String(original)),
      stack:
        original instanceof Error ? redactQuoted(original.stack?.split('\n').slice(1, 6).join(' | ') ?? '') : undefined,
    });
    if (exposeInternals) return formatted;
    // No SQL, stack or internal ids: the request id finds the logged details.
    return {
      message: 'Internal server error',
      path: formatted.path,
      locations: formatted.locations,
      extensions: { code: 'INTERNAL_SERVER_ERROR', requestId },
    };
  };
}

/**
 * Database and runtime messages quote the offending value ("invalid input
 * syntax for type uuid: \"...\""), which may be report text or a person id:
 * logs keep the shape of the message, never the quoted values.
 */
export const redactQuoted = (message: string) => message.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '"…"');
