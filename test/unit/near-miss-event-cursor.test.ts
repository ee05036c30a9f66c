import { decodeEventCursor, encodeEventCursor } from '../../subgraph/outbox/near-miss-event-cursor';

describe('event feed cursors', () => {
  it('round-trip a feed position', () => {
    const position = { transactionId: '18446744073709551615', id: '9223372036854775807' };
    expect(decodeEventCursor(encodeEventCursor(position))).toEqual(position);
  });

  it.each([
    ['garbage', 'not-a-cursor'],
    [
      'a near-miss list cursor',
      Buffer.from(JSON.stringify(['2026-01-01T00:00:00.000Z', '3f1c2a4e-8b7d-4c55-9a1e-2f6b8d0c4e71'])).toString(
        'base64url',
      ),
    ],
    ['numbers instead of strings', Buffer.from(JSON.stringify([1, 2])).toString('base64url')],
    ['an id beyond bigint', Buffer.from(JSON.stringify(['1', '9223372036854775808'])).toString('base64url')],
    ['a transaction beyond xid8', Buffer.from(JSON.stringify(['18446744073709551616', '1'])).toString('base64url')],
    ['SQL', Buffer.from(JSON.stringify(["1'; DROP TABLE outbox_event; --", '1'])).toString('base64url')],
  ])('refuses %s as BAD_USER_INPUT on `after`', (_case, cursor) => {
    expect(() => decodeEventCursor(cursor)).toThrow(
      expect.objectContaining({
        extensions: expect.objectContaining({
          code: 'BAD_USER_INPUT',
          fields: [{ path: 'after', message: expect.any(String) }],
        }),
      }),
    );
  });
});
