import { builtInCategories } from '../../plugins';
import { addActionMutation } from '../support/action-operations';
import { adverseEventProblems, bundleProblems } from '../support/fhir-validator';
import { triageThroughGates } from '../support/lifecycle-operations';
import { medicationReport, newKey, reportMutation } from '../support/reports';
import { dataOf, startTestApp, uniqueTenant, type Caller, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.stop());

const day = 24 * 60 * 60 * 1000;
const base = () => t.url.replace(/\/graphql$/, '');

async function get(path: string, caller?: Caller): Promise<{ status: number; type: string | null; body: any }> {
  const response = await fetch(`${base()}${path}`, {
    headers: caller ? { authorization: `Bearer ${await t.token(caller)}` } : {},
  });
  return { status: response.status, type: response.headers.get('content-type'), body: await response.json() };
}

const ok = async (query: string, variables: Record<string, unknown>, caller: Caller) =>
  dataOf(await t.graphql(query, variables, caller));

function world(label: string) {
  const tenant = uniqueTenant(label);
  const as = (sub: string, roles: Caller['roles'], services = ['north']): Caller => ({ tenant, sub, roles, services });
  return {
    tenant,
    reporter: as('staff-fhir-reporter', ['REPORTER']),
    otherReporter: as('staff-fhir-other', ['REPORTER']),
    supervisor: as('staff-fhir-supervisor', ['SUPERVISOR']),
    lead: as('staff-fhir-lead', ['MEDICATION_LEAD']),
    safeguardingLead: as('staff-fhir-sg', ['SAFEGUARDING_LEAD']),
    manager: as('staff-fhir-manager', ['MANAGER'], ['*']),
    analyst: as('staff-fhir-analyst', ['ANALYST']),
    governance: as('staff-fhir-governance', ['GOVERNANCE']),
  };
}

async function reportAs(caller: Caller, overrides: Record<string, unknown> = {}) {
  return dataOf(await t.graphql(reportMutation, { input: medicationReport(overrides), key: newKey() }, caller))
    .nearMiss as { id: string; reference: string; version: number };
}

const links = {
  personId: 'person-fhir-1',
  visitId: 'visit-fhir-1',
  medicationRecordId: 'mar-fhir-1',
  shiftId: 'shift-fhir-1',
  carePlanId: 'plan_fhir_1',
  staffInvolvedIds: ['staff-fhir-involved'],
  detectedAt: new Date(Date.now() - 30 * 60 * 1000).toISOString(),
};

describe('GET /fhir/AdverseEvent/{id}', () => {
  const w = world('fhir-read');

  it.each(builtInCategories.map((category) => [category.key, category] as const))(
    'exports an example %s report as an AdverseEvent that passes the R5 schema and StructureDefinition',
    async (key, category) => {
      const { id, reference } = await reportAs(w.reporter, {
        category: key,
        details: category.example,
        workflowStage: category.workflowStages?.[0],
        ...links,
      });
      const answer = await get(`/fhir/AdverseEvent/${id}`, w.manager);
      expect(answer.status).toBe(200);
      expect(answer.type).toContain('application/fhir+json');
      const resource = answer.body;
      expect(adverseEventProblems(resource)).toEqual([]);
      expect(resource).toMatchObject({
        resourceType: 'AdverseEvent',
        id,
        identifier: [{ value: reference }],
        status: 'in-progress',
        actuality: 'potential',
        subject: { reference: 'Patient/person-fhir-1' },
        encounter: { reference: 'Encounter/visit-fhir-1' },
        category: [{ coding: [{ code: category.standards.fhirAdverseEventCategory }] }],
        recorder: { reference: 'Practitioner/staff-fhir-reporter' },
      });
      expect(resource.participant.map((p: any) => [p.function.coding[0].code, p.actor.reference])).toEqual([
        ['INF', 'Practitioner/staff-fhir-reporter'],
        ['PART', 'Practitioner/staff-fhir-involved'],
      ]);
      // A care plan id that is no FHIR id is referenced by identifier.
      expect(resource.supportingInfo).toContainEqual({
        itemCodeableConcept: {
          coding: [{ system: 'urn:near-miss-subgraph:host:carePlan', code: 'plan_fhir_1' }],
          text: 'Care plan',
        },
      });
      expect(resource.note[0].text).toBe(medicationReport().whatHappened);
    },
  );

  it('shows the medication through the MAR entry, the corrective actions and, once reclassified, actuality actual', async () => {
    const { id } = await reportAs(w.reporter, links);
    await triageThroughGates(ok, id, { supervisor: w.supervisor, lead: w.lead }, 'System issue');
    await ok(
      addActionMutation,
      {
        input: {
          nearMissIds: [id],
          title: 'Label the 08:00 MAR row',
          ownerId: 'staff-fhir-owner',
          dueBy: new Date(Date.now() + 14 * day).toISOString(),
          strength: 'STRONGER',
          actionType: 'REDESIGN',
          evidenceRequired: ['MAR template'],
          target: 'No repeat over six weeks',
        },
      },
      w.manager,
    );
    const before = (await get(`/fhir/AdverseEvent/${id}`, w.lead)).body;
    expect(before.suspectEntity).toEqual([
      { instanceReference: { reference: 'MedicationAdministration/mar-fhir-1', display: 'Levodopa 100mg' } },
    ]);
    expect(before.preventiveAction).toEqual([
      {
        itemCodeableConcept: {
          coding: [expect.objectContaining({ code: 'STRONGER' }), expect.objectContaining({ code: 'REDESIGN' })],
          text: 'Label the 08:00 MAR row',
        },
      },
    ]);
    const nearMiss = await ok(`query($id: ID!) { nearMiss(id: $id) { version } }`, { id }, w.lead);
    await ok(
      `mutation($id: ID!, $v: Int!) { reclassifyAsIncident(id: $id, expectedVersion: $v, harm: LOW, reason: "Given after all") { id } }`,
      { id, v: nearMiss.version },
      w.lead,
    );
    const after = (await get(`/fhir/AdverseEvent/${id}`, w.lead)).body;
    expect(after.actuality).toBe('actual');
    expect(after.outcome).toEqual([{ coding: [expect.objectContaining({ code: 'low' })], text: 'low' }]);
    expect(adverseEventProblems(after)).toEqual([]);
  });

  it('gives ANALYST pseudonyms and no free text, and still a valid resource', async () => {
    const { id } = await reportAs(w.reporter, links);
    const resource = (await get(`/fhir/AdverseEvent/${id}`, w.analyst)).body;
    expect(adverseEventProblems(resource)).toEqual([]);
    const text = JSON.stringify(resource);
    for (const real of ['person-fhir-1', 'visit-fhir-1', 'mar-fhir-1', 'staff-fhir-reporter', 'levodopa', 'Levodopa'])
      expect(text).not.toContain(real);
    expect(resource.subject.identifier.value).toMatch(/^psn_/);
    expect(resource.note).toBeUndefined();
  });

  it('answers with an OperationOutcome and a code: no token, no row access, out of scope, restricted, unknown', async () => {
    const { id } = await reportAs(w.reporter);
    const safeguarding = builtInCategories.find((category) => category.key === 'safeguarding')!;
    const restricted = await reportAs(w.reporter, { category: 'safeguarding', details: safeguarding.example });
    const outcome = (code: string) => ({
      resourceType: 'OperationOutcome',
      issue: [
        expect.objectContaining({ details: expect.objectContaining({ coding: [expect.objectContaining({ code })] }) }),
      ],
    });
    const cases: [string, Caller | undefined, number, string][] = [
      [id, undefined, 401, 'UNAUTHENTICATED'],
      [id, w.governance, 403, 'FORBIDDEN'],
      [id, w.otherReporter, 404, 'NOT_FOUND'],
      [id, { ...w.manager, tenant: uniqueTenant('elsewhere') }, 404, 'NOT_FOUND'],
      [restricted.id, w.lead, 404, 'NOT_FOUND'],
      ['not-a-uuid', w.manager, 404, 'NOT_FOUND'],
    ];
    for (const [target, caller, status, code] of cases) {
      const answer = await get(`/fhir/AdverseEvent/${target}`, caller);
      expect([answer.status, answer.body]).toEqual([status, outcome(code)]);
      expect(answer.type).toContain('application/fhir+json');
    }
    expect((await get(`/fhir/AdverseEvent/${restricted.id}`, w.safeguardingLead)).status).toBe(200);
    expect((await get(`/fhir/AdverseEvent/${id}`, w.reporter)).status).toBe(200);
  });
});

describe('the validator', () => {
  it('fails a deliberately broken AdverseEvent on both the schema and the StructureDefinition', async () => {
    const w = world('fhir-broken');
    const { id } = await reportAs(w.reporter, links);
    const valid = (await get(`/fhir/AdverseEvent/${id}`, w.manager)).body;
    expect(adverseEventProblems(valid)).toEqual([]);
    const { status: _status, ...withoutStatus } = valid;
    expect(adverseEventProblems(withoutStatus)).toContain('AdverseEvent.status: needs at least 1, has 0');
    expect(adverseEventProblems({ ...valid, actuality: 'maybe' })).toEqual([
      expect.stringContaining('AdverseEvent.actuality: "maybe" is not in'),
    ]);
    expect(adverseEventProblems({ ...valid, participant: [{ function: valid.participant[0].function }] })).toContain(
      'AdverseEvent.participant.actor: needs at least 1, has 0',
    );
    expect(
      adverseEventProblems({ ...valid, occurrenceDateTime: 'yesterday' }).some((problem) =>
        problem.startsWith('/occurrenceDateTime'),
      ),
    ).toBe(true);
    expect(adverseEventProblems({ ...valid, occurrencePeriod: { start: valid.occurrenceDateTime } })).toContain(
      'AdverseEvent.occurrence[x]: allows at most 1, has 2',
    );
    expect(adverseEventProblems({ ...valid, subject: 'Patient/1' }).length).toBeGreaterThan(0);
  });
});

describe('GET /fhir/AdverseEvent (searchset)', () => {
  it('returns each matching near miss exactly once across pages, following next links', async () => {
    const w = world('fhir-search');
    const at = (daysBack: number) => new Date(Date.UTC(2026, 10, 20, 12) - daysBack * day).toISOString();
    // Seven inside the range (three share one occurrence time), two before it and one after.
    const inside = [1, 2, 2, 2, 3, 4, 5];
    const made = await Promise.all(
      [...inside, 9, 10, -2].map(async (daysBack) => ({
        daysBack,
        ...(await reportAs(w.reporter, { occurredAt: at(daysBack) })),
      })),
    );
    const expected = made
      .filter((entry) => inside.includes(entry.daysBack) && entry.daysBack < 6)
      .map((entry) => entry.id);
    const from = at(6).slice(0, 10);
    const to = at(0).slice(0, 10);
    let path: string | undefined = `/fhir/AdverseEvent?date=ge${from}&date=le${to}&category=medication-mishap&_count=2`;
    const seen: string[] = [];
    let pages = 0;
    while (path) {
      const answer = await get(path, w.lead);
      expect(answer.status).toBe(200);
      expect(bundleProblems(answer.body)).toEqual([]);
      expect(answer.body).toMatchObject({ resourceType: 'Bundle', type: 'searchset' });
      seen.push(...(answer.body.entry ?? []).map((entry: any) => entry.resource.id));
      const next = answer.body.link.find((link: { relation: string }) => link.relation === 'next');
      path = next ? new URL(next.url).pathname + new URL(next.url).search : undefined;
      pages += 1;
    }
    expect(pages).toBe(4);
    expect(seen).toHaveLength(expected.length);
    expect([...seen].sort()).toEqual([...expected].sort());

    const other = await get(`/fhir/AdverseEvent?date=ge${from}&category=unsafe-physical-environment`, w.lead);
    expect(other.body.entry).toBeUndefined();
  });

  it('refuses bad search values with an OperationOutcome', async () => {
    const w = world('fhir-search-bad');
    for (const query of ['date=ge2026-13-01', '_count=0', '_count=500', '_cursor=nope', 'category=http://x|y']) {
      const answer = await get(`/fhir/AdverseEvent?${query}`, w.lead);
      expect([query, answer.status, answer.body.issue[0].code]).toEqual([query, 400, 'invalid']);
    }
  });
});
