import { parse } from 'csv-parse/sync';
import { builtInCategories } from '../../plugins';
import { exportColumns } from '../../subgraph/exports/export-columns';
import { medicationReport, newKey, reportMutation } from '../support/reports';
import { dataOf, startTestApp, uniqueTenant, type Caller, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.stop());

async function get(path: string, caller?: Caller) {
  const response = await fetch(`${t.url.replace(/\/graphql$/, '')}${path}`, {
    headers: caller ? { authorization: `Bearer ${await t.token(caller)}` } : {},
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, bytes, text: bytes.toString('utf8') };
}

const csvRecords = (text: string): Record<string, string>[] => parse(text, { columns: true, bom: true });

async function reportAs(caller: Caller, overrides: Record<string, unknown> = {}) {
  return dataOf(await t.graphql(reportMutation, { input: medicationReport(overrides), key: newKey() }, caller))
    .nearMiss as { id: string; reference: string };
}

function world(label: string) {
  const tenant = uniqueTenant(label);
  const as = (sub: string, roles: Caller['roles'], services = ['north']): Caller => ({ tenant, sub, roles, services });
  return {
    reporter: as('staff-exp-reporter', ['REPORTER'], ['north', 'south']),
    otherReporter: as('staff-exp-other', ['REPORTER']),
    lead: as('staff-exp-lead', ['MEDICATION_LEAD'], ['north', 'south']),
    manager: as('staff-exp-manager', ['MANAGER'], ['*']),
    analyst: as('staff-exp-analyst', ['ANALYST'], ['*']),
    governance: as('staff-exp-governance', ['GOVERNANCE'], ['*']),
  };
}

const hostile = {
  whatHappened: '=HYPERLINK("http://example.invalid/steal","Click"), with a "quote"\r\nand a second line',
  immediateActions: ['+1 dose held', '@SUM(A1:A9)'],
  contributingFactors: ['-2+3 staffing', 'handover rushed'],
  howDetected: '-1 tablet in the blister pack',
  personId: 'person-exp-1',
};

describe('GET /exports/near-misses.csv', () => {
  it('streams RFC 4180 CSV that a spreadsheet opens, with formula cells escaped and text intact', async () => {
    const w = world('export-csv');
    const { id, reference } = await reportAs(w.reporter, hostile);
    const answer = await get('/exports/near-misses.csv', w.manager);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toContain('text/csv');
    // A UTF-8 byte order mark, so spreadsheets read the text as UTF-8.
    expect(answer.bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(answer.text.startsWith('\uFEFFid,reference,')).toBe(true);
    expect(answer.text).toContain('\r\n');
    const [record, ...rest] = csvRecords(answer.text);
    expect(rest).toEqual([]);
    expect(Object.keys(record)).toEqual(exportColumns.map((column) => column.name));
    expect(record).toMatchObject({
      id,
      reference,
      category: 'medication',
      person_id: 'person-exp-1',
      what_happened: `'${hostile.whatHappened}`,
      how_detected: `'${hostile.howDetected}`,
      immediate_actions: "'+1 dose held; @SUM(A1:A9)",
      contributing_factors: "'-2+3 staffing; handover rushed",
      ncc_merp: 'B',
      fhir_category: 'medication-mishap',
      lfpse: 'medication; no-harm; advice-or-documentation; staff-vigilance',
      same_day: 'true',
    });
    for (const cell of Object.values(record)) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('gives ANALYST no free-text columns and pseudonyms, refuses GOVERNANCE, and needs a token', async () => {
    const w = world('export-roles');
    await reportAs(w.reporter, hostile);
    const analyst = await get('/exports/near-misses.csv', w.analyst);
    const [record] = csvRecords(analyst.text);
    const freeText = exportColumns.filter((column) => column.freeText).map((column) => column.name);
    expect(freeText.length).toBeGreaterThan(5);
    for (const column of freeText) expect(record).not.toHaveProperty(column);
    expect(record.person_id).toMatch(/^psn_/);
    expect(record.reported_by).toMatch(/^stf_/);
    expect(analyst.text).not.toContain('HYPERLINK');
    expect(analyst.text).not.toContain('staff-exp-reporter');
    expect(JSON.parse(record.details)).toMatchObject({
      medicationName: '[withheld]',
      discrepancyType: 'MAR_WRONG_TIME',
    });

    const governance = await get('/exports/near-misses.csv', w.governance);
    expect(governance.status).toBe(403);
    expect(JSON.parse(governance.text)).toEqual({
      errors: [{ message: expect.any(String), extensions: { code: 'FORBIDDEN' } }],
    });
    expect((await get('/exports/near-misses.ndjson')).status).toBe(401);
    const byPerson = await get('/exports/near-misses.csv?personId=person-exp-1', w.analyst);
    expect([byPerson.status, JSON.parse(byPerson.text).errors[0].extensions.code]).toEqual([403, 'FORBIDDEN']);
  });
});

describe('GET /exports/near-misses.ndjson', () => {
  it('applies the GraphQL filters within the read scope, newest occurrence first', async () => {
    const w = world('export-filters');
    const at = (day: number) => new Date(Date.UTC(2026, 9, day, 9)).toISOString();
    const north1 = await reportAs(w.reporter, { occurredAt: at(1) });
    const north5 = await reportAs(w.reporter, { occurredAt: at(5) });
    const south3 = await reportAs(w.reporter, { occurredAt: at(3), serviceId: 'south' });
    const others = await reportAs(w.otherReporter, { occurredAt: at(4) });
    const mealtime = builtInCategories.find((category) => category.key === 'mealtime')!;
    const meal = await reportAs(w.reporter, { occurredAt: at(2), category: 'mealtime', details: mealtime.example });
    const safeguarding = builtInCategories.find((category) => category.key === 'safeguarding')!;
    const restricted = await reportAs(w.otherReporter, {
      occurredAt: at(6),
      category: 'safeguarding',
      details: safeguarding.example,
    });

    const ids = async (query: string, caller: Caller) => {
      const answer = await get(`/exports/near-misses.ndjson${query}`, caller);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toContain('application/x-ndjson');
      return answer.text
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { id: string }).id);
    };
    expect(await ids('', w.manager)).toEqual([restricted, north5, others, south3, meal, north1].map((n) => n.id));
    expect(await ids('', w.lead)).toEqual([north5, others, south3, meal, north1].map((n) => n.id));
    expect(await ids('', w.reporter)).toEqual([north5, south3, meal, north1].map((n) => n.id));
    expect(await ids('?serviceIds=south', w.manager)).toEqual([south3.id]);
    expect(await ids('?category=mealtime,safeguarding', w.manager)).toEqual([restricted.id, meal.id]);
    expect(await ids(`?from=${at(2)}&to=${at(5)}`, w.manager)).toEqual([others, south3, meal].map((n) => n.id));
    expect(await ids('?statuses=REPORTED&workflowStages=DOCUMENTATION', w.manager)).toHaveLength(6);

    const record = JSON.parse((await get('/exports/near-misses.ndjson?serviceIds=south', w.manager)).text);
    expect(record).toMatchObject({ id: south3.id, immediate_actions: expect.any(Array), same_day: true });
  });

  it('refuses unknown filters and bad values with BAD_USER_INPUT', async () => {
    const w = world('export-bad');
    for (const query of ['from=yesterday', 'statuses=OPEN', 'workflowStages=LUNCH', 'limit=10']) {
      const answer = await get(`/exports/near-misses.ndjson?${query}`, w.manager);
      expect([query, answer.status, JSON.parse(answer.text).errors[0].extensions.code]).toEqual([
        query,
        400,
        'BAD_USER_INPUT',
      ]);
    }
  });
});
