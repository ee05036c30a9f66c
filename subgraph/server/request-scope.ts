import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * What the HTTP layer learns about one request while it is handled, for its
 * log line, its metrics and its trace: identifiers and codes only, never
 * free text or person identifiers.
 */
export interface RequestRecord {
  requestId: string;
  /** The operation's name when it is a plain identifier (clients choose it). */
  operationName?: string;
  operationType?: string;
  /** The operation's top-level fields: the schema bounds them, so they label metrics. */
  rootFields?: string[];
  tenant?: string;
  roles?: string[];
  /** `extensions.code` of every error in the answer. */
  errorCodes: string[];
}

const requests = new AsyncLocalStorage<RequestRecord>();

/** The caller's `x-request-id` when it is a sane token, otherwise a fresh one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && /^[\w.:-]{1,100}$/.test(value) ? value : randomUUID();
}

/** Runs the handling of one HTTP request with its record visible to error formatting, logs and metrics. */
export const withRequestRecord = <T>(record: RequestRecord, work: () => Promise<T>): Promise<T> =>
  requests.run(record, work);

/** The record of the request being handled, if any. */
export const currentRequest = (): RequestRecord | undefined => requests.getStore();

/** The id of the request being handled, if any. */
export const currentRequestId = (): string | undefined => requests.getStore()?.requestId;
