import type { z } from 'zod';
import { gatesFor, triageFor } from '../sdk/testing';
import { environment } from '.';

type Details = z.input<typeof environment.details>;

// Seed: moving and handling equipment stored in a corridor, moved before it caused an
// obstruction or trip; space constraints contributed.
const corridorHoist: Details = {
  location: 'First-floor corridor outside room 12',
  hazard: 'EQUIPMENT_STORAGE',
  equipment: 'Mobile hoist',
  madeSafeBy: 'REPORTER',
  storageConstraint: true,
};
// The same clutter, moved at once, with storage available: a one-off to watch.
const oneOffClutter: Details = {
  ...corridorHoist,
  hazard: 'OBSTRUCTION',
  equipment: 'Laundry trolley',
  storageConstraint: false,
};
// Wheelchairs parked across the fire exit, not yet moved when reported.
const blockedExit: Details = {
  location: 'Ground-floor fire exit by the lounge',
  hazard: 'BLOCKED_FIRE_EXIT',
  equipment: 'Two wheelchairs',
  madeSafeBy: 'NOT_YET_MADE_SAFE',
  storageConstraint: true,
};
// A hoist sling with a frayed strap found before use.
const faultySling: Details = {
  location: 'Room 4',
  hazard: 'FAULTY_EQUIPMENT',
  equipment: 'Hoist sling',
  madeSafeBy: 'OTHER_STAFF',
  storageConstraint: false,
};

describe('environment triage', () => {
  it.each([
    ['hoist stored in a corridor for want of storage', corridorHoist, 'OPERATIONAL_FIX', false, []],
    ['one-off clutter moved at once', oneOffClutter, 'TREND_MONITORING', false, []],
    ['fire exit blocked and not yet cleared', blockedExit, 'OPERATIONAL_FIX', true, ['registered manager']],
    ['faulty sling found before use', faultySling, 'OPERATIONAL_FIX', true, ['registered manager']],
  ] as const)('%s', (_case, details, route, sameDay, notify) => {
    expect(triageFor(environment, details)).toMatchObject({ route, sameDay, notify: [...notify], failures: [] });
  });
});

describe('environment gates', () => {
  const always = ['hazard-removed', 'risk-assessment-updated', 'staff-briefed'];
  it.each([
    ['hoist stored in a corridor', corridorHoist, [...always, 'storage-arrangements-reviewed']],
    ['one-off clutter', oneOffClutter, always],
    ['blocked fire exit', blockedExit, [...always, 'storage-arrangements-reviewed', 'escape-routes-checked']],
    ['faulty sling', faultySling, [...always, 'equipment-out-of-use']],
  ] as const)('%s', (_case, details, gates) => {
    expect(gatesFor(environment, details)).toEqual(gates);
  });
});
