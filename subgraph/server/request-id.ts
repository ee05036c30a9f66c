import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

const requestIds = new AsyncLocalStorage<string>();

/** The caller's `x-request-id` when it is a sane token, otherwise a fresh one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && /^[\w.:-]{1,100}$/.test(value) ? value : randomUUID();
}

/** Runs the handling of one HTTP request with its id visible to error formatting and logs. */
export const withRequestId = <T>(requestId: string, work: () => Promise<T>): Promise<T> =>
  requestIds.run(requestId, work);

/** The id of the request being handled, if any. */
export const currentRequestId = (): string | undefined => requestIds.getStore();
