import { runWithTimeout, ruleTimeoutMs } from '../../subgraph/triage/triage-suggestion';

describe('runWithTimeout', () => {
  it('returns what the work returns', () => {
    expect(runWithTimeout(() => ({ fired: ['a'] }), ruleTimeoutMs)).toEqual({ fired: ['a'] });
  });

  it('interrupts an endless loop, and the next run still works', () => {
    expect(() =>
      runWithTimeout(() => {
        for (;;) {
          // spin
        }
      }, 20),
    ).toThrow(/timed out/);
    expect(runWithTimeout(() => 42, ruleTimeoutMs)).toBe(42);
  });

  it('passes a thrown error through and frees the context for the next run', () => {
    expect(() =>
      runWithTimeout(() => {
        throw new Error('rule broke');
      }, ruleTimeoutMs),
    ).toThrow('rule broke');
    expect(runWithTimeout(() => 'ok', ruleTimeoutMs)).toBe('ok');
  });

  it('runs work nested inside other work', () => {
    expect(runWithTimeout(() => runWithTimeout(() => 2, ruleTimeoutMs) + 1, ruleTimeoutMs)).toBe(3);
  });

  it('gives thousands of quick rule runs no false timeouts', () => {
    let timeouts = 0;
    for (let run = 0; run < 5_000; run++) {
      try {
        runWithTimeout(() => run % 7 === 0, ruleTimeoutMs);
      } catch {
        timeouts++;
      }
    }
    expect(timeouts).toBe(0);
  });
});
