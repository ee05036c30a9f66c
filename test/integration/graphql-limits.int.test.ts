import { request as httpRequest } from 'node:http';
import { maxBodyBytes } from '../../subgraph/server/http-server';
import { queryLimits } from '../../subgraph/server/query-limits';
import { medicationReport, newKey, reportMutation } from '../support/reports';
import { startTestApp, uniqueTenant, type Caller, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.stop());

const admin = (): Caller => ({ tenant: uniqueTenant('limits'), roles: ['ADMIN'], services: ['*'] });

/** `nearMisses { edges { node { person { nearMisses { edges { node { ... id } } } } } } }` exactly `depth` levels deep. */
function queryOfDepth(depth: number): string {
  let levels = ['nearMisses', 'edges', 'node'];
  while (levels.length < depth - 1) levels = [...levels, 'person', 'nearMisses', 'edges', 'node'];
  levels = levels.slice(0, depth - 1);
  // A cut that ends on a connection or a person still needs a scalar leaf.
  const leaf = { nearMisses: 'totalCount', edges: 'cursor', node: 'id', person: 'id' }[levels.at(-1)!];
  return `{ ${levels.map((field) => `${field} {`).join(' ')} ${leaf} ${'}'.repeat(levels.length)} }`;
}

async function post(
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const response = await fetch(t.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await t.token(admin())}`, ...headers },
    body,
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

describe('query limits (graphql-armor, and our cost)', () => {
  it(`refuses a depth-20 query with BAD_USER_INPUT naming the limit, and serves depth ${queryLimits.maxDepth}`, async () => {
    const refused = await t.graphql(queryOfDepth(20), {}, admin());
    expect(refused.status).toBe(400);
    expect(refused.errors).toContainEqual(
      expect.objectContaining({
        message: `Query depth limit of ${queryLimits.maxDepth} exceeded, found 20.`,
        extensions: expect.objectContaining({
          code: 'BAD_USER_INPUT',
          fields: [{ path: 'query', message: expect.stringContaining('depth') }],
        }),
      }),
    );
    const atLimit = await t.graphql(queryOfDepth(queryLimits.maxDepth), {}, admin());
    expect(atLimit.errors).toBeUndefined();
    expect(atLimit.data!.nearMisses.edges).toEqual([]);
  });

  it('refuses a 1,000-alias query, and serves one at the alias limit', async () => {
    const aliases = (count: number) =>
      `{ ${Array.from({ length: count }, (_, index) => `a${index}: categories { key }`).join(' ')} }`;
    const refused = await t.graphql(aliases(1000), {}, admin());
    expect(refused.status).toBe(400);
    expect(refused.errors).toEqual([
      expect.objectContaining({
        message: `Aliases limit of ${queryLimits.maxAliases} exceeded, found 1000.`,
        extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }),
      }),
    ]);
    const atLimit = await t.graphql(aliases(queryLimits.maxAliases), {}, admin());
    expect(atLimit.errors).toBeUndefined();
    expect(Object.keys(atLimit.data!)).toHaveLength(queryLimits.maxAliases);
  });

  it('refuses a query that fans out too far, and serves a full page of near misses with every field', async () => {
    const fanOut = `query($first: Int) { nearMisses(first: $first) { edges { node { person {
      nearMisses(first: $first) { edges { node { id correctiveActions { id } } } } } } } } }`;
    const refused = await t.graphql(fanOut, { first: 100 }, admin());
    expect(refused.status).toBe(400);
    expect(refused.errors?.[0]).toMatchObject({
      message: expect.stringMatching(new RegExp(`^Query cost limit of ${queryLimits.maxCost} exceeded, found \\d+`)),
      extensions: { code: 'BAD_USER_INPUT', fields: [{ path: 'query' }] },
    });

    const fullPage = `{ nearMisses(first: 100) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node {
      id reference serviceId status occurredAt detectedAt reportedAt setting whatHappened howDetected whatPreventedHarm
      preventionReliability immediateActions whatMadeThisPossible contributingFactors workflowStage potentialHarm details
      categoryVersion suggestedRoute sameDay triageDueBy suggestedNotify version
      category { key label } reportedBy { id } staffInvolved { id } person { id } visit { id } medicationRecord { id }
      shift { id } carePlan { id } gates { key label done } timeline { at action actor { id } }
    } } } }`;
    const served = await t.graphql(fullPage, {}, admin());
    expect(served.errors).toBeUndefined();
  });

  it(`refuses a document of more than ${queryLimits.maxTokens} tokens before validating it`, async () => {
    const result = await t.graphql(`{ categories { ${'key '.repeat(queryLimits.maxTokens)} } }`, {}, admin());
    expect(result.status).toBe(400);
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining(`more that ${queryLimits.maxTokens} tokens`),
        extensions: { code: 'GRAPHQL_PARSE_FAILED' },
      }),
    ]);
  });

  it('caps first at 100 on lists and host-entity lists', async () => {
    const list = await t.graphql(`{ nearMisses(first: 101) { totalCount } }`, {}, admin());
    expect(list.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: 'first' }] });
    const entities = await t.graphql(
      // Within the cost budget (one representation), so the resolver's cap answers.
      `query($r: [_Any!]!, $first: Int) { _entities(representations: $r) { ... on Person { nearMisses(first: $first) { totalCount } } } }`,
      { r: [{ __typename: 'Person', id: 'person-1' }], first: 5000 },
      admin(),
    );
    expect(entities.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: 'first' }] });
    expect((await t.graphql(`{ nearMisses(first: 100) { totalCount } }`, {}, admin())).errors).toBeUndefined();
  });
});

describe('HTTP limits', () => {
  it('refuses a 5 MB body with 413 and a JSON error, declared or streamed', async () => {
    const body = JSON.stringify({
      query: '{ categories { key } }',
      variables: { padding: 'x'.repeat(5 * 1024 * 1024) },
    });
    const declared = await post(body, { 'x-request-id': 'too-large-1' });
    expect(declared.status).toBe(413);
    expect(declared.headers.get('x-request-id')).toBe('too-large-1');
    expect(declared.body).toEqual({
      errors: [
        { message: `Request body is larger than ${maxBodyBytes} bytes`, extensions: { code: 'PAYLOAD_TOO_LARGE' } },
      ],
    });

    // Chunked: no Content-Length, so the limit is found while reading.
    const token = await t.token(admin());
    const streamed = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const outgoing = httpRequest(
        t.url,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${token}`,
            'transfer-encoding': 'chunked',
          },
        },
        (incoming) => {
          let text = '';
          incoming.on('data', (chunk: Buffer) => (text += chunk.toString()));
          incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, body: text }));
        },
      );
      outgoing.on('error', reject);
      for (let offset = 0; offset < body.length; offset += 64 * 1024)
        outgoing.write(body.slice(offset, offset + 64 * 1024));
      outgoing.end();
    });
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('lets a large report (900 kB) through to validation, which names the field', async () => {
    const caller: Caller = { tenant: uniqueTenant(), roles: ['REPORTER'] };
    const result = await t.graphql(
      reportMutation,
      { input: medicationReport({ whatHappened: 'x'.repeat(900_000) }), key: newKey() },
      caller,
    );
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: 'whatHappened' }] });
  });

  it('refuses batched requests', async () => {
    const batch = await post(
      JSON.stringify([{ query: '{ categories { key } }' }, { query: '{ categories { label } }' }]),
    );
    expect(batch.status).toBe(400);
    expect(batch.body.errors[0].message).toMatch(/batching/i);
  });

  it('refuses requests a browser could send cross-site (CSRF prevention)', async () => {
    const simplePost = await post(JSON.stringify({ query: '{ categories { key } }' }), {
      'content-type': 'text/plain',
    });
    expect(simplePost.status).toBe(400);
    expect(simplePost.body.errors[0].message).toMatch(/Cross-Site Request Forgery/);
    const get = await fetch(`${t.url}?query=${encodeURIComponent('{ categories { key } }')}`, {
      headers: { authorization: `Bearer ${await t.token(admin())}` },
    });
    expect(get.status).toBe(400);
    expect(await get.text()).toMatch(/Cross-Site Request Forgery/);
  });

  it('suggests field names outside production (see below for production)', async () => {
    const result = await t.graphql('{ nearMisss { totalCount } }', {}, admin());
    expect(result.errors?.[0].message).toMatch(/Did you mean/);
  });
});

describe('in production', () => {
  let production: TestApp;
  beforeAll(async () => {
    production = await startTestApp({ env: { NODE_ENV: 'production' } });
  });
  afterAll(async () => production?.stop());

  it('refuses introspection but still gives the gateway the SDL through _service', async () => {
    for (const query of ['{ __schema { types { name } } }', '{ __type(name: "NearMiss") { fields { name } } }']) {
      const result = await production.graphql(query, {}, admin());
      expect(result.status).toBe(400);
      expect(result.errors?.[0]).toMatchObject({
        message: expect.stringMatching(/introspection is not allowed/i),
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      });
    }
    const sdl = await production.graphql('{ _service { sdl } }', {}, admin());
    expect(sdl.errors).toBeUndefined();
    expect(sdl.data!._service.sdl).toMatch(/type NearMiss\s+@key\(fields: "id"\)/);
  });

  it('does not suggest field names', async () => {
    const result = await production.graphql('{ nearMisss { totalCount } }', {}, admin());
    expect(result.errors?.[0].message).toMatch(/Cannot query field "nearMisss"/);
    expect(JSON.stringify(result.errors)).not.toMatch(/Did you mean|nearMisses/);
  });

  it('masks an unexpected error (no SQL, stack or internals) and gives the request id that finds it in the log', async () => {
    const logged: Record<string, unknown>[] = [];
    const logger = production.app.services.logger;
    const original = logger.error.bind(logger);
    logger.error = (message, fields) => void logged.push({ message, ...fields });
    try {
      await production.app.database.dataSource.query('ALTER TABLE near_miss RENAME TO near_miss_hidden');
      const response = await fetch(production.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-request-id': 'req-forced-failure-1',
          authorization: `Bearer ${await production.token(admin())}`,
        },
        body: JSON.stringify({ query: '{ nearMisses { totalCount } }' }),
      });
      const text = await response.text();
      expect(response.headers.get('x-request-id')).toBe('req-forced-failure-1');
      expect(JSON.parse(text).errors).toEqual([
        {
          message: 'Internal server error',
          path: ['nearMisses', 'totalCount'],
          locations: [{ line: 1, column: 16 }],
          extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-forced-failure-1' },
        },
      ]);
      expect(text).not.toMatch(/near_miss|relation|SELECT|QueryFailed|tenant|\.ts:|\bat /i);
      expect(logged).toContainEqual(
        expect.objectContaining({
          requestId: 'req-forced-failure-1',
          error: expect.stringMatching(/relation "…" does not exist/),
        }),
      );
    } finally {
      logger.error = original;
      await production.app.database.dataSource.query('ALTER TABLE near_miss_hidden RENAME TO near_miss');
    }
  });

  it('does not echo a request id that is not a plain token', async () => {
    const response = await fetch(production.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-request-id': '<script>alert(1)</script>',
        authorization: `Bearer ${await production.token(admin())}`,
      },
      body: JSON.stringify({ query: '{ categories { key } }' }),
    });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
