import type { z } from 'zod';
import { gatesFor, triageFor } from '../sdk/testing';
import { escalation } from '.';

type Details = z.input<typeof escalation.details>;

// Seed: a case manager reviewing daily notes finds a recurring health complaint
// recorded but never escalated; no clinician has seen it yet.
const missedEscalation: Details = {
  escalationType: 'MISSED_ESCALATION',
  signsObserved: ['RECURRING_HEALTH_COMPLAINT'],
  visitsWithSigns: 4,
  thresholdPromptShown: false,
  detectedBy: 'LATE_RECORD_REVIEW',
  currentStatusConfirmed: true,
};
// Seed: increased confusion and reduced intake over two visits; the threshold prompt
// flagged it, the supervisor called the clinical lead within hours and agreed monitoring.
const gradualDeterioration: Details = {
  escalationType: 'GRADUAL_DETERIORATION',
  signsObserved: ['CONFUSION', 'REDUCED_FOOD_OR_FLUID_INTAKE'],
  visitsWithSigns: 2,
  thresholdPromptShown: true,
  detectedBy: 'THRESHOLD_PROMPT',
  hoursToClinicalConsult: 3,
  currentStatusConfirmed: true,
  monitoringPlanAgreed: true,
};
// A consult that came two days after the first sign, found by the family.
const lateConsult: Details = {
  escalationType: 'LATE_ESCALATION',
  signsObserved: ['BREATHING_CHANGE'],
  visitsWithSigns: 1,
  thresholdPromptShown: false,
  detectedBy: 'PERSON_OR_FAMILY',
  hoursToClinicalConsult: 48,
  currentStatusConfirmed: true,
  monitoringPlanAgreed: true,
};

describe('escalation triage', () => {
  it.each([
    [
      'recurring complaint recorded but not escalated',
      missedEscalation,
      'OPERATIONAL_FIX',
      true,
      ['case manager', 'clinical lead', 'on-call nurse'],
    ],
    [
      'gradual deterioration caught by the threshold prompt and consulted within hours',
      gradualDeterioration,
      'TREND_MONITORING',
      false,
      [],
    ],
    [
      'gradual deterioration without a monitoring plan',
      { ...gradualDeterioration, monitoringPlanAgreed: false },
      'TREND_MONITORING',
      true,
      ['clinical lead'],
    ],
    [
      'consult two days after the first sign, found by the family',
      lateConsult,
      'OPERATIONAL_FIX',
      false,
      ['clinical lead'],
    ],
    [
      'nobody has checked how the person is now',
      { ...gradualDeterioration, currentStatusConfirmed: false },
      'TREND_MONITORING',
      true,
      ['on-call nurse'],
    ],
  ] as const)('%s', (_case, details, route, sameDay, notify) => {
    expect(triageFor(escalation, details)).toMatchObject({ route, sameDay, notify: [...notify], failures: [] });
  });
});

describe('escalation gates', () => {
  const always = ['current-status-confirmed', 'clinical-consult-documented'];
  it.each([
    [
      'recurring complaint not escalated',
      missedEscalation,
      [...always, 'monitoring-plan-recorded', 'escalation-barrier-identified', 'supervisor-review-cadence-set'],
    ],
    ['gradual deterioration caught by the prompt', gradualDeterioration, [...always, 'monitoring-plan-recorded']],
    ['late consult on a single visit', lateConsult, [...always, 'escalation-barrier-identified']],
  ] as const)('%s', (_case, details, gates) => {
    expect(gatesFor(escalation, details)).toEqual(gates);
  });
});
