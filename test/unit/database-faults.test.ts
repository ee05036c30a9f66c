import { isDatabaseUnavailable } from '../../subgraph/database/database-faults';
import { startupRetryDelay } from '../../subgraph/database/open-with-retry';

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['a reset connection', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['a server shutting down (57P01)', Object.assign(new Error('terminating connection'), { code: '57P01' })],
    ['a server starting up (57P03)', Object.assign(new Error('the database system is starting up'), { code: '57P03' })],
    ['a connection exception (class 08)', Object.assign(new Error('connection failure'), { code: '08006' })],
    ['too many connections', Object.assign(new Error('sorry, too many clients already'), { code: '53300' })],
    ['a dropped connection', new Error('Connection terminated unexpectedly')],
    ['a connect past its timeout', new Error('timeout exceeded when trying to connect')],
    ['one wrapped by TypeORM', { name: 'QueryFailedError', driverError: { code: '57P01' } }],
    ['one wrapped as a cause', new Error('failed', { cause: { code: 'ECONNREFUSED' } })],
    [
      "a transaction's statement after its broken connection was released",
      Object.assign(new Error('Database connection provided by a query runner was already released'), {
        name: 'QueryRunnerProviderAlreadyReleasedError',
      }),
    ],
    ['a non-Error value graphql-js wrapped', { originalError: { thrownValue: { errno: -111, code: 'ECONNREFUSED' } } }],
  ])('is true for %s', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', Object.assign(new Error('duplicate key'), { code: '23505' })],
    [
      'a statement timeout',
      Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }),
    ],
    ['a deadlock', Object.assign(new Error('deadlock detected'), { code: '40P01' })],
    ['a wrong password', Object.assign(new Error('password authentication failed'), { code: '28P01' })],
    ['a programming error', new TypeError('x is not a function')],
    ['nothing', undefined],
  ])('is false for %s', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

describe('startupRetryDelay', () => {
  it('doubles from 250 ms and stops at the maximum', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 100].map((attempt) => startupRetryDelay(attempt, 10_000))).toEqual([
      250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000,
    ]);
  });
});
