import Ajv2020 from 'ajv/dist/2020';
import { z } from 'zod';
import { defineCategory, type CategoryDefinition } from '../../plugins/sdk';
import { conditionProblems, parseDetails, withConditions } from '../../subgraph/categories/details-conditions';

// A small category: a hand-hygiene lapse needs the moment, a PPE lapse defaults to gloves
// and then needs the item; a sharps finding given as a count needs the location.
const details = z.object({
  control: z.enum(['HAND_HYGIENE', 'PPE', 'SHARPS']).meta({ title: 'Control' }),
  moment: z.enum(['BEFORE_CONTACT', 'AFTER_CONTACT']).optional().meta({ title: 'Moment' }),
  ppeItem: z.enum(['GLOVES', 'APRON']).default('GLOVES').meta({ title: 'PPE item' }),
  ppeNote: z.string().optional().meta({ title: 'PPE note' }),
  sharpsCount: z.number().int().min(1).optional().meta({ title: 'Sharps found' }),
  sharpsLocation: z.string().optional().meta({ title: 'Where' }),
  note: z.string().optional().meta({ title: 'Note' }),
});
const category = defineCategory({
  key: 'infection-prevention',
  label: 'Infection prevention',
  description: 'x',
  version: 1,
  details,
  conditions: [
    { when: { control: 'HAND_HYGIENE' }, require: ['moment'], message: 'is required for a hand hygiene lapse' },
    { when: { ppeItem: 'GLOVES', control: 'PPE' }, require: ['ppeNote'], message: 'say what happened to the gloves' },
  ],
  dependentRequired: { sharpsCount: ['sharpsLocation'] },
  example: { control: 'SHARPS' },
  triage: [],
  gates: [],
  verification: [],
  similarity: [],
  standards: { fhirAdverseEventCategory: 'procedure-mishap' },
}) as unknown as CategoryDefinition;
const base = z.toJSONSchema(details, { io: 'input' }) as Record<string, unknown>;
const schema = withConditions(category, base);
const schemaAccepts = new Ajv2020({ strict: true, strictRequired: false }).compile(schema);

describe('conditions in the published schema', () => {
  it('turns each condition into if/then and publishes dependentRequired as it is', () => {
    expect(schema.allOf).toEqual([
      {
        description: 'is required for a hand hygiene lapse',
        if: { properties: { control: { const: 'HAND_HYGIENE' } }, required: ['control'] },
        then: { required: ['moment'] },
      },
      {
        description: 'say what happened to the gloves',
        // ppeItem defaults to GLOVES: left out, the server reads GLOVES, so the if must match without it.
        if: { properties: { ppeItem: { const: 'GLOVES' }, control: { const: 'PPE' } }, required: ['control'] },
        then: { required: ['ppeNote'] },
      },
    ]);
    expect(schema.dependentRequired).toEqual({ sharpsCount: ['sharpsLocation'] });
  });

  it.each([
    ['a hand hygiene lapse without the moment', { control: 'HAND_HYGIENE' }, ['moment']],
    ['a PPE lapse with the default item and no note', { control: 'PPE' }, ['ppeNote']],
    ['a sharps count without a location', { control: 'SHARPS', sharpsCount: 2 }, ['sharpsLocation']],
  ])('the schema and the server both refuse %s, the server naming the field', (_case, value, paths) => {
    expect(schemaAccepts(value)).toBe(false);
    expect(parseDetails(category, value).problems.map((problem) => problem.path)).toEqual(paths);
  });

  it.each([
    ['a hand hygiene lapse with the moment', { control: 'HAND_HYGIENE', moment: 'AFTER_CONTACT' }],
    ['a PPE lapse with an apron', { control: 'PPE', ppeItem: 'APRON' }],
    ['a sharps count with its location', { control: 'SHARPS', sharpsCount: 2, sharpsLocation: 'bathroom' }],
  ])('the schema and the server both accept %s', (_case, value) => {
    expect(schemaAccepts(value)).toBe(true);
    expect(parseDetails(category, value)).toMatchObject({ success: true });
  });

  it('prefixes problem paths for a report', () => {
    expect(parseDetails(category, { control: 'HAND_HYGIENE' }, ['details']).problems).toEqual([
      { path: 'details.moment', message: 'is required for a hand hygiene lapse' },
    ]);
  });
});

describe('conditions a schema could not keep in agreement are refused at boot', () => {
  const withRules = (extra: Partial<CategoryDefinition>) => ({ ...category, ...extra }) as CategoryDefinition;
  it.each([
    [
      'requiring a field that has a default',
      { conditions: [{ when: { control: 'PPE' }, require: ['ppeItem'], message: 'm' }] },
      'condition 1 requires ppeItem, which has a default',
    ],
    [
      'testing free text',
      { conditions: [{ when: { note: 'x' }, require: ['moment'], message: 'm' }] },
      'condition 1 tests note: only enums, booleans and numbers can be tested',
    ],
    [
      'a condition without a requirement',
      { conditions: [{ when: { control: 'PPE' }, message: 'm' }] },
      'condition 1 must require or equal something',
    ],
    [
      'dependentRequired on a field with a default',
      { dependentRequired: { ppeItem: ['ppeNote'] } },
      'dependentRequired.ppeItem: ppeItem has a default, so it is always given',
    ],
  ])('%s', (_case, extra, problem) => {
    expect(conditionProblems(withRules(extra as Partial<CategoryDefinition>), base)).toContain(problem);
  });

  it('accepts the sound ones', () => {
    expect(conditionProblems(category, base)).toEqual([]);
  });
});
