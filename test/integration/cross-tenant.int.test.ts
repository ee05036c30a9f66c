import type { GraphQLNamedType, GraphQLSchema } from 'graphql';
import { Role } from '../../subgraph/auth/role';
import { createSubgraphSchema } from '../../subgraph/server/subgraph-schema';
import { entityOperations, rootOperations, type ProbeOperation, type ProbeValues } from '../support/operation-probe';
import { medicationReport, newKey, reportMutation } from '../support/reports';
import { startTestApp, uniqueTenant, type Caller, type GraphqlResponse, type TestApp } from '../support/test-app';

// Every query, every mutation, every host-entity field and every `_entities`
// type, tried as another tenant's users with the first tenant's ids: nothing
// of the first tenant may come back, change, or be counted. The operations are
// generated from the schema, so new ones are covered without editing this test.

const hostTypes = ['Person', 'Staff', 'Visit', 'MedicationRecord', 'Shift', 'CarePlan'];
// Host ids are the host suite's and may repeat across tenants: both tenants use the same ones.
const hostIds: Record<string, string[]> = {
  Person: ['person-1'],
  Staff: ['staff-1', 'staff-2'],
  Visit: ['visit-1'],
  MedicationRecord: ['mar-1'],
  Shift: ['shift-1'],
  CarePlan: ['plan-1'],
};
const uuidPattern = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

let t: TestApp;
let schema: GraphQLSchema;
const victim = uniqueTenant('victim');
const outsider = uniqueTenant('outsider');
const victimMarker = `victim-marker-${victim}`;
const allRoles = Object.values(Role) as Role[];

/** Ids of the victim's entities, by __typename, collected from its own responses. */
const harvested = new Map<string, Set<string>>();
function harvest(value: unknown): void {
  if (Array.isArray(value)) return value.forEach(harvest);
  if (value === null || typeof value !== 'object') return;
  const record = value as Record<string, unknown>;
  if (
    typeof record.__typename === 'string' &&
    typeof record.id === 'string' &&
    !hostTypes.includes(record.__typename)
  ) {
    harvested.set(record.__typename, (harvested.get(record.__typename) ?? new Set()).add(record.id));
  }
  Object.values(record).forEach(harvest);
}
const idsOf = (typeName: string): string[] => hostIds[typeName] ?? [...(harvested.get(typeName) ?? [])];
const ownedIds = () => [...harvested.values()].flatMap((ids) => [...ids]);

function probeValues(text: string, int: (argumentName: string) => number = () => 1): ProbeValues {
  return {
    text: (argumentName) => (/url/i.test(argumentName) ? 'https://127.0.0.1:9/probe-hook' : text),
    int,
    dateTime: new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString(),
    ids(argumentName: string, returnType: GraphQLNamedType) {
      if (argumentName === 'id') return idsOf(returnType.name).length ? idsOf(returnType.name) : ownedIds();
      const prefix = /^(.*?)Ids?$/.exec(argumentName)?.[1]?.toLowerCase();
      if (!prefix) return [];
      if (prefix === 'service') return ['north'];
      if (prefix === 'owner' || prefix.startsWith('staff')) return hostIds.Staff;
      const types = [...hostTypes, ...harvested.keys()].filter((name) => name.toLowerCase().endsWith(prefix));
      const ids = types.flatMap(idsOf);
      return ids.length ? ids : ownedIds();
    },
  };
}

interface Probe {
  operation: ProbeOperation;
  response: GraphqlResponse;
}

/** Runs an operation at the deepest selection the query limits allow (undefined: the build no longer has it). */
async function run(
  build: (depth: number) => ProbeOperation[],
  name: string,
  caller: Caller,
): Promise<Probe | undefined> {
  let last: Probe | undefined;
  for (const depth of [3, 2, 1]) {
    const operation = build(depth).find((candidate) => candidate.name === name);
    if (!operation) return undefined;
    const response = await t.graphql(operation.query, operation.variables, caller);
    last = { operation, response };
    const limited = response.errors?.some(
      (error) => error.extensions?.fields?.[0]?.path === 'query' && /limit/.test(error.message),
    );
    if (!limited) return last;
  }
  return last;
}

async function runAll(build: (depth: number) => ProbeOperation[], caller: Caller): Promise<Probe[]> {
  const probes: Probe[] = [];
  for (const { name } of build(1)) {
    const probe = await run(build, name, caller);
    if (probe) probes.push(probe);
  }
  return probes;
}

/** Everything the victim has in the database (as the superuser sees it), table by table. */
async function victimRows(): Promise<Record<string, unknown[]>> {
  const dataSource = t.app.database.dataSource;
  const tables: { name: string }[] = await dataSource.query(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id'
      WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' ORDER BY 1`,
  );
  const rows: Record<string, unknown[]> = {};
  for (const { name } of tables)
    rows[name] = await dataSource.query(`SELECT * FROM ${name} WHERE tenant_id = $1 ORDER BY 1`, [victim]);
  return rows;
}

/** What of the victim shows in a response that the request did not itself contain. */
function leaksIn(probe: Probe, victimUuids: string[]): string[] {
  const sent = JSON.stringify([probe.operation.query, probe.operation.variables]);
  const received = JSON.stringify({ data: probe.response.data, errors: probe.response.errors });
  return [victimMarker, victim, ...victimUuids].filter((token) => !sent.includes(token) && received.includes(token));
}

const startedAt = Date.now();
const isoTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
/** Answers without what changes by itself: times of the request (`exportedAt`), request ids. */
const normalised = (probes: Probe[]) =>
  JSON.parse(
    JSON.stringify(
      probes.map(({ operation, response }) => ({
        name: operation.name,
        data: response.data,
        errors: response.errors?.map(({ extensions, ...error }) => ({ ...error, code: extensions?.code })),
      })),
      (_key, value: unknown) =>
        typeof value === 'string' && isoTime.test(value) && Date.parse(value) >= startedAt
          ? '<during the test>'
          : value,
    ),
  );

const internalErrors = (probes: Probe[]) =>
  probes.flatMap((probe) =>
    (probe.response.errors ?? [])
      .filter((error) => error.extensions?.code === 'INTERNAL_SERVER_ERROR')
      .map(() => probe.operation.name),
  );

const victimAdmin: Caller = { tenant: victim, sub: 'staff-1', roles: allRoles, services: ['*'] };
const outsiders: Caller[] = [
  { tenant: outsider, sub: 'staff-1', roles: allRoles, services: ['*'] },
  { tenant: outsider, sub: 'staff-2', roles: ['REPORTER'], services: ['north'] },
];

async function seedVictim(round: number): Promise<void> {
  for (const personId of hostIds.Person) {
    const result = await t.graphql(
      reportMutation,
      {
        input: medicationReport({
          personId,
          visitId: 'visit-1',
          medicationRecordId: 'mar-1',
          shiftId: 'shift-1',
          carePlanId: 'plan-1',
          staffInvolvedIds: ['staff-2'],
          whatHappened: `${victimMarker} round ${round}: the 08:00 dose was signed in the 12:00 slot.`,
        }),
        key: newKey(),
      },
      { ...victimAdmin, roles: ['REPORTER'], services: ['north'] },
    );
    expect(result.errors).toBeUndefined();
    harvest(result.data);
  }
  // Best effort, through the schema's own mutations: acknowledge, triage, actions, checks, webhooks...
  let expectedVersion = 1;
  const values = probeValues(`${victimMarker} probe text`, (argumentName) =>
    argumentName === 'expectedVersion' ? expectedVersion : 1,
  );
  const queries = (depth: number) => rootOperations(schema, 'query', values, depth);
  harvest((await runAll(queries, victimAdmin)).map((probe) => probe.response.data));
  const mutations = (depth: number) => rootOperations(schema, 'mutation', values, depth);
  // A second pass reaches what the first one unlocked (checks of an action completed later in the list).
  for (let pass = 0; pass < (round === 1 ? 2 : 1); pass++) {
    // Erasing would only thin out what an outsider could leak (outsiders do try it, below).
    for (const { name } of mutations(1).filter((operation) => !/^Mutation\.(erase|delete)/.test(operation.name))) {
      const [row] = await t.app.database.dataSource.query(`SELECT version FROM near_miss WHERE id = $1`, [
        idsOf('NearMiss')[0],
      ]);
      expectedVersion = row?.version ?? 1;
      harvest((await run(mutations, name, victimAdmin))?.response.data);
    }
  }
  harvest((await runAll(queries, victimAdmin)).map((probe) => probe.response.data));
}

beforeAll(async () => {
  t = await startTestApp();
  schema = await createSubgraphSchema();
  await seedVictim(1);
});
afterAll(async () => t?.stop());

describe('another tenant', () => {
  it('sees, counts and changes nothing of the victim through any query, host-entity field, _entities fetch or mutation', async () => {
    expect(harvested.get('NearMiss')?.size).toBeGreaterThanOrEqual(1);
    const victimUuids = () => victimRows().then((rows) => [...new Set(JSON.stringify(rows).match(uuidPattern) ?? [])]);

    // Operations are fixed now, so the two rounds below send exactly the same requests.
    const outsiderValues = probeValues(`probe text from ${outsider}`);
    const builds = [
      (depth: number) => rootOperations(schema, 'query', outsiderValues, depth),
      (depth: number) => entityOperations(schema, idsOf, outsiderValues, depth),
    ].map((build) => {
      const frozen = new Map([1, 2, 3].map((depth) => [depth, build(depth)]));
      return (depth: number) => frozen.get(depth)!;
    });
    const readAll = async () => {
      const probes: Probe[][] = [];
      for (const caller of outsiders) for (const build of builds) probes.push(await runAll(build, caller));
      return probes.flat();
    };

    const before = await readAll();
    expect(before.map((probe) => probe.operation.name)).toEqual(
      expect.arrayContaining([
        'Query.nearMiss#0',
        'Query.nearMisses',
        '_entities:NearMiss',
        '_entities:Person',
        '_entities:Staff',
      ]),
    );
    // The probes did reach the resolvers (not stopped by limits or validation).
    expect(before.filter((probe) => probe.response.status !== 200).map((probe) => probe.operation.name)).toEqual([]);
    const uuidsAfterFirstRound = await victimUuids();
    expect(
      before.flatMap((probe) =>
        leaksIn(probe, uuidsAfterFirstRound).map((token) => `${probe.operation.name}: ${token}`),
      ),
    ).toEqual([]);

    // More victim data must not change a single answer the outsider gets (counts, totals, queues).
    await seedVictim(2);
    const after = await readAll();
    expect(normalised(after)).toEqual(normalised(before));

    // Mutations with the victim's ids: nothing of the victim changes or shows.
    const snapshot = await victimRows();
    const uuids = await victimUuids();
    const mutations: Probe[] = [];
    for (const caller of outsiders) {
      mutations.push(...(await runAll((depth) => rootOperations(schema, 'mutation', outsiderValues, depth), caller)));
    }
    expect(mutations.length).toBeGreaterThan(0);
    expect(
      mutations.flatMap((probe) => leaksIn(probe, uuids).map((token) => `${probe.operation.name}: ${token}`)),
    ).toEqual([]);
    expect(await victimRows()).toEqual(snapshot);

    // Nor does the outsider's own data end up pointing at the victim's rows.
    const outsiderRows = JSON.stringify(
      await t.app.database.dataSource.query(`SELECT * FROM near_miss WHERE tenant_id = $1`, [outsider]),
    );
    expect(uuids.filter((uuid) => outsiderRows.includes(uuid))).toEqual([]);

    // And every answer was a result or a coded error.
    expect(internalErrors([...before, ...after, ...mutations])).toEqual([]);
  });
});
