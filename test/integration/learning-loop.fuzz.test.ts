import fc from 'fast-check';
import { addActionMutation, recordResultMutation, scheduleMutation } from '../support/action-operations';
import {
  acknowledgeMutation,
  closeMutation,
  feedbackMutation,
  gateMutation,
  triageMutation,
} from '../support/lifecycle-operations';
import { medicationReport, newKey, reportMutation } from '../support/reports';
import { dataOf, startTestApp, uniqueTenant, type Caller, type TestApp } from '../support/test-app';

// Property-based: hostile input to the triage, gate, closure, feedback, action
// and verification mutations. Every answer is data or a coded error, and a
// refused mutation changes nothing.

const runs = Number(process.env.FUZZ_LOOP_RUNS ?? 150);
const inAWeek = new Date(Date.now() + 7 * 86_400_000).toISOString();
const codes = ['BAD_USER_INPUT', 'CONFLICT', 'NOT_FOUND', 'FORBIDDEN', 'GATE_BLOCKED', 'GRAPHQL_VALIDATION_FAILED'];

let t: TestApp;
const tenant = uniqueTenant('loop-fuzz');
const manager: Caller = { tenant, sub: 'staff-manager', roles: ['MANAGER'] };
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp();
  const ok = async (query: string, variables: Record<string, unknown>, caller: Caller) =>
    dataOf(await t.graphql(query, variables, caller));
  const report = async () =>
    (
      await ok(
        reportMutation,
        { input: medicationReport(), key: newKey() },
        { tenant, sub: 'staff-reporter', roles: ['REPORTER'] },
      )
    ).nearMiss;
  // One acknowledged near miss to triage; one triaged with an action for everything after triage.
  const toTriage = await report();
  await ok(acknowledgeMutation, { id: toTriage.id, v: toTriage.version }, manager);
  const triaged = await report();
  const acknowledged = await ok(acknowledgeMutation, { id: triaged.id, v: triaged.version }, manager);
  await ok(
    triageMutation,
    {
      input: {
        nearMissId: triaged.id,
        expectedVersion: acknowledged.version,
        route: 'MEDICATION_SAFETY_REVIEW',
        justCulture: 'SYSTEM_ISSUE',
        rationale: 'MAR layout',
      },
    },
    manager,
  );
  const action = await ok(
    addActionMutation,
    {
      input: {
        nearMissIds: [triaged.id],
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
    { input: { actionId: action.id, method: 'AUDIT', firstDueAt: inAWeek, everyDays: 7, count: 1 } },
    manager,
  );
  Object.assign(ids, { toTriage: toTriage.id, nearMiss: triaged.id, action: action.id, check: check.id });
});
afterAll(async () => t?.stop());

const fragments = [
  "'; DROP TABLE near_miss; --",
  '<script>alert(1)</script>',
  'before\u0000after',
  '\ud800',
  '👩‍⚕️💊',
  '',
  ' ',
  'x'.repeat(10_000),
  '$$; RESET ROLE; $$',
];
const hostile = fc.oneof(
  fc.string(),
  fc.constantFrom(...fragments),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 60 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string(), { maxKeys: 3 }),
);

/** Rows and versions of the tenant: a refused mutation must leave them as they were. */
async function snapshot(): Promise<string> {
  const [row] = await t.app.database.dataSource.query(
    `SELECT (SELECT json_agg(json_build_object('v', version, 's', status) ORDER BY id) FROM near_miss WHERE tenant_id = $1) AS near_misses,
            (SELECT count(*) FROM audit_event WHERE tenant_id = $1) AS audit, (SELECT count(*) FROM outbox_event WHERE tenant_id = $1) AS outbox,
            (SELECT count(*) FROM near_miss_triage WHERE tenant_id = $1) AS triage, (SELECT count(*) FROM gate_completion WHERE tenant_id = $1) AS gates,
            (SELECT count(*) FROM reporter_feedback WHERE tenant_id = $1) AS feedback, (SELECT count(*) FROM corrective_action WHERE tenant_id = $1) AS actions,
            (SELECT count(*) FROM verification_check WHERE tenant_id = $1) AS checks`,
    [tenant],
  );
  return JSON.stringify(row);
}

async function currentVersion(id: string): Promise<number> {
  const [row] = await t.app.database.dataSource.query(`SELECT version FROM near_miss WHERE id = $1`, [id]);
  return row.version;
}

/** `valid`: a value that makes the call acceptable, mixed in so the fuzzing also reaches the writes (undefined: the call is always refused). */
type Case = {
  name: string;
  query: string;
  target?: 'toTriage';
  valid?: unknown;
  variables: (value: unknown, version: number) => Record<string, unknown>;
};
const cases: Case[] = [
  {
    name: 'triageNearMiss',
    query: triageMutation,
    target: 'toTriage',
    valid: 'The MAR layout needs a redesign',
    variables: (value, version) => ({
      input: {
        nearMissId: ids.toTriage,
        expectedVersion: version,
        route: 'OPERATIONAL_FIX',
        overrideReason: value,
        justCulture: 'SYSTEM_ISSUE',
        rationale: value,
      },
    }),
  },
  {
    name: 'completeGateItem',
    query: gateMutation,
    valid: 'record-reconciled',
    variables: (value, version) => ({ id: ids.nearMiss, key: value, v: version, note: value }),
  },
  {
    name: 'closeNearMiss',
    query: closeMutation,
    variables: (value, version) => ({ id: ids.nearMiss, v: version, outcome: value }),
  },
  // Gates are open on this near miss: closing is always refused (GATE_BLOCKED).
  {
    name: 'sendReporterFeedback',
    query: feedbackMutation,
    valid: 'Thank you',
    variables: (value) => ({ id: ids.nearMiss, message: value }),
  },
  {
    name: 'addCorrectiveAction',
    query: addActionMutation,
    valid: 'Checklist on the round',
    variables: (value) => ({
      input: {
        nearMissIds: [ids.nearMiss],
        title: value,
        ownerId: value,
        dueBy: inAWeek,
        strength: 'INTERMEDIATE',
        evidenceRequired: [value],
        target: value,
      },
    }),
  },
  {
    name: 'scheduleVerification',
    query: scheduleMutation,
    valid: 7,
    variables: (value) => ({
      input: { actionId: ids.action, method: 'AUDIT', firstDueAt: inAWeek, everyDays: value, count: 1 },
    }),
  },
  {
    name: 'recordVerificationResult',
    query: recordResultMutation,
    valid: 'AUD-1',
    variables: (value) => ({ id: ids.check, result: 'PARTIAL', evidence: [value], notes: value }),
  },
];

describe('the learning loop under hostile input', () => {
  it.each(cases)(
    '$name answers data or a coded error and a refusal writes nothing',
    async ({ query, variables, target, valid }) => {
      let accepted = 0;
      await fc.assert(
        fc.asyncProperty(
          valid === undefined
            ? hostile
            : fc.oneof({ weight: 4, arbitrary: hostile }, { weight: 1, arbitrary: fc.constant(valid) }),
          async (value) => {
            const before = await snapshot();
            const result = await t.graphql(
              query,
              variables(value, await currentVersion(ids[target ?? 'nearMiss'])),
              manager,
            );
            expect(result.status).toBeLessThan(500);
            if (result.errors) {
              for (const error of result.errors) expect(codes).toContain(error.extensions?.code);
              expect(await snapshot()).toBe(before);
            } else {
              accepted += 1;
            }
          },
        ),
        { numRuns: runs },
      );
      // The fuzzing reached the writes, not only the validation in front of them.
      if (valid !== undefined) expect(accepted).toBeGreaterThan(0);
    },
  );
});
