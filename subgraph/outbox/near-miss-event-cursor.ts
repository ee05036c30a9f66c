import { badUserInput } from '../common/errors';

export const maxEventPageSize = 200;

/** Where a reader is in the feed: after the event (transactionId, id). */
export interface FeedPosition {
  transactionId: string;
  id: string;
}

/** The start of the feed: before every event. */
export const feedStart: FeedPosition = { transactionId: '0', id: '0' };

export const encodeEventCursor = (event: FeedPosition) =>
  Buffer.from(JSON.stringify([event.transactionId, event.id])).toString('base64url');

export function decodeEventCursor(cursor: string): FeedPosition {
  try {
    const [transactionId, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (
      typeof transactionId === 'string' &&
      /^\d{1,20}$/.test(transactionId) &&
      BigInt(transactionId) < 2n ** 64n &&
      typeof id === 'string' &&
      /^\d{1,19}$/.test(id) &&
      BigInt(id) < 2n ** 63n
    ) {
      return { transactionId, id };
    }
  } catch {
    // fall through to the coded error
  }
  throw badUserInput([{ path: 'after', message: 'is not a cursor returned by nearMissEvents' }]);
}

/** A page request of the feed: its size checked, its cursor decoded. */
export function eventPageRequest(first: number, after?: string): { first: number; after: FeedPosition } {
  if (!Number.isInteger(first) || first < 0 || first > maxEventPageSize) {
    throw badUserInput([{ path: 'first', message: `must be between 0 and ${maxEventPageSize}` }]);
  }
  return { first, after: after ? decodeEventCursor(after) : feedStart };
}
