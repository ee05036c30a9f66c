import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Role } from '../../subgraph/auth/role';
import type { Principal } from '../../subgraph/auth/principal';
import { ErrorCode, isDomainError } from '../../subgraph/common/errors';
import { createTenantDatabase } from '../../subgraph/database/tenant-scope';
import { reportNearMiss } from '../../subgraph/near-misses/report-near-miss.service';
import { medicationReport, reportMutation } from '../support/reports';
import { startTestApp, type TestApp } from '../support/test-app';

// Property-based: random and hostile reports, through the service (most cases)
// and through GraphQL (a sample). Every answer is a success or a coded error,
// nothing crashes, and a refused report leaves no row behind.

const serviceRuns = Number(process.env.FUZZ_RUNS ?? 10_000);
const graphqlRuns = 300;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.stop());

// ---- hostile values ----

const fragments = [
  "'; DROP TABLE near_miss; --",
  "' OR '1'='1",
  '"; SELECT pg_sleep(10); --',
  '$$; RESET ROLE; SELECT * FROM near_miss; $$',
  "current_setting('app.tenant_id')",
  '<script>alert(document.cookie)</script>',
  '<img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '${jndi:ldap://example.invalid/a}',
  '{{7*7}}',
  '%s%s%s%n',
  '../../../../etc/passwd',
  'NULL',
  '\\',
  '\u0000',
  'before\u0000after',
  '\ud800',
  'lone low \udc00 surrogate',
  '\u202e\u2066reversed',
  'zero\u200bwidth\ufeff',
  'e\u0301\u0301\u0301\u0301',
  '👩‍⚕️💊🏥',
  'ﷺ𒐫𒈙',
  '\r\n\t\v\f',
  ' ',
  '',
];

const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom(...fragments),
  fc
    .tuple(fc.string({ maxLength: 20 }), fc.constantFrom(...fragments), fc.string({ maxLength: 20 }))
    .map((parts) => parts.join('')),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => `x${String.fromCharCode(code)}y`),
  fc.constantFrom(100, 501, 2_001, 4_001, 20_001, 300_000).map((length) => 'ä'.repeat(length)),
);

/** Nested arrays or objects, up to tens of thousands of levels. */
const deepJson = fc.tuple(fc.constantFrom(10, 50, 200, 5_000, 50_000), fc.boolean()).map(([depth, arrays]) => {
  let value: unknown = 'bottom';
  for (let level = 0; level < depth; level++) value = arrays ? [value] : { nested: value };
  // fast-check prints counterexamples recursively: give it a short name instead.
  Object.defineProperty(value, fc.toStringMethod, {
    value: () => `<${depth} levels of ${arrays ? 'arrays' : 'objects'}>`,
  });
  return value;
});

const wrongType = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.date({ noInvalidDate: false }),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
  fc.constant(
    JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}') as unknown,
  ),
  fc.constant(Object.create(null) as unknown),
);

const hostileValue = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 3, arbitrary: wrongType },
  { weight: 1, arbitrary: deepJson },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 1, arbitrary: fc.array(hostileString, { maxLength: 60 }) },
);

const reportFields = Object.keys(medicationReport());
const detailFields = Object.keys(medicationReport().details);

type Change = { target: 'report' | 'details'; field: string; value?: unknown; remove: boolean };
const changeOf = (target: fc.Arbitrary<Change['target']>, field: fc.Arbitrary<string>): fc.Arbitrary<Change> =>
  fc.record({ target, field, value: hostileValue, remove: fc.nat({ max: 4 }).map((draw) => draw === 0) });
// Mostly the fields that matter; some keys that should not be there at all.
const change = fc.oneof(
  { weight: 6, arbitrary: changeOf(fc.constant('report'), fc.constantFrom(...reportFields, 'detectedAt')) },
  { weight: 3, arbitrary: changeOf(fc.constant('details'), fc.constantFrom(...detailFields)) },
  {
    weight: 1,
    arbitrary: changeOf(
      fc.constantFrom('report', 'details'),
      fc.oneof(
        fc.constantFrom('__proto__', 'constructor', 'tenantId', 'id', 'status', 'version', 'reportedBy'),
        fc.string({ maxLength: 10 }),
      ),
    ),
  },
);

/** A valid report (as the resolver hands it on: dates as Date), then 1-4 hostile changes, or none. */
const hostileReport = fc
  .tuple(
    // Mostly hostile: an untouched report (the success path, which writes) in about one case of twelve.
    fc.oneof(
      { weight: 1, arbitrary: fc.constant([]) },
      { weight: 11, arbitrary: fc.array(change, { minLength: 1, maxLength: 4 }) },
    ),
    fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: hostileValue }),
  )
  .map(([changes, replaceDetails]) => {
    const report: Record<string, unknown> = { ...medicationReport(), occurredAt: new Date(Date.now() - 3_600_000) };
    const details: Record<string, unknown> = { ...(report.details as Record<string, unknown>) };
    report.details = replaceDetails === undefined ? details : replaceDetails;
    for (const { target, field, value, remove } of changes) {
      const object = target === 'details' ? details : report;
      // defineProperty: a "__proto__" key becomes an own property, as JSON.parse makes it.
      if (remove) delete object[field];
      else Object.defineProperty(object, field, { value, enumerable: true, configurable: true, writable: true });
    }
    return report;
  });

const idempotencyKey = fc.oneof(
  { weight: 8, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: hostileString },
);

const caller = fc.record({
  roles: fc.oneof(
    { weight: 8, arbitrary: fc.constant([Role.REPORTER]) },
    { weight: 1, arbitrary: fc.constant([Role.GOVERNANCE]) },
    { weight: 1, arbitrary: fc.subarray(Object.values(Role) as Role[]) },
  ),
  services: fc.oneof(
    { weight: 8, arbitrary: fc.constant<'*' | string[]>('*') },
    { weight: 2, arbitrary: fc.constant(['south']) },
  ),
  categoryDisabled: fc.nat({ max: 19 }).map((draw) => draw === 0),
});

// ---- what must hold ----

const contractCodes = new Set<string>(Object.values(ErrorCode));
const run = randomBytes(3).toString('hex');
let tenantCount = 0;
const nextTenant = () => `fuzz-${run}-${++tenantCount}`;
/** Tenants whose one report was accepted (all others must have no rows). */
const accepted = new Set<string>();

async function disableMedication(tenant: string) {
  await t.app.database.dataSource.query(
    `INSERT INTO tenant_category_setting (tenant_id, category, enabled) VALUES ($1, 'medication', false)`,
    [tenant],
  );
}

/** Rows per tenant of this run in every tenant table (the category setting the test itself wrote aside). */
async function rowsByTenant(): Promise<Map<string, Record<string, number>>> {
  const dataSource = t.app.database.dataSource;
  const tables: { name: string }[] = await dataSource.query(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id'
      WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND c.relname <> 'tenant_category_setting' ORDER BY 1`,
  );
  const counts = new Map<string, Record<string, number>>();
  for (const { name } of tables) {
    const rows: { tenant_id: string; count: number }[] = await dataSource.query(
      `SELECT tenant_id, count(*)::int AS count FROM ${name} WHERE tenant_id LIKE $1 GROUP BY 1`,
      [`fuzz-${run}-%`],
    );
    for (const row of rows) counts.set(row.tenant_id, { ...counts.get(row.tenant_id), [name]: row.count });
  }
  return counts;
}

describe('reportNearMiss under random and hostile input', () => {
  it(`answers ${serviceRuns} service calls with a success or a coded error`, async () => {
    const dependencies = t.app.services;
    await fc.assert(
      fc.asyncProperty(hostileReport, idempotencyKey, caller, async (report, key, who) => {
        const tenant = nextTenant();
        if (who.categoryDisabled) await disableMedication(tenant);
        const principal: Principal = {
          staffId: 'staff-fuzz',
          tenantId: tenant,
          roles: [...who.roles],
          services: who.services === '*' ? '*' : [...who.services],
        };
        try {
          const db = createTenantDatabase(dependencies.dataSource, tenant);
          const request = { input: report, idempotencyKey: key ?? `fuzz-key-${tenant}` };
          const outcome = await db.transaction((tx) =>
            reportNearMiss(tx, { principal, services: dependencies }, request),
          );
          expect(outcome.replayed).toBe(false);
          expect(outcome.nearMiss.id).toMatch(/^[0-9a-f-]{36}$/);
          accepted.add(tenant);
        } catch (error) {
          if (!isDomainError(error) || !contractCodes.has(error.code)) {
            throw new Error(
              `uncoded failure: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
            );
          }
          if (error.code === ErrorCode.BadUserInput)
            expect(error.extensions.fields).toEqual(
              expect.arrayContaining([expect.objectContaining({ path: expect.any(String) })]),
            );
        }
      }),
      { numRuns: serviceRuns },
    );
    // Some of each: the property saw both paths.
    expect(accepted.size).toBeGreaterThan(serviceRuns / 50);
    expect(accepted.size).toBeLessThan(serviceRuns / 2);
  }, 180_000);

  it(`answers ${graphqlRuns} GraphQL requests with data or coded errors, never a 500 or INTERNAL_SERVER_ERROR`, async () => {
    const allowed = new Set([
      ...contractCodes,
      'GRAPHQL_VALIDATION_FAILED',
      'GRAPHQL_PARSE_FAILED',
      'BAD_REQUEST',
      'PAYLOAD_TOO_LARGE',
    ]);
    const jsonSafe = (value: unknown) => {
      try {
        return JSON.stringify(value) !== undefined;
      } catch {
        return false;
      }
    };
    await fc.assert(
      fc.asyncProperty(hostileReport, idempotencyKey, async (report, key) => {
        const tenant = nextTenant();
        const input = {
          ...report,
          occurredAt:
            report.occurredAt instanceof Date && !Number.isNaN(report.occurredAt.getTime())
              ? report.occurredAt.toISOString()
              : report.occurredAt,
        };
        fc.pre(jsonSafe(input));
        const result = await t.graphql(
          reportMutation,
          { input, key: key ?? `fuzz-key-${tenant}` },
          { tenant, roles: ['REPORTER'] },
        );
        // 413: a few hostile strings of 300k characters outgrow the body limit.
        expect([200, 400, 413]).toContain(result.status);
        const uncoded = (result.errors ?? []).filter((error) => !allowed.has(error.extensions?.code));
        expect(uncoded).toEqual([]);
        if (result.errors) expect(result.data?.reportNearMiss ?? null).toBeNull();
        else accepted.add(tenant);
      }),
      { numRuns: graphqlRuns },
    );
  });

  it('leaves no partial rows: a refused report wrote nothing, an accepted one wrote all of itself', async () => {
    const rows = await rowsByTenant();
    const partial: string[] = [];
    for (let index = 1; index <= tenantCount; index++) {
      const tenant = `fuzz-${run}-${index}`;
      const counts = rows.get(tenant) ?? {};
      if (accepted.has(tenant)) {
        if (counts.near_miss !== 1 || counts.idempotency_key !== 1 || !counts.audit_event || !counts.outbox_event)
          partial.push(`${tenant} (accepted): ${JSON.stringify(counts)}`);
      } else if (Object.values(counts).some((count) => count > 0)) {
        partial.push(`${tenant} (refused): ${JSON.stringify(counts)}`);
      }
    }
    expect(partial).toEqual([]);
    expect(tenantCount).toBeGreaterThanOrEqual(serviceRuns + graphqlRuns / 2);
  });
});
