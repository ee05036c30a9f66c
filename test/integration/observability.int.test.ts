import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../subgraph/common/logger';
import { medicationReport, newKey, reportMutation } from '../support/reports';
import { startTestApp, uniqueTenant, type Caller, type TestApp } from '../support/test-app';

// What an operator sees: one JSON log line per request with its id,
// operation, tenant, role, duration and error codes (and no person or free
// text), the Prometheus series at /metrics, and a trace span that joins the
// caller's W3C trace context.

const lines: Record<string, any>[] = [];
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({
    logger: createLogger('info', (line) => lines.push(JSON.parse(line) as Record<string, any>)),
  });
});
afterAll(async () => t?.stop());

const reporter: Caller = { sub: 'staff-obs-7', tenant: uniqueTenant('obs'), roles: ['REPORTER'] };

async function post(body: unknown, headers: Record<string, string> = {}, url = t.url) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await t.token(reporter)}`, ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

describe('the request log', () => {
  it('has one line per request with its id, operation, tenant, role, duration and codes, and no person or text', async () => {
    const input = medicationReport({ personId: 'person-obs-42', whatHappened: 'A distinctive sentence 7f3a.' });
    const answer = await post(
      { query: reportMutation, variables: { input, key: newKey() } },
      { 'x-request-id': 'obs-1' },
    );
    expect(answer.body.errors).toBeUndefined();
    expect(answer.headers.get('x-request-id')).toBe('obs-1');
    const refused = await post(
      { query: reportMutation, variables: { input: { ...input, serviceId: '' }, key: newKey() } },
      { 'x-request-id': 'obs-2' },
    );
    expect(refused.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');

    const logged = (id: string) => lines.filter((line) => line.message === 'request' && line.requestId === id);
    expect(logged('obs-1')).toEqual([
      {
        level: 'info',
        time: expect.any(String),
        message: 'request',
        requestId: 'obs-1',
        method: 'POST',
        route: '/graphql',
        status: 200,
        durationMs: expect.any(Number),
        operation: 'Report',
        operationType: 'mutation',
        tenant: reporter.tenant,
        roles: ['REPORTER'],
      },
    ]);
    expect(logged('obs-2')).toEqual([expect.objectContaining({ errorCodes: ['BAD_USER_INPUT'], status: 200 })]);
    const everything = JSON.stringify(lines);
    for (const secret of ['person-obs-42', 'staff-obs-7', '7f3a']) expect(everything).not.toContain(secret);
  });
});

describe('/metrics', () => {
  it('exposes the request, error, latency, pool, outbox, triage and webhook series', async () => {
    await post({ query: reportMutation, variables: { input: medicationReport(), key: newKey() } });
    const response = await fetch(t.url.replace('/graphql', '/metrics'));
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    for (const series of [
      /^near_miss_http_requests_total\{route="\/graphql",method="POST",status="200"\} [1-9]/m,
      /^near_miss_http_request_duration_seconds_bucket\{le="0.1",route="\/graphql",method="POST"\} \d+/m,
      /^near_miss_graphql_operations_total\{type="mutation",field="reportNearMiss"\} [1-9]/m,
      /^near_miss_graphql_operation_duration_seconds_count\{type="mutation",field="reportNearMiss"\} [1-9]/m,
      /^near_miss_graphql_errors_total\{code="BAD_USER_INPUT"\} [1-9]/m,
      /^near_miss_db_pool_connections\{state="max"\} 10$/m,
      /^near_miss_db_pool_connections\{state="waiting"\} \d+$/m,
      /^near_miss_outbox_pending \d+$/m,
      /^near_miss_outbox_oldest_pending_seconds [\d.e+-]+$/m,
      /^near_miss_outbox_dead \d+$/m,
      /^near_miss_triage_overdue \d+$/m,
      /^# TYPE near_miss_webhook_deliveries_total counter$/m,
      /^near_miss_database_up 1$/m,
      /^process_cpu_seconds_total /m,
    ])
      expect(text).toMatch(series);
    // No tenant or person in any label.
    expect(text).not.toContain(reporter.tenant);
  });

  it('asks for the metrics token when one is configured', async () => {
    const guarded = await startTestApp({ env: { METRICS_TOKEN: 'metrics-token-0123456789' } });
    try {
      const url = guarded.url.replace('/graphql', '/metrics');
      expect((await fetch(url)).status).toBe(401);
      const allowed = await fetch(url, { headers: { authorization: 'Bearer metrics-token-0123456789' } });
      expect(allowed.status).toBe(200);
    } finally {
      await guarded.stop();
    }
  });
});

describe('tracing', () => {
  let collector: Server;
  const exported: string[] = [];
  beforeAll(async () => {
    collector = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        if (request.url === '/v1/traces') exported.push(body);
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => collector.close(() => resolve())));

  it("exports a server span per request that continues the gateway's traceparent", async () => {
    const { port } = collector.address() as AddressInfo;
    const traced = await startTestApp({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` } });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parentSpanId = '00f067aa0ba902b7';
    try {
      const answer = await post(
        { query: '{ viewer { tenantId } }' },
        { traceparent: `00-${traceId}-${parentSpanId}-01` },
        traced.url,
      );
      expect(answer.body.errors).toBeUndefined();
    } finally {
      await traced.stop();
    }
    const spans = exported
      .flatMap((body) => (JSON.parse(body) as { resourceSpans: any[] }).resourceSpans)
      .flatMap((resource) => resource.scopeSpans.flatMap((scope: any) => scope.spans));
    expect(spans).toContainEqual(expect.objectContaining({ traceId, parentSpanId, name: 'POST /graphql', kind: 2 }));
  });
});
