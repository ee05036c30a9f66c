import { acknowledgeMutation, feedbackMutation } from '../support/lifecycle-operations';
import { medicationReport, newKey } from '../support/reports';
import { callersOf, dataOf, startTestApp, uniqueTenant, type Caller, type TestApp } from '../support/test-app';

// ReporterIdentity: an ANONYMOUS report stores no identity anywhere (row, audit, outbox, idempotency record,
// logs) and is followed with a receipt; a CONFIDENTIAL report shows its reporter only to the reporter,
// triage leads, managers and the category's restricted roles.

let t: TestApp;
const logLines: string[] = [];
beforeAll(async () => {
  t = await startTestApp({ logLines });
});
afterAll(async () => {
  await t?.stop();
});

const tenant = uniqueTenant('identity');
const caller = callersOf(tenant);
const anonymousReporter = caller('staff-anon-7f3e', ['REPORTER']);
const confidentialReporter = caller('staff-conf-91c2', ['REPORTER']);
const otherReporter = caller('staff-other', ['REPORTER']);
const supervisor = caller('staff-supervisor', ['SUPERVISOR']);
const triageLead = caller('staff-triage-lead', ['TRIAGE_LEAD']);
const medicationLead = caller('staff-med-lead', ['MEDICATION_LEAD']);
const safeguardingLead = caller('staff-sg-lead', ['SAFEGUARDING_LEAD']);
const manager = caller('staff-manager', ['MANAGER'], ['*']);
const analyst = caller('staff-analyst', ['ANALYST'], ['*']);
const integration = caller('host-app', ['INTEGRATION'], ['*']);
const admin = caller('staff-admin', ['ADMIN'], ['*']);

const ok = async (query: string, variables: Record<string, unknown>, as: Caller) =>
  dataOf(await t.graphql(query, variables, as));

const report = /* GraphQL */ `
  mutation Report($input: ReportNearMissInput!, $key: String!) {
    reportNearMiss(input: $input, idempotencyKey: $key) {
      replayed
      receipt
      nearMiss {
        id
        reference
        version
        identity
        reportedBy {
          id
        }
      }
    }
  }
`;

const asSeenBy = /* GraphQL */ `
  query ($id: ID!) {
    nearMiss(id: $id) {
      id
      identity
      reportedBy {
        id
      }
      staffInvolved {
        id
      }
      timeline {
        action
        actor {
          id
        }
        detail
      }
    }
  }
`;

const reportedByStaff = /* GraphQL */ `
  query ($staff: ID!) {
    _entities(representations: [{ __typename: "Staff", id: $staff }]) {
      ... on Staff {
        nearMissesReported(first: 50) {
          totalCount
          edges {
            node {
              id
            }
          }
        }
      }
    }
  }
`;

const byReceipt = /* GraphQL */ `
  query ($receipt: String!) {
    nearMissByReceipt(receipt: $receipt) {
      reference
      status
      feedback {
        message
      }
    }
  }
`;

/** Every row of the tenant in every table, as JSON text. */
async function everyStoredRow(): Promise<string[]> {
  const dataSource = t.app.database.dataSource;
  const tables: { table_name: string }[] = await dataSource.query(
    `SELECT c.table_name FROM information_schema.columns c
     JOIN information_schema.tables s ON s.table_schema = c.table_schema AND s.table_name = c.table_name
     WHERE c.table_schema = current_schema() AND c.column_name = 'tenant_id' AND s.table_type = 'BASE TABLE'`,
  );
  expect(tables.map((row) => row.table_name)).toEqual(
    expect.arrayContaining(['near_miss', 'audit_event', 'outbox_event', 'idempotency_key', 'reporter_feedback']),
  );
  const rows: string[] = [];
  for (const { table_name: table } of tables) {
    const found: { row: string }[] = await dataSource.query(
      `SELECT row_to_json(x)::text AS row FROM "${table}" x WHERE tenant_id = $1`,
      [tenant],
    );
    rows.push(...found.map(({ row }) => `${table}: ${row}`));
  }
  return rows;
}

describe('anonymous reports', () => {
  const key = newKey();
  const input = medicationReport({ identity: 'ANONYMOUS', staffInvolvedIds: ['staff-colleague'] });
  let first: { replayed: boolean; receipt: string; nearMiss: Record<string, any> };

  beforeAll(async () => {
    first = await ok(report, { input, key }, anonymousReporter);
  });

  it('gives the reporter a receipt, the same one on a retry, and keeps one report', async () => {
    expect(first.replayed).toBe(false);
    expect(first.receipt).toMatch(/^R-([A-Z2-7]{4}-){4}[A-Z2-7]{4}$/);
    expect(first.nearMiss).toMatchObject({ identity: 'ANONYMOUS', reportedBy: { id: 'anonymous' } });

    const retried = await ok(report, { input, key }, anonymousReporter);
    expect(retried).toMatchObject({ replayed: true, receipt: first.receipt, nearMiss: { id: first.nearMiss.id } });
    // The same key from someone else is their own claim: it does not return this report or its receipt.
    const other = await ok(report, { input, key }, otherReporter);
    expect(other.receipt).not.toBe(first.receipt);
    expect(other.nearMiss.id).not.toBe(first.nearMiss.id);
    const [{ count }] = await t.app.database.dataSource.query(
      `SELECT count(*)::int AS count FROM near_miss WHERE tenant_id = $1 AND reporter_identity = 'ANONYMOUS'`,
      [tenant],
    );
    expect(count).toBe(2);
  });

  it('stores neither the reporter, nor the idempotency key, nor the receipt anywhere', async () => {
    const rows = await everyStoredRow();
    expect(rows.some((row) => row.startsWith('near_miss: ') && row.includes(first.nearMiss.id))).toBe(true);
    const receiptLetters = first.receipt.replace(/-/g, '').slice(1);
    for (const secret of [anonymousReporter.sub!, key, first.receipt, receiptLetters]) {
      expect(rows.filter((row) => row.includes(secret))).toEqual([]);
    }
  });

  it('shows every role `anonymous` as the reporter, and no actor on the report in the trail', async () => {
    for (const as of [manager, triageLead, admin, supervisor, analyst, integration, medicationLead]) {
      const seen = await ok(asSeenBy, { id: first.nearMiss.id }, as);
      expect(seen).toMatchObject({ identity: 'ANONYMOUS', reportedBy: { id: 'anonymous' } });
      const reported = seen.timeline.find((event: { action: string }) => event.action === 'near_miss.reported');
      expect(reported).toMatchObject({
        actor: null,
        detail: expect.objectContaining({ reporterIdentity: 'ANONYMOUS' }),
      });
    }
    const [byManager] = await ok(reportedByStaff, { staff: anonymousReporter.sub }, manager);
    expect(byManager.nearMissesReported.totalCount).toBe(0);
    const own = await ok(`{ nearMisses { edges { node { id } } } }`, {}, anonymousReporter);
    expect(own.edges).toEqual([]);
  });

  it('lets whoever holds the receipt follow the status and the feedback, and nobody without it', async () => {
    await ok(acknowledgeMutation, { id: first.nearMiss.id, v: first.nearMiss.version }, supervisor);
    await ok(
      feedbackMutation,
      { id: first.nearMiss.id, message: 'Thank you: the MAR layout is being changed.' },
      triageLead,
    );

    // Any caller of the tenant, typed loosely.
    const typed = first.receipt.toLowerCase().replace(/-/g, ' ');
    const view = await ok(byReceipt, { receipt: typed }, otherReporter);
    expect(view).toMatchObject({ reference: first.nearMiss.reference, status: 'ACKNOWLEDGED' });
    expect(view.feedback.map((item: { message: string }) => item.message)).toContain(
      'Thank you: the MAR layout is being changed.',
    );
    // Another tenant, an altered code and text that is no receipt open nothing.
    const stranger: Caller = { tenant: uniqueTenant('stranger'), sub: 'staff-x', roles: ['REPORTER'], services: ['*'] };
    expect(await ok(byReceipt, { receipt: first.receipt }, stranger)).toBeNull();
    const altered = first.receipt.slice(0, -1) + (first.receipt.endsWith('A') ? 'B' : 'A');
    expect(await ok(byReceipt, { receipt: altered }, otherReporter)).toBeNull();
    expect(await ok(byReceipt, { receipt: 'not a receipt' }, otherReporter)).toBeNull();
  });

  it('names the reporter in no event and no log line', async () => {
    const events: { payload: Record<string, unknown> }[] = await t.app.database.dataSource.query(
      `SELECT payload FROM outbox_event WHERE tenant_id = $1 AND aggregate_id = $2`,
      [tenant, first.nearMiss.id],
    );
    expect(events.length).toBeGreaterThanOrEqual(2);
    for (const { payload } of events) expect(payload.reporterId ?? null).toBeNull();
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.filter((line) => line.includes(anonymousReporter.sub!))).toEqual([]);
  });
});

describe('confidential reports', () => {
  let medication: { id: string; version: number };
  let safeguarding: { id: string };

  beforeAll(async () => {
    medication = (
      await ok(
        report,
        {
          input: medicationReport({
            identity: 'CONFIDENTIAL',
            staffInvolvedIds: ['staff-conf-91c2', 'staff-colleague'],
          }),
          key: newKey(),
        },
        confidentialReporter,
      )
    ).nearMiss;
    safeguarding = (
      await ok(
        report,
        {
          input: {
            ...medicationReport({ identity: 'CONFIDENTIAL', workflowStage: 'TRANSPORT' }),
            category: 'safeguarding',
            details: {
              cueObserved: 'APPROACHED_BY_UNKNOWN_PERSON',
              cueSeenBefore: false,
              safetyPlanInPlace: true,
              safetyPlanStepUsed: 'Moved to a safer place',
              safeguardingLeadInformed: true,
            },
          },
          key: newKey(),
        },
        confidentialReporter,
      )
    ).nearMiss;
  });

  it('shows the reporter to themselves, triage leads and managers, and `confidential` to everyone else', async () => {
    for (const as of [confidentialReporter, triageLead, manager]) {
      expect(await ok(asSeenBy, { id: medication.id }, as)).toMatchObject({
        identity: 'CONFIDENTIAL',
        reportedBy: { id: confidentialReporter.sub },
      });
    }
    for (const as of [supervisor, medicationLead, safeguardingLead, analyst, integration, admin]) {
      const seen = await ok(asSeenBy, { id: medication.id }, as);
      expect(seen.reportedBy).toEqual({ id: 'confidential' });
      const reported = seen.timeline.find((event: { action: string }) => event.action === 'near_miss.reported');
      expect(reported.actor).toBeNull();
      expect(JSON.stringify(seen)).not.toContain(confidentialReporter.sub);
    }
  });

  it('names the reporter in no FHIR AdverseEvent or export row of those who may not see them', async () => {
    const get = async (path: string, as: Caller) => {
      const response = await fetch(new URL(path, t.url), {
        headers: { authorization: `Bearer ${await t.token(as)}` },
      });
      expect(response.status).toBe(200);
      return response.text();
    };
    for (const as of [supervisor, integration]) {
      expect(await get(`/fhir/AdverseEvent/${medication.id}`, as)).not.toContain(confidentialReporter.sub);
      expect(await get('/exports/near-misses.ndjson', as)).not.toContain(confidentialReporter.sub);
    }
    expect(await get(`/fhir/AdverseEvent/${medication.id}`, manager)).toContain(confidentialReporter.sub);
    const rows = (await get('/exports/near-misses.ndjson', manager))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(rows.find((row) => row.id === medication.id)).toMatchObject({
      reported_by: confidentialReporter.sub,
      reporter_identity: 'CONFIDENTIAL',
    });
    const anonymousRows = (await get('/exports/near-misses.ndjson', manager))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(anonymousRows.filter((row) => row.reporter_identity === 'ANONYMOUS').map((row) => row.reported_by)).toEqual([
      'anonymous',
      'anonymous',
    ]);
  });

  it("shows the reporter to the category's restricted roles", async () => {
    const seen = await ok(asSeenBy, { id: safeguarding.id }, safeguardingLead);
    expect(seen.reportedBy).toEqual({ id: confidentialReporter.sub });
  });

  it('cannot be found through the reporter by those who may not see them', async () => {
    const [bySupervisor] = await ok(reportedByStaff, { staff: confidentialReporter.sub }, supervisor);
    expect(bySupervisor.nearMissesReported.totalCount).toBe(0);
    const [byManager] = await ok(reportedByStaff, { staff: confidentialReporter.sub }, manager);
    expect(byManager.nearMissesReported.edges.map((edge: { node: { id: string } }) => edge.node.id).sort()).toEqual(
      [medication.id, safeguarding.id].sort(),
    );
    const [byLead] = await ok(reportedByStaff, { staff: confidentialReporter.sub }, safeguardingLead);
    expect(byLead.nearMissesReported.edges.map((edge: { node: { id: string } }) => edge.node.id)).toEqual([
      safeguarding.id,
    ]);
  });

  it("leaves the reporter, a third party to the person, out of the person's subject access export", async () => {
    const exported = await ok(`{ personDataExport(personId: "person-1") }`, {}, admin);
    const nearMisses = exported.nearMisses as { id: string; reported_by: string | null }[];
    expect(nearMisses.find((row) => row.id === medication.id)?.reported_by).toBe('confidential');
    expect(JSON.stringify(exported)).not.toContain(confidentialReporter.sub);
    expect(JSON.stringify(exported)).not.toContain(anonymousReporter.sub);
  });

  it("keeps the reporter out of the events integrations read, the reporter's own list keeps the report", async () => {
    await ok(acknowledgeMutation, { id: medication.id, v: medication.version }, supervisor);
    const events: { type: string; payload: Record<string, unknown> }[] = await t.app.database.dataSource.query(
      `SELECT event_type AS type, payload FROM outbox_event WHERE tenant_id = $1 AND aggregate_id = $2`,
      [tenant, medication.id],
    );
    expect(events.map((event) => event.type)).toContain('reporter_feedback.sent');
    expect(JSON.stringify(events)).not.toContain(confidentialReporter.sub);
    const own = await ok(`{ nearMisses { edges { node { id } } } }`, {}, confidentialReporter);
    expect(own.edges.map((edge: { node: { id: string } }) => edge.node.id)).toContain(medication.id);
  });
});
