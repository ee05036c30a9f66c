import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GraphQLNamedType } from 'graphql';
import { allRoles, type Role } from '../../subgraph/auth/role';
import { roleMatrix } from '../../subgraph/auth/role-matrix';
import { rootFieldPermissions, sensitiveFields, type RootField } from '../../subgraph/auth/graphql-permissions';
import { withRoleMatrix } from '../../subgraph/auth/security-doc';
import { createSubgraphSchema } from '../../subgraph/server/subgraph-schema';
import { actionPlanQuery, addActionMutation, scheduleMutation } from '../support/action-operations';
import { acknowledgeMutation, gateMutation, triageMutation } from '../support/lifecycle-operations';
import { rootOperations, type ProbeValues } from '../support/operation-probe';
import { medicationReport, newKey, reportMutation } from '../support/reports';
import { dataOf, startTestApp, uniqueTenant, type Caller, type TestApp } from '../support/test-app';

const root = join(__dirname, '..', '..');

describe('the role matrix as a table', () => {
  it('names an operation for every root field of the schema, and only existing operations', async () => {
    const schema = await createSubgraphSchema();
    const live = (['Query', 'Mutation'] as const).flatMap((type) =>
      Object.keys(
        schema.getType(type) && 'getFields' in schema.getType(type)! ? (schema.getType(type) as any).getFields() : {},
      )
        .filter((field) => !field.startsWith('_'))
        .map((field) => `${type}.${field}`),
    );
    expect(live.filter((field) => !(field in rootFieldPermissions))).toEqual([]);
    expect(Object.keys(rootFieldPermissions).filter((field) => !live.includes(field))).toEqual([]);
    for (const operation of Object.values(rootFieldPermissions)) {
      if (operation !== 'authenticated') expect(roleMatrix).toHaveProperty([operation]);
    }
    for (const { operation } of Object.values(sensitiveFields)) expect(roleMatrix).toHaveProperty([operation]);
  });

  it('is what docs/security.md shows (run `npm run docs:security` when this fails)', () => {
    const document = readFileSync(join(root, 'docs', 'security.md'), 'utf8');
    expect(document).toBe(withRoleMatrix(document));
  });
});

describe('the role matrix enforced', () => {
  let t: TestApp;
  const tenant = uniqueTenant('matrix');
  const ids: Record<string, string> = {};
  const manager: Caller = { tenant, sub: 'staff-manager', roles: ['MANAGER'] };

  beforeAll(async () => {
    t = await startTestApp();
    const ok = async (query: string, variables: Record<string, unknown>, caller: Caller) =>
      dataOf(await t.graphql(query, variables, caller));
    const reported = (
      await ok(
        reportMutation,
        { input: medicationReport(), key: newKey() },
        { tenant, sub: 'staff-reporter', roles: ['REPORTER'] },
      )
    ).nearMiss;
    let nearMiss = await ok(acknowledgeMutation, { id: reported.id, v: reported.version }, manager);
    nearMiss = await ok(
      triageMutation,
      {
        input: {
          nearMissId: reported.id,
          expectedVersion: nearMiss.version,
          route: 'MEDICATION_SAFETY_REVIEW',
          justCulture: 'SYSTEM_ISSUE',
          rationale: 'MAR layout',
        },
      },
      manager,
    );
    for (const gate of nearMiss.gates)
      nearMiss = await ok(gateMutation, { id: reported.id, key: gate.key, v: nearMiss.version }, manager);
    const action = await ok(
      addActionMutation,
      {
        input: {
          nearMissIds: [reported.id],
          title: 'Redesign the MAR',
          ownerId: 'staff-owner',
          dueBy: new Date(Date.now() + 86_400_000).toISOString(),
          strength: 'STRONGER',
          evidenceRequired: ['MAR template'],
          target: 'No repeats in six weeks',
        },
      },
      manager,
    );
    const [check] = await ok(
      scheduleMutation,
      {
        input: {
          actionId: action.id,
          method: 'AUDIT',
          firstDueAt: new Date(Date.now() + 86_400_000).toISOString(),
          everyDays: 7,
          count: 2,
        },
      },
      manager,
    );
    Object.assign(ids, { NearMiss: reported.id, CorrectiveAction: action.id, VerificationCheck: check.id });
    expect((await ok(actionPlanQuery, { id: reported.id }, manager)).status).toBe('ACTIONS_IN_PROGRESS');
  });
  afterAll(async () => t?.stop());

  const values: ProbeValues = {
    text: (argumentName) =>
      argumentName === 'key'
        ? 'record-reconciled'
        : /url/i.test(argumentName)
          ? 'https://127.0.0.1:9/hook'
          : 'probe text',
    int: (argumentName) => (argumentName === 'expectedVersion' ? 1 : 1),
    dateTime: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    ids(argumentName: string, returnType: GraphQLNamedType) {
      if (argumentName === 'id') return [ids[returnType.name] ?? '00000000-0000-4000-8000-000000000000'];
      if (/^nearMissIds?$/.test(argumentName)) return [ids.NearMiss];
      if (argumentName === 'actionId') return [ids.CorrectiveAction];
      if (/^service/.test(argumentName)) return ['north'];
      if (/^person/.test(argumentName)) return ['person-1'];
      if (/^(owner|staff)/.test(argumentName)) return ['staff-owner'];
      return ['probe-id'];
    },
  };

  it('shows sensitive fields only to the roles the table names', async () => {
    const query = `query($id: ID!) { nearMiss(id: $id) { whatHappened immediateActions person { id } triage { rationale justCulture } } }`;
    for (const role of ['SUPERVISOR', 'TRIAGE_LEAD', 'MANAGER', 'ANALYST', 'INTEGRATION'] as Role[]) {
      const result = await t.graphql(query, { id: ids.NearMiss }, { tenant, sub: 'probe', roles: [role] });
      expect(result.errors).toBeUndefined();
      const nearMiss = result.data!.nearMiss;
      const identified = (roleMatrix['nearMiss.readIdentified'] as readonly string[]).includes(role);
      expect(nearMiss.whatHappened === '[withheld]').toBe(!identified);
      expect(nearMiss.person.id === 'person-1').toBe(identified);
      expect(nearMiss.triage.rationale === '[withheld]').toBe(!identified);
      const seesClass = (roleMatrix['triage.justCulture.read'] as readonly string[]).includes(role);
      expect(nearMiss.triage.justCulture).toBe(seesClass ? 'SYSTEM_ISSUE' : null);
    }
    const governance = await t.graphql(query, { id: ids.NearMiss }, { tenant, roles: ['GOVERNANCE'] });
    expect(governance.errors?.[0].extensions?.code).toBe('FORBIDDEN');

    const ownerQuery = `query($id: ID!) { correctiveAction(id: $id) { owner { id } } }`;
    for (const role of ['GOVERNANCE', 'ANALYST', 'MANAGER'] as Role[]) {
      const result = await t.graphql(ownerQuery, { id: ids.CorrectiveAction }, { tenant, roles: [role] });
      const identified = (roleMatrix['nearMiss.readIdentified'] as readonly string[]).includes(role);
      expect(result.data!.correctiveAction.owner.id === 'staff-owner').toBe(identified);
      if (!identified) expect(result.data!.correctiveAction.owner.id).toMatch(/^stf_/);
    }
  });

  // Last: allowed mutations change the data (erasure, closure...).
  it('refuses exactly the roles the table refuses, for every query and mutation', async () => {
    const schema = await createSubgraphSchema();
    const operations = [
      ...rootOperations(schema, 'query', values, 1),
      ...rootOperations(schema, 'mutation', values, 1),
    ];
    const mismatches: string[] = [];
    for (const role of allRoles as Role[]) {
      const caller: Caller = { tenant, sub: `probe-${role.toLowerCase()}`, roles: [role] };
      for (const operation of operations) {
        const field = operation.name.split('#')[0] as RootField;
        const permission = rootFieldPermissions[field];
        if (!permission) continue;
        const allowed = permission === 'authenticated' || (roleMatrix[permission] as readonly string[]).includes(role);
        const result = await t.graphql(operation.query, operation.variables, caller);
        const rootErrors = (result.errors ?? []).filter((error) => !error.path || error.path.length === 1);
        const forbidden = rootErrors.some(
          (error) => error.extensions?.code === 'FORBIDDEN' && !/pseudonym/.test(error.message),
        );
        if (allowed === forbidden)
          mismatches.push(
            `${role} ${field}: expected ${allowed ? 'allowed' : 'FORBIDDEN'}, got ${JSON.stringify(rootErrors.map((error) => error.extensions?.code))}`,
          );
      }
    }
    expect(mismatches).toEqual([]);
  });
});
