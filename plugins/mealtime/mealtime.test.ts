import type { z } from 'zod';
import { asRegistered, gatesFor, triageFor } from '../sdk/testing';
import { parseDetails } from '../../subgraph/categories/details-conditions';
import { lessModifiedThanRequired, mealtime } from '.';

type Details = z.input<typeof mealtime.details>;

// Seed: a new staff member prepared the right food at the wrong texture; another
// staff member noticed before it was served.
const wrongTexture: Details = {
  issueType: 'WRONG_TEXTURE',
  dietaryRequirement: 'IDDSI level 5 minced and moist',
  requiredIddsiLevel: 5,
  preparedIddsiLevel: 7,
  preparedBy: 'NEW_STAFF',
  noticedBy: 'ANOTHER_STAFF_MEMBER',
  caughtAt: 'BEFORE_SERVING',
  correction: 'Meal re-prepared at level 5 and checked by the shift lead',
  supervisorReviewed: true,
};
// The same texture error, noticed only once the plate was in front of the person.
const wrongTextureServed: Details = { ...wrongTexture, caughtAt: 'SERVED_NOT_EATEN' };
// Seed (allergy record): a dessert with peanuts nearly served to a person with a peanut allergy.
const allergen: Details = {
  issueType: 'ALLERGEN',
  dietaryRequirement: 'No peanuts or tree nuts',
  allergenInvolved: true,
  allergen: 'peanuts',
  preparedBy: 'KITCHEN_OR_CATERING',
  noticedBy: 'ANOTHER_STAFF_MEMBER',
  caughtAt: 'BEFORE_SERVING',
  correction: 'Dessert replaced with a nut-free option',
  supervisorReviewed: true,
};
// Drinks run the other way: a thinner drink than prescribed is the risk.
const thinDrinkServed: Details = {
  ...wrongTexture,
  issueType: 'WRONG_DRINK_CONSISTENCY',
  dietaryRequirement: 'IDDSI level 2 mildly thick drinks',
  requiredIddsiLevel: 2,
  preparedIddsiLevel: 0,
  preparedBy: 'PERMANENT_STAFF',
  caughtAt: 'SERVED_NOT_EATEN',
  correction: 'Drink thickened to level 2 before the person drank',
};
// A thicker drink than prescribed: unpleasant, not dangerous.
const thickDrinkServed: Details = { ...thinDrinkServed, preparedIddsiLevel: 3 };

describe('mealtime triage', () => {
  it.each([
    ['wrong texture caught before serving', wrongTexture, {}, 'OPERATIONAL_FIX', false, []],
    ['less modified texture served but not eaten', wrongTextureServed, {}, 'OPERATIONAL_FIX', true, ['clinical lead']],
    ['allergen caught before serving', allergen, {}, 'OPERATIONAL_FIX', true, ['clinical lead']],
    ['thinner drink than prescribed served', thinDrinkServed, {}, 'OPERATIONAL_FIX', true, ['clinical lead']],
    ['thicker drink than prescribed served', thickDrinkServed, {}, 'OPERATIONAL_FIX', false, []],
    [
      'choking risk of severe potential harm (core rule)',
      wrongTexture,
      { potentialHarm: 'SEVERE' },
      'OPERATIONAL_FIX',
      true,
      ['registered manager'],
    ],
    [
      'mealtime support missing, noticed by the person',
      {
        ...wrongTexture,
        issueType: 'MEALTIME_SUPPORT_MISSING',
        requiredIddsiLevel: undefined,
        preparedIddsiLevel: undefined,
        noticedBy: 'PERSON_OR_FAMILY',
      },
      { potentialHarm: 'LOW' },
      'TREND_MONITORING',
      false,
      [],
    ],
  ] as const)('%s', (_case, details, core, route, sameDay, notify) => {
    expect(triageFor(mealtime, details, core)).toMatchObject({ route, sameDay, notify: [...notify], failures: [] });
  });

  it.each([
    ['a firmer food texture', true, 'WRONG_TEXTURE', 4, 6],
    ['a softer food texture', false, 'WRONG_TEXTURE', 6, 4],
    ['a thinner drink', true, 'WRONG_DRINK_CONSISTENCY', 2, 1],
    ['a thicker drink', false, 'WRONG_DRINK_CONSISTENCY', 1, 2],
    ['the prescribed level', false, 'WRONG_TEXTURE', 5, 5],
  ] as const)(
    'says whether %s is less modified than prescribed: %s',
    (_case, expected, issueType, requiredIddsiLevel, preparedIddsiLevel) => {
      expect(lessModifiedThanRequired({ issueType, requiredIddsiLevel, preparedIddsiLevel })).toBe(expected);
    },
  );
});

describe('mealtime gates', () => {
  const always = ['meal-corrected', 'dietary-guidance-confirmed', 'staff-on-duty-briefed', 'next-mealtime-safe'];
  it.each([
    ['wrong texture prepared by new staff', wrongTexture, [...always, 'mealtime-orientation-confirmed']],
    [
      'wrong texture served but not eaten',
      wrongTextureServed,
      [...always, 'clinical-follow-up-decided', 'mealtime-orientation-confirmed'],
    ],
    ['allergen from the kitchen', allergen, [...always, 'allergy-record-checked', 'clinical-follow-up-decided']],
    ['drink by permanent staff', thinDrinkServed, [...always, 'clinical-follow-up-decided']],
  ] as const)('%s', (_case, details, gates) => {
    expect(gatesFor(mealtime, details)).toEqual(gates);
  });
});

describe('mealtime details', () => {
  const problems = (details: unknown) => {
    return parseDetails(asRegistered(mealtime), details).problems.map((problem) => problem.path);
  };
  it.each([
    ['an IDDSI level above 7', { ...wrongTexture, preparedIddsiLevel: 8 }, ['preparedIddsiLevel']],
    ['a fractional IDDSI level', { ...wrongTexture, requiredIddsiLevel: 4.5 }, ['requiredIddsiLevel']],
    [
      'a texture near miss without levels',
      { ...wrongTexture, requiredIddsiLevel: undefined, preparedIddsiLevel: undefined },
      ['requiredIddsiLevel', 'preparedIddsiLevel'],
    ],
    ['an allergen near miss without the allergen', { ...allergen, allergen: undefined }, ['allergen']],
    [
      'an allergen near miss not flagged as one',
      { ...allergen, allergenInvolved: false, allergen: undefined },
      ['allergenInvolved'],
    ],
  ] as const)('refuses %s', (_case, details, paths) => {
    expect(problems(details)).toEqual(paths);
  });
});
