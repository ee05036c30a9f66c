import { medicationReport, newKey, reportMutation } from '../support/reports';
import { dataOf, startTestApp, uniqueTenant, type Caller, type TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.stop());

const codesQuery = `query($id: ID!) { nearMiss(id: $id) { version
  standardCodes { lfpse { system code display } ahrq { code } nccMerp fhirCategory { system code } }
  reclassification { at by { id } harm reason } timeline { action detail } } }`;
const reclassify = `mutation($id: ID!, $v: Int!, $harm: ActualHarm!, $reason: String!) {
  reclassifyAsIncident(id: $id, expectedVersion: $v, harm: $harm, reason: $reason) {
    id version reclassification { harm reason by { id } } standardCodes { ahrq { code } lfpse { code } } } }`;

function world() {
  const tenant = uniqueTenant('reclassify');
  const as = (sub: string, roles: Caller['roles']): Caller => ({ tenant, sub, roles, services: ['north'] });
  return {
    tenant,
    reporter: as('staff-rc-reporter', ['REPORTER']),
    lead: as('staff-rc-lead', ['MEDICATION_LEAD']),
    analyst: as('staff-rc-analyst', ['ANALYST']),
    governance: as('staff-rc-governance', ['GOVERNANCE']),
    admin: { tenant, sub: 'staff-rc-admin', roles: ['ADMIN'], services: ['*'] } as Caller,
  };
}

async function reportOne(caller: Caller, details: Record<string, unknown> = {}, overrides = {}) {
  const result = await t.graphql(
    reportMutation,
    { input: medicationReport(overrides, details), key: newKey() },
    caller,
  );
  return dataOf(result).nearMiss as { id: string; version: number };
}

describe('standard codes', () => {
  it('stores the NCC MERP category a medication report was given, and shows every code', async () => {
    const w = world();
    const caught = await reportOne(w.reporter);
    const capacity = await reportOne(w.reporter, { errorReached: 'CAPACITY_TO_CAUSE_ERROR' });
    const [first, second] = await Promise.all(
      [caught, capacity].map(async ({ id }) => dataOf(await t.graphql(codesQuery, { id }, w.lead))),
    );
    expect(first.standardCodes.nccMerp).toBe('B');
    expect(second.standardCodes.nccMerp).toBe('A');
    expect(first.standardCodes.lfpse.map((coding: { code: string }) => coding.code)).toEqual([
      'medication',
      'no-harm',
      'advice-or-documentation',
      'staff-vigilance',
    ]);
    expect(first.standardCodes.lfpse[0]).toEqual({
      system: 'urn:near-miss-subgraph:lfpse:event-type',
      code: 'medication',
      display: 'Medication',
    });
    expect(first.standardCodes.ahrq.map((coding: { code: string }) => coding.code)).toEqual([
      'near-miss',
      'medication',
      'active-recovery',
      'no',
    ]);
    expect(first.standardCodes.fhirCategory).toEqual([
      { system: 'http://terminology.hl7.org/CodeSystem/adverse-event-category', code: 'medication-mishap' },
    ]);
    expect(first.reclassification).toBeNull();
  });
});

describe('reclassifyAsIncident', () => {
  it('records the harm, reason, who and when, with audit and outbox events, once', async () => {
    const w = world();
    const { id, version } = await reportOne(w.reporter);
    const variables = { id, v: version, harm: 'LOW', reason: 'The second dose had been given after all.' };

    const forbidden = await t.graphql(reclassify, variables, w.reporter);
    expect(forbidden.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const stale = await t.graphql(reclassify, { ...variables, v: version + 1 }, w.lead);
    expect(stale.errors?.[0].extensions?.code).toBe('CONFLICT');
    const blank = await t.graphql(reclassify, { ...variables, reason: '  ' }, w.lead);
    expect(blank.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');

    const done = dataOf(await t.graphql(reclassify, variables, w.lead));
    expect(done.version).toBe(version + 1);
    expect(done.reclassification).toEqual({ harm: 'LOW', reason: variables.reason, by: { id: w.lead.sub } });
    expect(done.standardCodes.ahrq.map((coding: { code: string }) => coding.code)).toEqual([
      'incident',
      'medication',
      'no',
    ]);
    expect(done.standardCodes.lfpse.map((coding: { code: string }) => coding.code)).toContain('low');

    const again = await t.graphql(reclassify, { ...variables, v: done.version }, w.lead);
    expect(again.errors?.[0].extensions?.code).toBe('CONFLICT');

    const read = dataOf(await t.graphql(codesQuery, { id }, w.lead));
    expect(read.timeline.map((event: { action: string }) => event.action)).toContain(
      'near_miss.reclassified_as_incident',
    );
    // The feed shows an event once every older transaction has ended (other tests' too): wait for it.
    const event = await waitFor('the reclassification event in the feed', async () => {
      const events = dataOf(
        await t.graphql('{ nearMissEvents(first: 50) { edges { node { type aggregateId payload } } } }', {}, w.admin),
      );
      return events.edges
        .map((edge: { node: Record<string, any> }) => edge.node)
        .find((node: Record<string, any>) => node.type === 'near_miss.reclassified_as_incident');
    });
    expect(event).toMatchObject({ aggregateId: id, payload: { harm: 'LOW', actuality: 'actual' } });
    expect(JSON.stringify(event.payload)).not.toContain('second dose');

    const analystView = dataOf(await t.graphql(codesQuery, { id }, w.analyst));
    expect(analystView.reclassification.reason).toBe('[withheld]');
    expect(analystView.reclassification.by.id).toMatch(/^stf_/);
  });

  it('takes the report out of the near-miss trends, keeps its audit trail, and governance counts it', async () => {
    const w = world();
    const kept = await reportOne(w.reporter);
    const moved = await reportOne(w.reporter);
    const trends = async () =>
      dataOf(
        await t.graphql('{ nearMissTrends(dimension: CATEGORY, interval: MONTH) { key count } }', {}, w.analyst),
      ) as { key: string; count: number }[];
    const total = async () => (await trends()).reduce((sum, bucket) => sum + bucket.count, 0);
    expect(await total()).toBe(2);

    dataOf(
      await t.graphql(
        reclassify,
        { id: moved.id, v: moved.version, harm: 'MODERATE', reason: 'Reached the person' },
        w.lead,
      ),
    );
    expect(await total()).toBe(1);
    const read = dataOf(await t.graphql(codesQuery, { id: moved.id }, w.lead));
    expect(read.timeline.map((event: { action: string }) => event.action)).toEqual([
      'near_miss.reported',
      'near_miss.reclassified_as_incident',
    ]);
    expect(kept.id).not.toBe(moved.id);

    const from = new Date(Date.now() - 24 * 60 * 60 * 1000).toISOString();
    const to = new Date(Date.now() + 60 * 60 * 1000).toISOString();
    const summary = dataOf(
      await t.graphql(
        'query($from: DateTime!, $to: DateTime!) { governanceSummary(from: $from, to: $to) { reclassifiedAsIncidents } }',
        { from, to },
        w.governance,
      ),
    );
    expect(summary.reclassifiedAsIncidents).toBe(1);
  });
});
