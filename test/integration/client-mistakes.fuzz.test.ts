import fc from 'fast-check';
import type { GraphQLSchema } from 'graphql';
import { SignJWT } from 'jose';
import { ErrorCode } from '../../subgraph/common/errors';
import { createSubgraphSchema } from '../../subgraph/server/subgraph-schema';
import { entityOperations, rootOperations, type ProbeOperation, type ProbeValues } from '../support/operation-probe';
import { medicationReport, newKey, reportMutation } from '../support/reports';
import { dataOf, startTestApp, testSecret, uniqueTenant, type TestApp } from '../support/test-app';

// Property-based, against the real HTTP server: malformed GraphQL documents,
// variables, `_entities` representations, tokens and request bodies. Whatever
// the request, the answer is data or coded 4xx-class errors: never a 5xx, never
// INTERNAL_SERVER_ERROR, never an "unexpected error" in the log.
// FUZZ_SEED=<n> replays a run; CLIENT_FUZZ_RUNS=<n> runs more (or fewer).

const runs = Number(process.env.CLIENT_FUZZ_RUNS ?? 2_000);
const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
/** Requests in flight at once: enough to overlap the database's round trips, few enough for a shared CI box. */
const concurrency = 6;
/** Generous: the busiest CI box answers any of these in well under a second. */
const answerWithinMs = 30_000;

const allowedCodes = new Set<string>([
  ...Object.values(ErrorCode),
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'BAD_REQUEST',
  'PAYLOAD_TOO_LARGE',
  'PERSISTED_QUERY_NOT_FOUND',
]);

let t: TestApp;
let schema: GraphQLSchema;
const tenant = uniqueTenant('client-fuzz');
const tokens: string[] = [];
let nearMissId: string;
let operations: ProbeOperation[];

beforeAll(async () => {
  t = await startTestApp();
  schema = await createSubgraphSchema();
  const report = await t.graphql(
    reportMutation,
    { input: medicationReport({ visitId: 'visit-1', shiftId: 'shift-1' }), key: newKey() },
    { tenant, sub: 'staff-1', roles: ['REPORTER'], services: ['north'] },
  );
  nearMissId = dataOf(report).nearMiss.id;
  for (const roles of [['ADMIN'], ['REPORTER'], ['ANALYST'], ['INTEGRATION'], ['MANAGER', 'TRIAGE_LEAD']] as const)
    tokens.push(`Bearer ${await t.token({ tenant, sub: 'staff-1', roles: [...roles], services: ['*'] })}`);
  const values: ProbeValues = {
    text: (name) => (/url/i.test(name) ? 'https://127.0.0.1:9/fuzz-hook' : 'fuzz text'),
    int: () => 1,
    dateTime: new Date(Date.now() + 86_400_000).toISOString(),
    ids: (name) => (name === 'serviceId' || name === 'serviceIds' ? ['north'] : [nearMissId]),
  };
  const idsOf = (typeName: string) => (typeName === 'NearMiss' ? [nearMissId] : [`${typeName.toLowerCase()}-1`]);
  operations = [
    ...rootOperations(schema, 'query', values, 1),
    ...rootOperations(schema, 'mutation', values, 1),
    ...entityOperations(schema, idsOf, values, 1),
    // Arguments of nested fields, which the probe leaves out when optional.
    ...['Person', 'Staff'].map((type) => ({
      name: `_entities:${type} with arguments`,
      query: `query Probe($representations: [_Any!]!, $filter: NearMissFilter, $after: String, $first: Int) {
        _entities(representations: $representations) { __typename
          ... on Person { nearMisses(filter: $filter, after: $after, first: $first) { totalCount edges { cursor } } }
          ... on Staff { nearMissesReported(after: $after, first: $first) { totalCount } } } }`,
      variables: {
        representations: [{ __typename: type, id: idsOf(type)[0] }],
        filter: { serviceIds: ['north'], categories: ['medication'] },
        after: null,
        first: 5,
      },
    })),
  ];
});
afterAll(async () => t?.stop());

// ---- hostile pieces ----

const hostileText = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udc00y',
  '\u202e',
  '\ufeff',
  '"',
  '\\',
  '"""',
  '#',
  '{',
  '}',
  '[',
  ']',
  '(',
  ')',
  '$',
  '@',
  '...',
  '__typename',
  '__schema',
  "'; DROP TABLE near_miss; --",
  '${jndi:ldap://x}',
  '💊',
  'e\u0301',
  '\r\n',
  '',
];

const hostileString = fc.oneof(
  fc.constantFrom(...hostileText),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(1_000, 100_000).map((length) => 'x'.repeat(length)),
  fc.uuid(),
);

/** Nested JSON too deep to stringify recursively: written as text, spliced into the body. */
const deepJsonText = fc
  .tuple(fc.constantFrom(33, 200, 5_000, 50_000), fc.boolean())
  .map(([depth, arrays]) =>
    arrays ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
  );

/** A JSON value as text: mostly fast-check's JSON, sometimes numbers JSON cannot hold exactly, sometimes deep. */
const hostileJsonText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: hostileString.map((text) => JSON.stringify(text)) },
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('1e400', '-1e400', '2147483648', '-2147483649', '1.5', '9007199254740993', '-0'),
  },
  { weight: 2, arbitrary: fc.constantFrom('null', 'true', '[]', '{}', '[null]', '{"__proto__":{"x":1}}') },
  { weight: 1, arbitrary: deepJsonText },
);

// ---- requests ----

interface Request {
  kind: string;
  /** The body, already JSON (or not: some are deliberately broken). */
  body: string;
  authorization?: string;
  contentType?: string;
  /** Sent as GET with the body's fields in the query string (when short enough for a URL). */
  get?: boolean;
  /** A token to sign first: claims and header as given. */
  sign?: { header: Record<string, unknown>; payload: Record<string, unknown> };
}

const object = (fields: Record<string, string | undefined>) =>
  `{${Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${JSON.stringify(key)}:${value}`)
    .join(',')}}`;

const operation = () => fc.constantFrom(...operations);
const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const mapValues = (values: Record<string, unknown>): Record<string, string | undefined> =>
  Object.fromEntries(Object.entries(values).map(([name, value]) => [name, JSON.stringify(value)]));
const caller = () => fc.nat({ max: tokens.length - 1 }).map((index) => tokens[index]);

/** A valid operation whose variables are changed: replaced, removed, added, nested values swapped. */
const hostileVariables = () =>
  fc
    .tuple(
      operation(),
      fc.array(fc.tuple(fc.nat(), fc.oneof(hostileJsonText, fc.constant(undefined)), fc.boolean()), {
        minLength: 1,
        maxLength: 3,
      }),
      caller(),
    )
    .map(([probe, changes, authorization]): Request => {
      const variables: Record<string, string | undefined> = mapValues(probe.variables);
      const names = Object.keys(variables);
      for (const [pick, value, extra] of changes) {
        const name = extra || !names.length ? `extra${pick % 3}` : names[pick % names.length];
        // Inside an input object (as the probe built it) half the time: one of its fields.
        const original = probe.variables[name];
        if (value !== undefined && isRecord(original) && Object.keys(original).length && pick % 2 === 0) {
          const fields = mapValues(original);
          fields[Object.keys(fields)[pick % Object.keys(fields).length]] = value;
          variables[name] = object(fields);
        } else {
          variables[name] = value;
        }
      }
      return {
        kind: `variables of ${probe.name}`,
        body: object({ query: JSON.stringify(probe.query), variables: object(variables) }),
        authorization,
      };
    });

/** A valid document, broken: cut, spliced, nested deep, retyped, renamed. */
const hostileDocument = () =>
  fc
    .tuple(
      operation(),
      fc.array(
        fc.oneof(
          fc.record({ cut: fc.nat() }),
          fc.record({ insert: fc.oneof(hostileString, fc.constantFrom(...hostileText)), at: fc.nat() }),
          fc.record({ remove: fc.nat({ max: 20 }), at: fc.nat() }),
          fc.record({
            nest: fc.constantFrom(50, 99, 100, 101, 1_000, 10_000),
            brackets: fc.constantFrom('[]', '{}', '()'),
            at: fc.nat(),
          }),
          fc.record({ retype: fc.constantFrom('subscription', 'mutation', 'query', 'fragment', '') }),
          fc.record({
            append: fc.constantFrom(
              'fragment F on Query { ...F }',
              'query Other { viewer { staffId } }',
              'subscription S { viewer { staffId } }',
              '{ __schema { types { name } } }',
              '{ __type(name: "NearMiss") { fields { name } } }',
              'query Dup { viewer { staffId } } query Dup { viewer { tenantId } }',
              '{ viewer @skip(if: $undefined) { staffId } }',
              '{ viewer @unknown { staffId } }',
              '{ viewer { staffId ... on Query { viewer { staffId } } } }',
              '{ _service { sdl } }',
            ),
          }),
        ),
        { minLength: 1, maxLength: 3 },
      ),
      fc.oneof(
        fc.constant(undefined),
        fc.constant('"Probe"'),
        hostileString.map((name) => JSON.stringify(name)),
        fc.constantFrom('1', 'null', '[]', '{}'),
      ),
      fc.oneof(fc.constant(undefined), fc.constant('{}'), hostileJsonText),
      caller(),
      fc.nat({ max: 4 }).map((draw) => draw === 0),
    )
    .map(([probe, edits, operationName, extraVariables, authorization, get]): Request => {
      let query = probe.query;
      for (const edit of edits) {
        if ('cut' in edit) query = query.slice(0, edit.cut % (query.length + 1));
        else if ('insert' in edit) {
          const at = edit.at % (query.length + 1);
          query = `${query.slice(0, at)}${edit.insert}${query.slice(at)}`;
        } else if ('remove' in edit) {
          const at = edit.at % (query.length + 1);
          query = `${query.slice(0, at)}${query.slice(at + edit.remove)}`;
        } else if ('nest' in edit) {
          const at = edit.at % (query.length + 1);
          const [open, close] = edit.brackets;
          query = `${query.slice(0, at)}${open.repeat(edit.nest)}${close.repeat(edit.nest)}${query.slice(at)}`;
        } else if ('retype' in edit) query = query.replace(/^(query|mutation)/, edit.retype);
        else query = `${query}\n${edit.append}`;
      }
      const variables =
        extraVariables === undefined
          ? JSON.stringify(probe.variables)
          : `${JSON.stringify(probe.variables).slice(0, -1)}${Object.keys(probe.variables).length ? ',' : ''}"extra":${extraVariables}}`;
      return {
        kind: `document of ${probe.name}`,
        body: object({ query: JSON.stringify(query), variables, operationName }),
        authorization,
        get,
      };
    });

const entityTypes = ['NearMiss', 'CorrectiveAction', 'VerificationCheck', 'RiskReview', 'Person', 'Staff', 'Visit'];

/** `_entities` with representations that are mostly wrong. */
const hostileRepresentations = () => {
  const typename = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...entityTypes).map((name) => JSON.stringify(name)) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('"Query"', '"Mutation"', '"_Entity"', '"NearMissConnection"', '"nearmiss"'),
    },
    { weight: 2, arbitrary: hostileJsonText },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
  const id = fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined).map(() => JSON.stringify(nearMissId)) },
    { weight: 2, arbitrary: fc.constantFrom('"person-1"', '"visit-1"', '"00000000-0000-4000-8000-000000000000"') },
    { weight: 4, arbitrary: hostileJsonText },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
  const representation = fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .record({ typename, id })
        .map(({ typename: name, id: key }) => object({ __typename: name, id: key })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(typename, id, hostileString, hostileJsonText)
        .map(([name, key, extraKey, extra]) => object({ __typename: name, id: key, [extraKey]: extra })),
    },
    { weight: 1, arbitrary: hostileJsonText },
  );
  return fc
    .tuple(
      fc.constantFrom(...operations.filter((probe) => probe.name.startsWith('_entities:'))),
      fc.array(representation, { maxLength: 12 }),
      caller(),
    )
    .map(([probe, representations, authorization]): Request => {
      const variables = object({ ...mapValues(probe.variables), representations: `[${representations.join(',')}]` });
      return {
        kind: `representations for ${probe.name}`,
        body: object({ query: JSON.stringify(probe.query), variables }),
        authorization,
      };
    });
};

/** Authorization headers: garbage, broken JWTs, and JWTs signed with the real secret carrying hostile claims. */
const hostileToken = () => {
  const now = Math.floor(Date.now() / 1000);
  const claimValue = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(tenant, 'staff-1', 'north', '*') },
    { weight: 3, arbitrary: hostileString },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  );
  const time = fc.oneof(
    fc.constantFrom(now, now + 600, now - 600, now + 100 * 365 * 86_400, now + 365 * 86_400, 0, -1, 1e20, 1.5),
    fc.integer(),
    fc.jsonValue({ maxDepth: 1 }),
  );
  const payload = fc.record(
    {
      sub: claimValue,
      tenant: claimValue,
      roles: fc.oneof(fc.constant(['ADMIN']), fc.array(claimValue, { maxLength: 3 }), claimValue),
      services: fc.oneof(fc.constant(['*']), fc.array(claimValue, { maxLength: 3 }), claimValue),
      exp: time,
      iat: time,
      nbf: time,
      iss: claimValue,
      aud: claimValue,
    },
    { requiredKeys: [] },
  );
  const base64 = (text: string) => Buffer.from(text).toString('base64url');
  const header = fc.oneof(
    { weight: 6, arbitrary: fc.constant<Record<string, unknown>>({ alg: 'HS256' }) },
    {
      weight: 1,
      arbitrary: fc.record(
        { alg: fc.oneof(fc.constantFrom('none', 'RS256', 'ES256', 'HS512', ''), claimValue), kid: claimValue },
        { requiredKeys: [] },
      ),
    },
  );
  const authorization = fc.oneof(
    {
      weight: 5,
      arbitrary: fc.tuple(header, payload).map(([head, claims]) => ({ sign: { header: head, payload: claims } })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.jsonValue({ maxDepth: 2 }), fc.jsonValue({ maxDepth: 2 }), fc.string({ maxLength: 20 }))
        .map(([head, claims, signature]) => ({
          authorization: `Bearer ${base64(JSON.stringify(head))}.${base64(JSON.stringify(claims))}.${base64(signature)}`,
        })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom('Bearer ', 'bearer ', 'Basic ', '', 'Bearer  ', 'Bearer\t'), hostileString)
        .map(([scheme, rest]) => ({ authorization: `${scheme}${rest}` })),
    },
  );
  return fc
    .tuple(authorization, fc.constantFrom('{ viewer { staffId tenantId roles } }', '{ nearMisses { totalCount } }'))
    .map(([auth, query]): Request => ({ kind: 'token', body: object({ query: JSON.stringify(query) }), ...auth }));
};

/** Bodies that are not a GraphQL request at all, or barely. */
const hostileBody = () =>
  fc
    .tuple(
      fc.oneof(
        fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
        hostileString,
        deepJsonText,
        fc
          .record(
            {
              query: fc.oneof(hostileJsonText, fc.constant('"{ viewer { staffId } }"')),
              variables: hostileJsonText,
              operationName: hostileJsonText,
              extensions: fc.oneof(
                hostileJsonText,
                fc.constantFrom(
                  '{"persistedQuery":{"version":1,"sha256Hash":"abc"}}',
                  '{"persistedQuery":{"version":2,"sha256Hash":"abc"}}',
                  '{"persistedQuery":"x"}',
                ),
              ),
            },
            { requiredKeys: [] },
          )
          .map((fields) => object(fields)),
      ),
      fc.constantFrom(
        'application/json',
        'application/json',
        'application/graphql-response+json',
        'application/json; charset=latin1',
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
      ),
      caller(),
    )
    .map(([body, contentType, authorization]): Request => ({ kind: 'body', body, contentType, authorization }));

// ---- running ----

/** Header values must be ByteStrings without line breaks: fetch refuses others before sending. */
const headerSafe = (value: string) => value.replace(/[^\t\x20-\x7e]/g, '?');

async function send(request: Request): Promise<{ status: number; text: string }> {
  let authorization = request.authorization ?? tokens[0];
  if (request.sign) {
    const jwt = await new SignJWT(request.sign.payload)
      .setProtectedHeader(request.sign.header as { alg: string })
      .sign(new TextEncoder().encode(testSecret))
      .catch(() => undefined);
    if (jwt) authorization = `Bearer ${jwt}`;
  }
  const search = request.get ? getSearch(request.body) : undefined;
  try {
    const response = await fetch(search === undefined ? t.url : `${t.url}?${search}`, {
      method: search === undefined ? 'POST' : 'GET',
      headers: {
        'content-type': request.contentType ?? 'application/json',
        'apollo-require-preflight': 'true',
        authorization: headerSafe(authorization),
      },
      body: search === undefined ? request.body : undefined,
      signal: AbortSignal.timeout(answerWithinMs),
    });
    return { status: response.status, text: await response.text() };
  } catch (error) {
    // No answer at all (a hang, a dropped connection) is a failure too.
    return { status: 0, text: String(error) };
  }
}

/** The request's fields as GET parameters (objects as JSON), or undefined when the URL would be too long. */
function getSearch(body: string): string | undefined {
  // Encoding only lengthens it; this also keeps JSON too deep to stringify again out.
  if (body.length > 8_000) return undefined;
  let fields: Record<string, unknown>;
  try {
    fields = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const search = new URLSearchParams(
    Object.entries(fields).map(([name, value]): [string, string] => [
      name,
      typeof value === 'string' ? value : JSON.stringify(value),
    ]),
  ).toString();
  return search.length < 8_000 ? search : undefined;
}

/** What is wrong with an answer (undefined: nothing). */
function problemWith(status: number, text: string): string | undefined {
  if (status === 0) return `no answer: ${text}`;
  if (status >= 500) return `status ${status}`;
  if (![200, 400, 401, 403, 404, 405, 413, 415, 431].includes(status)) return `unexpected status ${status}`;
  let body: { errors?: { extensions?: { code?: unknown } }[] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return status === 431 ? undefined : 'answer is not JSON';
  }
  const codes = (body.errors ?? []).map((error) => String(error.extensions?.code));
  const uncoded = codes.filter((code) => !allowedCodes.has(code));
  if (uncoded.length) return `codes ${uncoded.join(', ')}`;
  if (status >= 400 && !codes.length) return `status ${status} without a coded error`;
  return undefined;
}

async function inPool<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

describe('malformed requests against the HTTP server', () => {
  it(
    `answer ${runs} of them with data or coded 4xx-class errors (seed ${seed})`,
    async () => {
      const logged: { message: string; fields?: Record<string, unknown> }[] = [];
      jest
        .spyOn(t.app.services.logger, 'error')
        .mockImplementation((message, fields) => void logged.push({ message, fields }));
      const request = fc.oneof(
        { weight: 3, arbitrary: hostileVariables() },
        { weight: 3, arbitrary: hostileDocument() },
        { weight: 2, arbitrary: hostileRepresentations() },
        { weight: 2, arbitrary: hostileToken() },
        { weight: 1, arbitrary: hostileBody() },
      );
      const requests = fc.sample(request, { numRuns: runs, seed });
      const failures: string[] = [];
      const kinds = new Map<string, number>();
      const outcomes = new Map<string, number>();
      await inPool(requests, async (item) => {
        const kind = item.kind.split(' ')[0];
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
        const { status, text } = await send(item);
        const outcome = `${item.get ? 'GET ' : ''}${status}${/"errors"/.test(text) ? '' : ' data only'}`;
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        const problem = problemWith(status, text);
        if (problem)
          failures.push(
            `${item.kind}: ${problem}\n  request: ${item.body.slice(0, 400)}\n  answer: ${text.slice(0, 400)}`,
          );
      });

      expect({ failures: failures.length, first: failures.slice(0, 10) }).toEqual({ failures: 0, first: [] });
      expect({ logged: logged.length, first: logged.slice(0, 5) }).toEqual({ logged: 0, first: [] });
      // Every kind was tried, some reached data (the fuzzer is not refused wholesale), the server still answers.
      expect(outcomes.get('200 data only') ?? 0).toBeGreaterThan(runs / 50);
      expect([...kinds.keys()].sort()).toEqual(['body', 'document', 'representations', 'token', 'variables']);
      expect((await fetch(t.url.replace('/graphql', '/healthz'))).status).toBe(200);
    },
    Math.max(180_000, runs * 60),
  );
});
