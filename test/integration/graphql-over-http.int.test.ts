import { serverAudits } from 'graphql-http';
import { startTestApp, uniqueTenant, type TestApp } from '../support/test-app';

// The GraphQL-over-HTTP spec's server audits (graphql-http), with the limits,
// CSRF prevention and error masking in place: every MUST passes.

let t: TestApp;
let authorization: string;
beforeAll(async () => {
  t = await startTestApp();
  authorization = `Bearer ${await t.token({ tenant: uniqueTenant('audit'), roles: ['ADMIN'] })}`;
});
afterAll(async () => t?.stop());

/** The audits' requests, as an authenticated client sends them. */
const fetchWithToken = (input: string | URL | Request, init: RequestInit = {}) => {
  const headers = new Headers(init.headers);
  headers.set('authorization', authorization);
  return fetch(input, { ...init, headers });
};

const audits = serverAudits({ url: () => t.url, fetchFn: fetchWithToken });
const required = audits.filter((audit) => audit.name.startsWith('MUST'));

it('has the spec audits to run', () => {
  expect(required.length).toBeGreaterThanOrEqual(13);
});

it.each(required.map((audit) => [audit.name, audit] as const))('%s', async (_name, audit) => {
  const result = await audit.fn();
  expect(result.status === 'ok' ? 'ok' : `${result.status}: ${result.reason}`).toBe('ok');
});
