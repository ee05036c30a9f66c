import 'reflect-metadata';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
} from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import autocannon from 'autocannon';
import { parse } from 'graphql';
import { startApp } from '../subgraph/app';
import { signToken } from '../subgraph/auth/jwt';
import { Role } from '../subgraph/auth/role';
import { createLogger } from '../subgraph/common/logger';
import { loadConfig } from '../subgraph/config';

// npm run bench:constant-field [-- --seconds 10 --connections 10]
// Requests per second for `{ __typename }` (no database work) from this
// subgraph, with its token check, limits, logs and metrics, against a minimal
// Apollo subgraph (one entity, @apollo/server's standalone HTTP server, the
// same disabled plugins) in the same process, one after the other. The
// performance goal is a ratio of at least 0.9.

const argument = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const seconds = argument('seconds', 10);
const connections = argument('connections', 10);
const body = JSON.stringify({ query: '{ __typename }' });

async function measure(url: string, authorization?: string): Promise<number> {
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body,
    connections,
    duration: seconds,
  });
  if (result.non2xx || result.errors) throw new Error(`${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return result.requests.average;
}

async function main() {
  const minimal = new ApolloServer({
    schema: buildSubgraphSchema({
      typeDefs: parse(`type Query { thing: Thing } type Thing @key(fields: "id") { id: ID! }`),
      resolvers: { Query: { thing: () => null } },
    }),
    plugins: [ApolloServerPluginCacheControlDisabled(), ApolloServerPluginInlineTraceDisabled()],
  });
  const { url: minimalUrl } = await startStandaloneServer(minimal, { listen: { port: 0 } });
  const config = loadConfig({
    ...process.env,
    PORT: '0',
    NODE_ENV: 'production',
    AUTH_JWT_SECRET: 'bench-secret-that-is-long-enough-for-hs256-0123456789',
    WEBHOOK_SECRET_KEY: '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff',
    WEBHOOK_DISPATCH_ENABLED: 'false',
  });
  const app = await startApp(config, { inMemory: true, logger: createLogger('silent') });
  const token = await signToken(config.auth.jwtSecret, {
    sub: 'bench',
    tenant: 'bench',
    roles: [Role.REPORTER],
    services: ['*'],
  });
  try {
    // Warm both up, then measure each in turn.
    await measure(minimalUrl);
    await measure(app.url, `Bearer ${token}`);
    const baseline = await measure(minimalUrl);
    const subgraph = await measure(app.url, `Bearer ${token}`);
    process.stdout.write(
      `{ __typename }, ${connections} connections, ${seconds} s each\n` +
        `minimal Apollo subgraph: ${Math.round(baseline)} req/s\n` +
        `near-miss subgraph:      ${Math.round(subgraph)} req/s\n` +
        `ratio:                   ${(subgraph / baseline).toFixed(2)}\n`,
    );
  } finally {
    await app.stop(0);
    await minimal.stop();
  }
}

void main();
