import type { z } from 'zod';
import { gatesFor, triageFor } from '../sdk/testing';
import { transport } from '.';

type Details = z.input<typeof transport.details>;

// Seed: the pickup changed but the visit schedule did not; the worker arrived just in
// time only because a colleague informally called ahead. The change went to one phone.
const pickupChanged: Details = {
  appointmentTime: '09:30',
  journey: 'Home to Riverside day centre',
  changeType: 'PICKUP_TIME_CHANGED',
  visitRescheduled: false,
  staffingAllocation: 'COVERED_INFORMALLY',
  communicationSource: 'STAFF_PERSONAL_PHONE',
  personImpact: 'NEARLY_UNSUPPORTED',
  caseManagerNotified: false,
};
// Seed: seating at a busy drop-off raised an elopement risk; staff changed seating and the route plan.
const seatingElopementRisk: Details = {
  appointmentTime: '11:00',
  journey: 'Home to outpatients clinic',
  changeType: 'SEATING_OR_VEHICLE_SETUP',
  visitRescheduled: true,
  staffingAllocation: 'ALLOCATED_AS_PLANNED',
  communicationSource: 'SCHEDULING_OFFICE',
  personImpact: 'NO_IMPACT',
  elopementRisk: true,
  caseManagerNotified: false,
};
// Seed: the authorised time may not allow safe preparation; the case manager was told.
const authorisedTimeShort: Details = {
  ...pickupChanged,
  visitRescheduled: true,
  staffingAllocation: 'ALLOCATED_AS_PLANNED',
  communicationSource: 'SCHEDULING_OFFICE',
  personImpact: 'DELAY_OR_DISTRESS',
  authorisedTimeConcern: true,
  caseManagerNotified: true,
};
// A change handled through the office and absorbed without impact: watch for trends.
const handledThroughOffice: Details = {
  ...authorisedTimeShort,
  personImpact: 'NO_IMPACT',
  authorisedTimeConcern: false,
  caseManagerNotified: false,
};

describe('transport triage', () => {
  it.each([
    [
      'pickup changed, visit not rescheduled, change sent to a personal phone',
      pickupChanged,
      {},
      'OPERATIONAL_FIX',
      true,
      ['case manager'],
    ],
    ['seating raised an elopement risk', seatingElopementRisk, {}, 'SAFEGUARDING_REVIEW', true, ['safeguarding lead']],
    [
      'authorised support time may be too short',
      authorisedTimeShort,
      {},
      'OPERATIONAL_FIX',
      false,
      ['case manager', 'commissioner'],
    ],
    [
      'nobody allocated although the visit was moved',
      { ...handledThroughOffice, staffingAllocation: 'NOT_ALLOCATED' },
      {},
      'OPERATIONAL_FIX',
      true,
      [],
    ],
    ['change handled through the office without impact', handledThroughOffice, {}, 'TREND_MONITORING', false, []],
    [
      'only chance prevented a moderate harm (core rule)',
      handledThroughOffice,
      { preventionReliability: 'CHANCE' },
      'OPERATIONAL_FIX',
      false,
      [],
    ],
  ] as const)('%s', (_case, details, core, route, sameDay, notify) => {
    expect(triageFor(transport, details, core)).toMatchObject({ route, sameDay, notify: [...notify], failures: [] });
  });
});

describe('transport gates', () => {
  const always = [
    'revised-schedule-confirmed',
    'person-or-representative-told',
    'next-visit-staffed',
    'authorised-time-reviewed',
  ];
  it.each([
    [
      'pickup changed, visit not rescheduled',
      pickupChanged,
      [...always, 'route-checked-for-others', 'case-manager-informed'],
    ],
    ['seating raised an elopement risk', seatingElopementRisk, [...always, 'risk-plan-updated']],
    [
      'authorised time too short, case manager already told',
      authorisedTimeShort,
      [...always, 'route-checked-for-others'],
    ],
    ['change handled through the office', handledThroughOffice, [...always, 'route-checked-for-others']],
  ] as const)('%s', (_case, details, gates) => {
    expect(gatesFor(transport, details)).toEqual(gates);
  });
});
