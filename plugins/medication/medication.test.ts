import type { z } from 'zod';
import { asRegistered, gatesFor, reportFacts, triageFor } from '../sdk/testing';
import { medication } from '.';

type Details = z.input<typeof medication.details>;

// Seed: "MAR signed for the wrong time" in a residential service, caught before a second dose.
const marWrongTime: Details = {
  medicationName: 'Sertraline 50mg',
  scheduledTime: '18:00',
  discrepancyType: 'MAR_WRONG_TIME',
  clinicalAdviceSought: true,
  supervisorNotified: true,
  errorReached: 'ERROR_CAUGHT_BEFORE_PERSON',
};
// Seed: blister pack label does not match the MAR during a home visit; dose held, on-call supervisor called.
const labelMismatch: Details = { ...marWrongTime, medicationName: 'Amlodipine 5mg', discrepancyType: 'LABEL_MISMATCH' };
// Seed: a time-critical medicine almost administered late, corrected before harm.
const timeCriticalLate: Details = {
  ...marWrongTime,
  medicationName: 'Levodopa 100mg',
  scheduledTime: '08:00',
  discrepancyType: 'TIME_CRITICAL_TIMING',
  timeCritical: true,
};
// A supply problem found at stock check: nothing was about to be given.
const lowStock: Details = {
  ...marWrongTime,
  medicationName: 'Paracetamol 500mg',
  discrepancyType: 'STOCK_OR_SUPPLY',
  clinicalAdviceSought: false,
  errorReached: 'CAPACITY_TO_CAUSE_ERROR',
};

describe('medication triage', () => {
  it.each([
    [
      'MAR signed for the wrong time',
      marWrongTime,
      {},
      'MEDICATION_SAFETY_REVIEW',
      true,
      ['medication lead', 'on-call nurse', 'pharmacist'],
    ],
    [
      'blister label does not match the MAR',
      labelMismatch,
      {},
      'MEDICATION_SAFETY_REVIEW',
      true,
      ['medication lead', 'pharmacist'],
    ],
    [
      'time-critical dose nearly late',
      timeCriticalLate,
      {},
      'MEDICATION_SAFETY_REVIEW',
      true,
      ['medication lead', 'on-call nurse'],
    ],
    [
      'any dose flagged time-critical',
      { ...lowStock, timeCritical: true, clinicalAdviceSought: true },
      {},
      'MEDICATION_SAFETY_REVIEW',
      true,
      ['medication lead', 'on-call nurse'],
    ],
    [
      'low stock, low harm, no advice needed',
      lowStock,
      { potentialHarm: 'LOW' },
      'MEDICATION_SAFETY_REVIEW',
      false,
      [],
    ],
    [
      'low stock of moderate harm without clinical advice',
      lowStock,
      { potentialHarm: 'MODERATE' },
      'MEDICATION_SAFETY_REVIEW',
      false,
      ['on-call nurse'],
    ],
    [
      'severe potential harm (core rule)',
      lowStock,
      { potentialHarm: 'SEVERE' },
      'MEDICATION_SAFETY_REVIEW',
      true,
      ['on-call nurse', 'registered manager'],
    ],
  ] as const)('%s', (_case, details, core, route, sameDay, notify) => {
    expect(triageFor(medication, details, core)).toMatchObject({ route, sameDay, notify: [...notify], failures: [] });
  });
});

describe('medication gates', () => {
  it.each([
    [
      'MAR signed for the wrong time',
      marWrongTime,
      ['record-reconciled', 'dose-schedule-confirmed', 'staff-briefed', 'supervisor-signed-record'],
    ],
    [
      'blister label does not match the MAR',
      labelMismatch,
      ['dose-schedule-confirmed', 'staff-briefed', 'pharmacy-confirmed-label'],
    ],
    ['time-critical dose nearly late', timeCriticalLate, ['dose-schedule-confirmed', 'staff-briefed']],
    [
      'duplicate dose risk',
      { ...marWrongTime, discrepancyType: 'DUPLICATE_DOSE_RISK' },
      ['record-reconciled', 'dose-schedule-confirmed', 'staff-briefed'],
    ],
  ] as const)('%s', (_case, details, gates) => {
    expect(gatesFor(medication, details)).toEqual(gates);
  });
});

describe('medication standards', () => {
  it.each([
    ['an error caught before it reached the person', 'B', marWrongTime],
    ['circumstances with the capacity to cause an error', 'A', lowStock],
  ] as const)('maps %s to NCC MERP %s', (_case, category, details) => {
    expect(asRegistered(medication).standards.nccMerp?.(reportFacts(medication, details))).toBe(category);
  });
});

describe('medication details', () => {
  it('accepts a MAR date-time as the scheduled time and records NCC MERP B unless told otherwise', () => {
    const parsed = medication.details.parse({
      medicationName: 'Insulin glargine',
      scheduledTime: '2026-11-23T08:00:00Z',
      discrepancyType: 'TIME_CRITICAL_TIMING',
      clinicalAdviceSought: true,
      supervisorNotified: true,
    });
    expect(parsed.errorReached).toBe('ERROR_CAUGHT_BEFORE_PERSON');
    expect(medication.details.safeParse({ ...parsed, scheduledTime: 'breakfast' }).success).toBe(false);
  });
});
