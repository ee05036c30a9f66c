import { strongerControlReasons, weakOnlyClosureBlocker } from '../../subgraph/corrective-actions/closure-conditions';

const weaker = { status: 'DONE' as const, effective: true, strength: 'WEAKER' as const };
const stronger = { status: 'DONE' as const, effective: null, strength: 'STRONGER' as const };

describe('closing on weaker actions alone', () => {
  it.each([
    [
      'severe potential harm',
      { potentialHarm: 'SEVERE' as const, inRiskReview: false, actions: [weaker] },
      'its potential harm is severe',
    ],
    [
      'a repeat risk review',
      { potentialHarm: 'LOW' as const, inRiskReview: true, actions: [weaker] },
      'repeat pattern',
    ],
    [
      'an action found not effective',
      { potentialHarm: 'LOW' as const, inRiskReview: false, actions: [weaker, { ...weaker, effective: false }] },
      'not effective',
    ],
  ])('is refused for %s', (_case, facts, words) => {
    expect(weakOnlyClosureBlocker(facts)).toContain(words);
  });

  it.each([
    ['moderate harm, no pattern', { potentialHarm: 'MODERATE' as const, inRiskReview: false, actions: [weaker] }],
    [
      'a stronger action among them',
      { potentialHarm: 'CATASTROPHIC' as const, inRiskReview: true, actions: [weaker, stronger] },
    ],
    [
      'no done action (a recorded no-action reason)',
      { potentialHarm: 'SEVERE' as const, inRiskReview: false, actions: [] },
    ],
  ])('is allowed with %s', (_case, facts) => {
    expect(weakOnlyClosureBlocker(facts)).toBeNull();
  });

  it('names every reason a stronger control is needed', () => {
    expect(
      strongerControlReasons({
        potentialHarm: 'CATASTROPHIC',
        inRiskReview: true,
        actions: [{ ...weaker, effective: false }],
      }),
    ).toHaveLength(3);
  });
});
