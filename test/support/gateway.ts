import { join } from 'node:path';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { composeSupergraph, readRoverConfig } from '../../subgraph/federation/supergraph';

/**
 * A real @apollo/gateway over the supergraph composed from rover.yaml, with
 * routing URLs replaced by the running test servers. It forwards the caller's
 * Authorization header to the subgraphs, as the suite's gateway does.
 */
export async function startGateway(urls: Record<string, string>): Promise<{ url: string; stop(): Promise<void> }> {
  const subgraphs = readRoverConfig(join(__dirname, '..', '..', 'rover.yaml')).map((subgraph) => ({
    ...subgraph,
    url: urls[subgraph.name] ?? subgraph.url,
  }));
  const gateway = new ApolloGateway({
    supergraphSdl: composeSupergraph(subgraphs),
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource<{ authorization?: string }>({
        url,
        willSendRequest({ request, context }) {
          if (context.authorization) request.http?.headers.set('authorization', context.authorization);
        },
      }),
  });
  const server = new ApolloServer({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: ({ req }) => Promise.resolve({ authorization: req.headers.authorization }),
  });
  return { url, stop: () => server.stop() };
}
