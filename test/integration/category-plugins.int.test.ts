import { PluginValidationError } from '../../subgraph/categories/category-registry';
import { loadCategoryRegistry } from '../../subgraph/categories/plugin-loader';
import { installFallsExample, outsideFolder, writePlugin } from '../support/plugin-fixtures';
import { medicationReport, newKey, reportMutation } from '../support/reports';
import { startTestApp, uniqueTenant, type Caller, type TestApp } from '../support/test-app';

const folder = outsideFolder('plugins');
afterAll(() => folder.remove());

const caller = (tenant: string): Caller => ({ tenant, sub: 'staff-7', roles: ['REPORTER'], services: ['north'] });
const manager = (tenant: string): Caller => ({ tenant, sub: 'staff-manager', roles: ['MANAGER'], services: ['*'] });

const nearMissQuery = /* GraphQL */ `
  query NearMiss($id: ID!) {
    nearMiss(id: $id) {
      id
      categoryVersion
      details
      suggestedRoute
      sameDay
      suggestedNotify
      category {
        key
        version
      }
      timeline {
        action
        detail
      }
    }
  }
`;

// Seed-style falls near miss: a walking frame left out of reach, the person stumbled on standing.
const fallsReport = (details: Record<string, unknown> = {}) =>
  medicationReport({
    category: 'falls',
    workflowStage: 'ENVIRONMENT',
    whatHappened:
      'Mrs A stood up from her chair and stumbled; her walking frame had been moved to the window during cleaning.',
    howDetected: 'The carer was in the room and steadied her.',
    whatPreventedHarm: 'The carer was close enough to steady her.',
    immediateActions: ['Returned the walking frame to her side', 'Checked her for injury'],
    contributingFactors: ['walking aid moved during cleaning'],
    details: {
      activity: 'STANDING_UP',
      nearlyCausedBy: 'WALKING_AID_OUT_OF_REACH',
      personLostBalance: true,
      takesAnticoagulants: true,
      fallsRiskAssessmentCurrent: true,
      ...details,
    },
  });

describe('a plugin in a folder outside the repository, named in NEAR_MISS_PLUGINS', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ plugins: [installFallsExample(folder.path)] });
  });
  afterAll(async () => t?.stop());

  it('is listed by categories with a JSON Schema that labels every field', async () => {
    const result = await t.graphql(
      '{ categories { key label version fieldsSchema enabled } }',
      {},
      caller(uniqueTenant()),
    );
    expect(result.errors).toBeUndefined();
    const falls = result.data!.categories.find((category: { key: string }) => category.key === 'falls');
    expect(falls).toMatchObject({
      label: 'Falls',
      version: 1,
      enabled: true,
      fieldsSchema: { type: 'object', title: 'Falls' },
    });
    expect(falls.fieldsSchema.properties.nearlyCausedBy).toMatchObject({
      title: 'What nearly caused the fall',
      enum: expect.arrayContaining(['WALKING_AID_OUT_OF_REACH']),
    });
  });

  it('accepts a falls report with its own triage and gates, and no change to the core', async () => {
    const tenant = uniqueTenant();
    const result = await t.graphql(reportMutation, { input: fallsReport(), key: newKey() }, caller(tenant));
    expect(result.errors).toBeUndefined();
    expect(result.data!.reportNearMiss).toMatchObject({
      sameDay: true,
      suggestedRoute: 'TREND_MONITORING',
      nearMiss: { category: { key: 'falls' } },
    });
    const read = await t.graphql(nearMissQuery, { id: result.data!.reportNearMiss.nearMiss.id }, manager(tenant));
    expect(read.data!.nearMiss).toMatchObject({
      categoryVersion: 1,
      suggestedNotify: ['on-call nurse'],
      details: { takesAnticoagulants: true },
    });
    const gates = await t.graphql(
      'query Gates($id: ID!) { nearMiss(id: $id) { gates { key done } } }',
      { id: result.data!.reportNearMiss.nearMiss.id },
      manager(tenant),
    );
    expect(gates.data!.nearMiss.gates).toEqual([
      { key: 'environment-made-safe', done: false },
      { key: 'staff-briefed', done: false },
      { key: 'falls-risk-assessment-reviewed', done: false },
    ]);
  });

  it('refuses empty falls details with an error per field', async () => {
    const result = await t.graphql(
      reportMutation,
      { input: { ...fallsReport(), details: {} }, key: newKey() },
      caller(uniqueTenant()),
    );
    expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors![0].extensions!.fields.map((field: { path: string }) => field.path).sort()).toEqual([
      'details.activity',
      'details.fallsRiskAssessmentCurrent',
      'details.nearlyCausedBy',
      'details.personLostBalance',
    ]);
  });
});

describe('conditional requirements a form can see', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.stop());

  // Seed: the wrong texture prepared for a person on a modified diet.
  const mealtimeReport = (details: Record<string, unknown>) =>
    medicationReport({
      category: 'mealtime',
      workflowStage: 'MEAL_PREPARATION',
      details: {
        issueType: 'WRONG_TEXTURE',
        dietaryRequirement: 'IDDSI level 5 minced and moist',
        preparedBy: 'NEW_STAFF',
        noticedBy: 'ANOTHER_STAFF_MEMBER',
        caughtAt: 'BEFORE_SERVING',
        correction: 'Meal re-prepared at level 5',
        supervisorReviewed: true,
        ...details,
      },
    });

  it('publishes mealtime texture and allergen requirements as if/then', async () => {
    const result = await t.graphql<{ categories: { key: string; fieldsSchema: Record<string, unknown> }[] }>(
      '{ categories { key fieldsSchema } }',
      {},
      caller(uniqueTenant()),
    );
    const mealtime = result.data!.categories.find((category) => category.key === 'mealtime')!;
    expect(mealtime.fieldsSchema.allOf).toEqual([
      {
        description: 'is required for a texture or drink consistency near miss',
        if: {
          properties: { issueType: { enum: ['WRONG_TEXTURE', 'WRONG_DRINK_CONSISTENCY'] } },
          required: ['issueType'],
        },
        then: { required: ['requiredIddsiLevel', 'preparedIddsiLevel'] },
      },
      {
        description: 'must be true for an allergen near miss',
        if: { properties: { issueType: { const: 'ALLERGEN' } }, required: ['issueType'] },
        then: { properties: { allergenInvolved: { const: true } }, required: ['allergenInvolved'] },
      },
      {
        description: 'name the allergen',
        if: { properties: { allergenInvolved: { const: true } }, required: ['allergenInvolved'] },
        then: { required: ['allergen'] },
      },
    ]);
    expect((mealtime.fieldsSchema.properties as Record<string, unknown>).dietaryRequirement).toMatchObject({
      maxLength: 300,
      pattern: '\\S',
    });
  });

  it('refuses a texture near miss without its IDDSI levels, naming both fields', async () => {
    const result = await t.graphql(
      reportMutation,
      { input: mealtimeReport({}), key: newKey() },
      caller(uniqueTenant()),
    );
    expect(result.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [
        { path: 'details.requiredIddsiLevel', message: 'is required for a texture or drink consistency near miss' },
        { path: 'details.preparedIddsiLevel', message: 'is required for a texture or drink consistency near miss' },
      ],
    });
  });

  it('accepts it with both levels, and an allergen near miss that names the allergen', async () => {
    const tenant = uniqueTenant();
    const texture = await t.graphql(
      reportMutation,
      { input: mealtimeReport({ requiredIddsiLevel: 5, preparedIddsiLevel: 7 }), key: newKey() },
      caller(tenant),
    );
    expect(texture.errors).toBeUndefined();
    const allergen = await t.graphql(
      reportMutation,
      {
        input: mealtimeReport({ issueType: 'ALLERGEN', allergenInvolved: true, allergen: 'peanuts' }),
        key: newKey(),
      },
      caller(tenant),
    );
    expect(allergen.errors).toBeUndefined();
  });
});

describe('a broken plugin stops the start with one message naming it', () => {
  const broken: [string, string, RegExp][] = [
    ['a bad key', `{ key: 'Infection_Prevention' }`, /key "Infection_Prevention" must be kebab-case/],
    ['a duplicate key', `{ key: 'medication' }`, /key medication is already registered by built-in/],
    [
      'details that are not a zod object',
      `{ details: { type: 'object', properties: { control: { type: 'string' } } } }`,
      /details must be a zod object schema/,
    ],
    ['a zod schema that is not an object', `{ details: z.string() }`, /details must be a zod object schema/],
    [
      'a rule that throws on the sample report',
      `{ triage: [{ id: 'reads-missing-field', description: 'x', when: (report) => report.details.ward.name === 'A' }] }`,
      /rule infection-prevention:reads-missing-field failed on a sample report/,
    ],
    [
      'an illegal route',
      `{ triage: [{ id: 'to-nowhere', description: 'x', when: () => true, route: 'ESCALATE_TO_BOARD' }] }`,
      /suggests ESCALATE_TO_BOARD, which is not a triage route/,
    ],
    [
      'an unknown role in restrictedTo',
      `{ restrictedTo: ['SAFEGUARDING_LEAD', 'CARETAKER'] }`,
      /restrictedTo role "CARETAKER" is not a role/,
    ],
    ['an empty restrictedTo', `{ restrictedTo: [] }`, /restrictedTo must be a non-empty array of roles/],
    [
      'an example that does not match its details',
      `{ example: { control: 'MASKS' } }`,
      /example does not match details: control/,
    ],
    [
      'a condition on a free-text field',
      `{ conditions: [{ when: { note: 'x' }, require: ['control'], message: 'needed' }] }`,
      /condition 1 tests note: only enums, booleans and numbers can be tested/,
    ],
    [
      'a condition naming a field it does not have',
      `{ conditions: [{ when: { control: 'PPE' }, require: ['ward'], message: 'name the ward' }] }`,
      /condition 1 names ward, which is not one of details/,
    ],
    [
      'a condition on a value the field cannot take',
      `{ conditions: [{ when: { control: 'MASKS' }, require: ['note'], message: 'say more' }] }`,
      /condition 1: MASKS is not a value of control/,
    ],
  ];

  it.each(broken)('%s', (name, overrides, problem) => {
    const path = writePlugin(folder.path, `broken-${name.replace(/\W+/g, '-')}`, overrides);
    let thrown: unknown;
    try {
      loadCategoryRegistry([path]);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PluginValidationError);
    const message = (thrown as Error).message;
    expect(message).toContain(path);
    expect(message).toMatch(problem);
    expect(message.split('\n')).toHaveLength(1);
  });

  it('names a plugin that cannot be found', () => {
    expect(() => loadCategoryRegistry(['@provider/no-such-plugin'])).toThrow(
      /Category plugin "@provider\/no-such-plugin" is invalid: cannot be loaded/,
    );
  });

  it('refuses to boot the app', async () => {
    const path = writePlugin(folder.path, 'broken-at-boot', `{ key: 'medication' }`);
    await expect(startTestApp({ plugins: [path] })).rejects.toThrow(
      new RegExp(`Category plugin "medication \\(${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)" is invalid`),
    );
  });
});

describe('a plugin rule that fails on a real report', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Both pass the boot check: they misbehave only on a note no sample report has.
    const throwing = writePlugin(
      folder.path,
      'throws-on-note',
      `{
      key: 'flaky-rules',
      triage: [
        { id: 'reads-the-ward', description: 'x', when: (report) => report.details.note === 'ward' && report.details.ward.name === 'A', route: 'OPERATIONAL_FIX' },
        { id: 'tells-the-lead', description: 'x', when: () => true, notify: ['clinical lead'] },
      ],
    }`,
    );
    const looping = writePlugin(
      folder.path,
      'loops-on-note',
      `{
      key: 'slow-rules',
      defaultRoute: 'OPERATIONAL_FIX',
      triage: [{ id: 'waits-forever', description: 'x', when: (report) => { while (report.details.note === 'loop') {} return false; } }],
    }`,
    );
    t = await startTestApp({ plugins: [throwing, looping] });
  });
  afterAll(async () => t?.stop());

  const report = (tenant: string, category: string, note?: string) =>
    t.graphql(
      reportMutation,
      { input: medicationReport({ category, details: { control: 'PPE', ...(note ? { note } : {}) } }), key: newKey() },
      caller(tenant),
    );

  it('saves the report with the rules that worked, the fallback route, and the failure on its timeline', async () => {
    const tenant = uniqueTenant();
    const result = await report(tenant, 'flaky-rules', 'ward');
    expect(result.errors).toBeUndefined();
    expect(result.data!.reportNearMiss).toMatchObject({ suggestedRoute: 'TREND_MONITORING', sameDay: false });
    const read = await t.graphql(nearMissQuery, { id: result.data!.reportNearMiss.nearMiss.id }, manager(tenant));
    expect(read.data!.nearMiss.suggestedNotify).toEqual(['clinical lead']);
    expect(read.data!.nearMiss.timeline.map((event: { action: string }) => event.action)).toEqual([
      'near_miss.reported',
      'triage.rule_failed',
    ]);
    expect(read.data!.nearMiss.timeline[1].detail).toMatchObject({
      fallbackRoute: 'TREND_MONITORING',
      failures: [{ ruleId: 'flaky-rules:reads-the-ward', message: expect.stringMatching(/name/) }],
    });
  });

  it('saves the report with the core default route when a rule runs forever, and keeps serving', async () => {
    const tenant = uniqueTenant();
    const started = Date.now();
    const result = await report(tenant, 'slow-rules', 'loop');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.errors).toBeUndefined();
    // The plugin's own default (OPERATIONAL_FIX) is not trusted once it has timed out.
    expect(result.data!.reportNearMiss).toMatchObject({ suggestedRoute: 'TREND_MONITORING', sameDay: false });
    const read = await t.graphql(nearMissQuery, { id: result.data!.reportNearMiss.nearMiss.id }, manager(tenant));
    const failure = read.data!.nearMiss.timeline.find(
      (event: { action: string }) => event.action === 'triage.rule_failed',
    );
    expect(failure.detail).toMatchObject({
      fallbackRoute: 'TREND_MONITORING',
      failures: [{ ruleId: 'slow-rules:*', message: expect.stringMatching(/timed out/) }],
    });

    const next = await report(tenant, 'slow-rules');
    expect(next.data!.reportNearMiss).toMatchObject({ suggestedRoute: 'OPERATIONAL_FIX' });
    const count = await t.graphql('{ nearMisses { totalCount } }', {}, manager(tenant));
    expect(count.data!.nearMisses.totalCount).toBe(2);
  });
});

describe('versioned details', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Version 2 replaced two booleans of version 1 with a list of controls.
    const path = writePlugin(
      folder.path,
      'infection-prevention-v2',
      `{
      version: 2,
      details: z.object({
        controls: z.array(z.enum(['HAND_HYGIENE', 'PPE', 'CLEANING'])).min(1).meta({ title: 'Controls that nearly failed' }),
        note: z.string().optional().meta({ title: 'Note' }),
      }),
      example: { controls: ['HAND_HYGIENE'] },
      similarity: ['serviceId'],
      upgradeDetails: (stored, storedVersion) => {
        if (storedVersion !== 1) throw new Error('no upgrade from version ' + storedVersion);
        const controls = [stored.handHygieneMissed && 'HAND_HYGIENE', stored.ppeMissing && 'PPE'].filter(Boolean);
        return { controls, note: stored.note };
      },
    }`,
    );
    t = await startTestApp({ plugins: [path] });
  });
  afterAll(async () => t?.stop());

  // Stores a report as an older plugin version would have (the only way to get one into a fresh database).
  const storeAs = async (id: string, version: number, details: Record<string, unknown>) =>
    t.app.database.dataSource.query(`UPDATE near_miss SET category_version = $2, details = $3 WHERE id = $1`, [
      id,
      version,
      JSON.stringify(details),
    ]);

  it('reads a version 1 report through the version 2 plugin, and shows newer ones as stored', async () => {
    const tenant = uniqueTenant();
    const input = medicationReport({ category: 'infection-prevention', details: { controls: ['CLEANING'] } });
    const [old, current, ancient] = await Promise.all(
      [0, 1, 2].map(() => t.graphql(reportMutation, { input, key: newKey() }, caller(tenant))),
    );
    const ids = [old, current, ancient].map((result) => result.data!.reportNearMiss.nearMiss.id as string);
    await storeAs(ids[0], 1, { handHygieneMissed: true, ppeMissing: true, note: 'gloves ran out' });
    await storeAs(ids[2], 0, { legacy: true });

    const read = async (id: string) => (await t.graphql(nearMissQuery, { id }, manager(tenant))).data!.nearMiss;
    expect(await read(ids[0])).toMatchObject({
      categoryVersion: 1,
      category: { version: 2 },
      details: { controls: ['HAND_HYGIENE', 'PPE'], note: 'gloves ran out' },
    });
    expect(await read(ids[1])).toMatchObject({ categoryVersion: 2, details: { controls: ['CLEANING'] } });
    // An upgrade that fails still shows the report, as stored.
    expect(await read(ids[2])).toMatchObject({ categoryVersion: 0, details: { legacy: true } });

    const [stored] = await t.app.database.dataSource.query(`SELECT details FROM near_miss WHERE id = $1`, [ids[0]]);
    expect(stored.details).toEqual({ handHygieneMissed: true, ppeMissing: true, note: 'gloves ran out' });
  });

  it('stores the version each new report was validated against', async () => {
    const tenant = uniqueTenant();
    const result = await t.graphql(
      reportMutation,
      { input: medicationReport({ category: 'infection-prevention', details: { controls: ['PPE'] } }), key: newKey() },
      caller(tenant),
    );
    const [row] = await t.app.database.dataSource.query(`SELECT category_version FROM near_miss WHERE id = $1`, [
      result.data!.reportNearMiss.nearMiss.id,
    ]);
    expect(row.category_version).toBe(2);
  });
});

describe('registry load time', () => {
  it('loads and validates the seven built-ins and an outside plugin well within a second', () => {
    const timingFolder = outsideFolder('timing');
    const path = installFallsExample(timingFolder.path);
    const timings: number[] = [];
    for (let run = 0; run < 5; run++) {
      const started = performance.now();
      const registry = loadCategoryRegistry([path]);
      timings.push(performance.now() - started);
      expect(registry.list()).toHaveLength(8);
    }
    const median = [...timings].sort((a, b) => a - b)[2];
    process.stdout.write(
      `category registry: 8 plugins loaded and validated in ${median.toFixed(1)} ms (median of 5; first ${timings[0].toFixed(1)} ms)\n`,
    );
    timingFolder.remove();
    expect(median).toBeLessThan(1_000);
  });
});
