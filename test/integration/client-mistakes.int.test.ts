import { connect } from 'node:net';
import { SignJWT } from 'jose';
import { maxDocumentNesting } from '../../subgraph/server/document-nesting';
import { startTestApp, testSecret, uniqueTenant, type TestApp } from '../support/test-app';

// Every client mistake the security review found answers a coded 4xx-class
// error (never INTERNAL_SERVER_ERROR), and leaves no "unexpected error" with a
// stack in the log. The fuzzer (client-mistakes.fuzz.test.ts) looks for more.

let t: TestApp;
let logged: string[];
let admin: string;
beforeAll(async () => {
  t = await startTestApp();
  admin = `Bearer ${await t.token({ tenant: uniqueTenant('mistakes'), roles: ['ADMIN'] })}`;
});
afterAll(async () => t?.stop());
beforeEach(() => {
  logged = [];
  jest.spyOn(t.app.services.logger, 'error').mockImplementation((message) => void logged.push(message));
});
afterEach(() => jest.restoreAllMocks());

interface Answer {
  status: number;
  codes: string[];
  messages: string[];
  fields: string[];
}

async function send(body: Record<string, unknown>, authorization = admin, method = 'POST'): Promise<Answer> {
  const init: RequestInit =
    method === 'POST'
      ? { method, headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify(body) }
      : { method, headers: { authorization, 'apollo-require-preflight': 'true' } };
  const search = method === 'GET' ? `?${new URLSearchParams(body as Record<string, string>).toString()}` : '';
  const response = await fetch(`${t.url}${search}`, init);
  const { errors = [] } = (await response.json()) as {
    errors?: { message: string; extensions?: { code: string; fields?: { path: string }[] } }[];
  };
  return {
    status: response.status,
    codes: errors.map((error) => error.extensions?.code ?? 'none'),
    messages: errors.map((error) => error.message),
    fields: errors.flatMap((error) => error.extensions?.fields?.map((field) => field.path) ?? []),
  };
}

const now = () => Math.floor(Date.now() / 1000);
const year = 365 * 24 * 3600;
async function bearer(claims: Record<string, unknown>, sub = 'staff-1', iat = now(), exp = now() + 600) {
  const jwt = await new SignJWT({ tenant: uniqueTenant('mistakes'), roles: ['ADMIN'], services: ['*'], ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(testSecret));
  return `Bearer ${jwt}`;
}

describe('tokens', () => {
  const viewer = { query: '{ viewer { staffId tenantId } }' };

  it.each([
    ['exp 100 years ahead', () => bearer({}, 'staff-1', now(), now() + 100 * year)],
    ['iat a year in the future', () => bearer({}, 'staff-1', now() + year, now() + year + 600)],
    ['a NUL in the tenant claim', () => bearer({ tenant: 'tenant\u0000x' })],
    ['a NUL in sub', () => bearer({}, 'staff\u0000')],
    ['a NUL in a service', () => bearer({ services: ['north\u0000'] })],
  ])('refuses a token with %s: 401 UNAUTHENTICATED', async (_name, make) => {
    const answer = await send(viewer, await make());
    expect(answer).toMatchObject({ status: 401, codes: ['UNAUTHENTICATED'] });
    expect(logged).toEqual([]);
  });

  it('still accepts an ordinary token', async () => {
    const answer = await send(viewer, await bearer({}));
    expect(answer).toMatchObject({ status: 200, codes: [] });
  });
});

describe('_entities representations', () => {
  const entities = (representations: unknown) => ({
    query: `query($r: [_Any!]!) { _entities(representations: $r) { __typename ... on NearMiss { id } ... on Person { id nearMisses { totalCount } } ... on Visit { id linked: nearMisses { id } } } }`,
    variables: { r: representations },
  });

  it.each([
    ['a NUL in a NearMiss id', [{ __typename: 'NearMiss', id: 'a\u0000' }], 'representations.0.id'],
    ['a NUL in a Person id', [{ __typename: 'Person', id: 'person\u0000' }], 'representations.0.id'],
    ['a NUL in a Visit id', [{ __typename: 'Visit', id: 'visit-1\u0000' }], 'representations.0.id'],
    ['an unpaired surrogate in an id', [{ __typename: 'Person', id: 'x\ud800' }], 'representations.0.id'],
    ['a NUL in an extra key', [{ __typename: 'Person', id: 'p', 'x\u0000': 1 }], 'representations.0'],
    ['no __typename', [{ id: 'person-1' }], 'representations.0.__typename'],
    ['a null __typename', [{ __typename: null, id: 'person-1' }], 'representations.0.__typename'],
    ['an unknown __typename', [{ __typename: 'Nope', id: 'person-1' }], 'representations.0.__typename'],
    ['a root type as __typename', [{ __typename: 'Query', id: 'x' }], 'representations.0.__typename'],
    ['a number as __typename', [{ __typename: 7, id: 'x' }], 'representations.0.__typename'],
    ['no id', [{ __typename: 'NearMiss' }], 'representations.0.id'],
    ['a number id', [{ __typename: 'Person', id: 5 }], 'representations.0.id'],
    ['an object id', [{ __typename: 'Person', id: { a: 1 } }], 'representations.0.id'],
    ['a string representation', ['Person'], 'representations.0'],
    ['a list representation', [[{ __typename: 'Person', id: 'p' }]], 'representations.0'],
    [
      'a good one before a bad one',
      [{ __typename: 'Person', id: 'p' }, { __typename: 'X' }],
      'representations.1.__typename',
    ],
  ])('refuses %s: BAD_USER_INPUT naming it', async (_name, representations, path) => {
    const answer = await send(entities(representations));
    expect(answer).toMatchObject({ status: 200, codes: ['BAD_USER_INPUT'] });
    expect(answer.fields).toContain(path);
    expect(logged).toEqual([]);
  });

  it('still resolves good representations', async () => {
    const answer = await send(
      entities([
        { __typename: 'Person', id: 'person-1' },
        { __typename: 'NearMiss', id: '00000000-0000-4000-8000-000000000000' },
      ]),
    );
    expect(answer).toMatchObject({ status: 200, codes: [] });
  });
});

describe('operations', () => {
  it.each([
    ['a subscription', { query: 'subscription { viewer { staffId } }' }, 400, 'GRAPHQL_VALIDATION_FAILED'],
    ['an unknown operationName', { query: 'query A { viewer { staffId } }', operationName: 'B' }, 400, 'BAD_REQUEST'],
    [
      'two operations and no operationName',
      { query: 'query A { viewer { staffId } } query B { viewer { tenantId } }' },
      400,
      'BAD_REQUEST',
    ],
    [
      'an APQ hash that does not match its query',
      { query: '{ viewer { staffId } }', extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } } },
      400,
      'BAD_REQUEST',
    ],
    ['a NUL in the document', { query: '{ viewer { staffId } }\u0000' }, 400, 'GRAPHQL_PARSE_FAILED'],
    [
      'a NUL in an argument',
      { query: 'query($id: ID!) { nearMiss(id: $id) { id } }', variables: { id: 'x\u0000' } },
      200,
      'BAD_USER_INPUT',
    ],
    [
      "a NUL in a nested field's argument",
      {
        query: `query($r: [_Any!]!, $f: NearMissFilter) {
          _entities(representations: $r) { ... on Person { nearMisses(filter: $f) { totalCount } } } }`,
        variables: { r: [{ __typename: 'Person', id: 'person-1' }], f: { serviceIds: ['north\u0000'] } },
      },
      200,
      'BAD_USER_INPUT',
    ],
  ])('refuses %s', async (_name, body, status, code) => {
    expect(await send(body)).toMatchObject({ status, codes: [code] });
    expect(logged).toEqual([]);
  });
});

describe('deeply nested documents', () => {
  const deep = (depth: number, open: string, close: string, inner = '') =>
    `${open.repeat(depth)}${inner}${close.repeat(depth)}`;

  it.each([
    ['a 10,000-deep list literal', `{ nearMisses(filter: { categories: ${deep(10_000, '[', ']')} }) { totalCount } }`],
    ['a 10,000-deep object literal', `{ nearMisses(filter: ${deep(10_000, '{ a: ', ' }', '1')}) { totalCount } }`],
    ['a 10,000-deep selection', `{ ${deep(10_000, 'viewer { ', ' }', 'staffId')} }`],
    ['a 3,000-deep list literal', `{ nearMisses(filter: { categories: ${deep(3_000, '[', ']')} }) { totalCount } }`],
  ])('refuses %s with GRAPHQL_PARSE_FAILED naming the limit', async (_name, query) => {
    const answer = await send({ query });
    expect(answer).toEqual({
      status: 400,
      codes: ['GRAPHQL_PARSE_FAILED'],
      messages: [`Syntax Error: Document nests brackets more than ${maxDocumentNesting} levels deep.`],
      fields: [],
    });
    expect(logged).toEqual([]);
  });

  it('refuses one sent with GET too', async () => {
    // Deep enough to overflow the parser, short enough for a URL.
    const query = `{ nearMisses(filter: { categories: ${deep(2_000, '[', ']')} }) { totalCount } }`;
    expect(await send({ query }, admin, 'GET')).toMatchObject({ status: 400, codes: ['GRAPHQL_PARSE_FAILED'] });
  });

  it(`parses a list literal ${maxDocumentNesting - 5} deep (and refuses it as the wrong type)`, async () => {
    const answer = await send({
      query: `{ nearMisses(filter: { categories: ${deep(maxDocumentNesting - 5, '[', ']')} }) { totalCount } }`,
    });
    expect(answer.status).toBe(400);
    expect(answer.codes).not.toContain('GRAPHQL_PARSE_FAILED');
    expect(answer.codes).not.toContain('INTERNAL_SERVER_ERROR');
  });

  it('does not count brackets in strings, block strings or comments', async () => {
    const brackets = '['.repeat(5_000);
    const answer = await send({
      query: `# ${brackets}\n{ nearMiss(id: "${brackets}\\"${brackets}") { id } a: nearMiss(id: """${brackets}\\"""${brackets}""") { id } }`,
    });
    expect(answer).toMatchObject({ status: 200, codes: [] });
  });
});

/** Sends raw bytes and returns the status line of the answer. */
function rawStatusLine(bytes: string): Promise<string> {
  const { hostname, port } = new URL(t.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname === 'localhost' ? '127.0.0.1' : hostname, () => socket.write(bytes));
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (received.includes('\r\n')) {
        socket.destroy();
        resolve(received.slice(0, received.indexOf('\r\n')));
      }
    });
    socket.on('error', reject);
  });
}

describe('the HTTP layer', () => {
  it.each(['http://[', 'http://a b', '//[::1'])(
    'answers the request target %s with 400 and stays up',
    async (target) => {
      expect(await rawStatusLine(`GET ${target} HTTP/1.1\r\nHost: x\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400 /);
      expect((await fetch(t.url.replace('/graphql', '/healthz'))).status).toBe(200);
    },
  );

  it('answers a body that is not JSON with 400 BAD_REQUEST', async () => {
    const response = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: admin },
      body: '{"query": ',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe(
      'BAD_REQUEST',
    );
  });
});
