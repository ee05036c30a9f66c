import type { z } from 'zod';
import { gatesFor, triageFor } from '../sdk/testing';
import { rota } from '.';

type Details = z.input<typeof rota.details>;

// Seed: a homecare visit almost missed through a rota allocation error; the coordinator
// spotted it before the visit time. The visit carries time-critical medicines.
const allocationError: Details = {
  visitTime: '07:30',
  issueType: 'ALLOCATION_ERROR',
  allocationChange: 'LAST_MINUTE_AMENDMENT',
  timeCriticalVisit: true,
  spottedBy: 'CARE_COORDINATOR',
  minutesBeforeVisit: 90,
};
// Seed: visits nearly late because the rota assumed travel time staff cannot achieve.
const travelTime: Details = {
  visitTime: '12:15',
  issueType: 'TRAVEL_TIME_UNREALISTIC',
  allocationChange: 'NO_CHANGE',
  timeCriticalVisit: false,
  spottedBy: 'CARE_WORKER',
  minutesBeforeVisit: 20,
};
// The person's daughter rang to ask why nobody was booked for the evening visit.
const noticedByFamily: Details = {
  ...allocationError,
  visitTime: '19:00',
  timeCriticalVisit: false,
  allocationChange: 'CHANGE_NOT_COMMUNICATED',
  spottedBy: 'PERSON_OR_FAMILY',
};

describe('rota triage', () => {
  it.each([
    [
      'time-critical visit nearly missed through an allocation error',
      allocationError,
      'OPERATIONAL_FIX',
      true,
      ['registered manager'],
    ],
    [
      'allocation error on a routine visit',
      { ...allocationError, timeCriticalVisit: false },
      'OPERATIONAL_FIX',
      false,
      [],
    ],
    ['visit nearly late through unrealistic travel time', travelTime, 'OPERATIONAL_FIX', false, []],
    ['gap noticed by the family', noticedByFamily, 'OPERATIONAL_FIX', false, ['case manager', 'family representative']],
    [
      'visit nearly late for another reason',
      { ...travelTime, issueType: 'VISIT_NEARLY_LATE' },
      'TREND_MONITORING',
      false,
      [],
    ],
  ] as const)('%s', (_case, details, route, sameDay, notify) => {
    expect(triageFor(rota, details)).toMatchObject({ route, sameDay, notify: [...notify], failures: [] });
  });
});

describe('rota gates', () => {
  const always = ['visit-covered', 'rota-change-history-reviewed', 'workflow-stage-identified'];
  it.each([
    ['time-critical allocation error', allocationError, [...always, 'high-priority-visits-checked']],
    ['unrealistic travel time on a routine visit', travelTime, always],
    [
      'gap noticed by the family',
      noticedByFamily,
      [...always, 'high-priority-visits-checked', 'person-told-what-changed'],
    ],
  ] as const)('%s', (_case, details, gates) => {
    expect(gatesFor(rota, details)).toEqual(gates);
  });
});
