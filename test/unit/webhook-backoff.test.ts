import fc from 'fast-check';
import { backoffDelay } from '../../subgraph/outbox/webhook-backoff';

const policy = { baseMs: 1000, maxMs: 60_000 };

describe('backoffDelay', () => {
  it('doubles from the base after each failed attempt, up to the cap', () => {
    const ceilings = [1, 2, 3, 4, 5, 6, 7, 8, 50].map((attempt) => backoffDelay(attempt, policy, () => 1));
    expect(ceilings).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });

  it('waits between half and all of the ceiling (jitter)', () => {
    expect(backoffDelay(3, policy, () => 0)).toBe(2000);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(3000);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.double({ min: 0, max: 1, noNaN: true }), (attempt, random) => {
        const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt - 1, 30));
        const delay = backoffDelay(attempt, policy, () => random);
        return delay >= Math.floor(ceiling / 2) && delay <= ceiling;
      }),
    );
  });

  it('never grows with fewer failures', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        (attempt) => backoffDelay(attempt, policy, () => 1) <= backoffDelay(attempt + 1, policy, () => 1),
      ),
    );
  });
});
