/**
 * Whether an error means the database could not be reached or went away
 * (refused or dropped connections, a connect or pool wait past its timeout,
 * a server shutting down or starting up, too many connections), as opposed
 * to a statement the database refused. Such a request may simply be sent
 * again later: it is answered SERVICE_UNAVAILABLE (HTTP 503, Retry-After).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    const { code, message, name } = current as { code?: unknown; message?: unknown; name?: unknown };
    // TypeORM releases a transaction's connection when the driver reports it broken; the transaction's
    // next statement then fails with this instead of the connection error.
    if (typeof name === 'string' && releasedRunnerErrors.has(name)) return true;
    if (typeof code === 'string' && (networkCodes.has(code) || unavailableStates.has(code) || code.startsWith('08')))
      return true;
    if (typeof message === 'string' && unavailableMessages.some((pattern) => pattern.test(message))) return true;
    // TypeORM's wrapper, a cause, GraphQL's wrapper, or graphql-js's wrapper of a thrown non-Error.
    current =
      (current as { driverError?: unknown }).driverError ??
      (current as { cause?: unknown }).cause ??
      (current as { originalError?: unknown }).originalError ??
      (current as { thrownValue?: unknown }).thrownValue;
  }
  return false;
}

const releasedRunnerErrors = new Set(['QueryRunnerProviderAlreadyReleasedError', 'QueryRunnerAlreadyReleasedError']);

// Node's socket errors, as the pg driver passes them on.
const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

// SQLSTATE: admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections (class 08 is connection_exception).
const unavailableStates = new Set(['57P01', '57P02', '57P03', '53300']);

// What pg and TypeORM say without a code.
const unavailableMessages = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /Client has encountered a connection error and is not queryable/,
  /^Cannot use a pool after calling end on the pool/,
  /^Query read timeout/,
  /^Connection is not established/,
];
