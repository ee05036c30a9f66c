import type { z } from 'zod';
import { gatesFor, triageFor } from '../sdk/testing';
import { safeguarding } from '.';

type Details = z.input<typeof safeguarding.details>;

// Seed: on a community outing a person is repeatedly approached by an unknown adult;
// the worker follows the safety script, moves to a safer place and alerts a supervisor.
const unknownAdult: Details = {
  cueObserved: 'APPROACHED_BY_UNKNOWN_PERSON',
  cueSeenBefore: true,
  safetyPlanInPlace: true,
  safetyPlanStepUsed: 'Followed the safety script, moved to a safer location and alerted the supervisor',
  riskContinues: true,
  safeguardingLeadInformed: true,
};
// Seed (transport): seating at a drop-off could have let the person go missing; no plan covered it.
const goingMissing: Details = {
  cueObserved: 'RISK_OF_GOING_MISSING',
  safetyPlanInPlace: false,
  safetyPlanStepUsed: 'Changed seating and confirmed the door locks before the drop-off',
  safeguardingLeadInformed: false,
};
// DOMAIN: restrictive practice is escalated the same day.
const restrictivePractice: Details = {
  cueObserved: 'RESTRICTIVE_PRACTICE',
  safetyPlanInPlace: true,
  safetyPlanStepUsed: 'Stopped a colleague locking the kitchen door and used the agreed distraction plan',
  safeguardingLeadInformed: true,
};

describe('safeguarding triage', () => {
  it.each([
    [
      'repeatedly approached by an unknown adult on an outing',
      unknownAdult,
      {},
      ['case manager', 'registered manager', 'safeguarding lead'],
    ],
    ['risk of going missing at a drop-off with no plan', goingMissing, {}, ['case manager', 'safeguarding lead']],
    [
      'a restrictive practice nearly used',
      restrictivePractice,
      {},
      ['commissioner', 'registered manager', 'safeguarding lead'],
    ],
    [
      'a low-harm first cue caught by a reliable control',
      { ...restrictivePractice, cueObserved: 'BOUNDARY_TESTING' },
      { potentialHarm: 'LOW', preventionReliability: 'SYSTEM_CONTROL' },
      ['safeguarding lead'],
    ],
  ] as const)('%s goes to safeguarding review the same day', (_case, details, core, notify) => {
    expect(triageFor(safeguarding, details, core)).toMatchObject({
      route: 'SAFEGUARDING_REVIEW',
      sameDay: true,
      notify: [...notify],
      failures: [],
    });
  });
});

describe('safeguarding gates', () => {
  const always = ['person-safe-confirmed', 'safeguarding-lead-reviewed', 'referral-decision-recorded'];
  it.each([
    [
      'repeated approach with the risk continuing',
      unknownAdult,
      [...always, 'safety-plan-reviewed', 'team-briefed-on-cue'],
    ],
    ['going missing with no plan', goingMissing, [...always, 'safety-plan-written']],
    ['restrictive practice, first time', restrictivePractice, [...always, 'safety-plan-reviewed']],
  ] as const)('%s', (_case, details, gates) => {
    expect(gatesFor(safeguarding, details)).toEqual(gates);
  });
});
