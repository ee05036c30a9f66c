import { startGateway } from './gateway';
import { startHostSuite } from './host-suite';
import { startTestApp, type Caller, type GraphqlResponse, type TestApp } from './test-app';

export { dataOf } from './test-app';

/** This subgraph, the host suite and a real gateway over both, for one test file. */
export interface FederatedWorld {
  subgraph: TestApp;
  gatewayUrl: string;
  /** Runs an operation through the gateway as the caller. */
  viaGateway<T = Record<string, any>>(
    query: string,
    variables: Record<string, unknown>,
    caller?: Caller,
  ): Promise<GraphqlResponse<T>>;
  stop(): Promise<void>;
}

export async function startFederatedWorld(options: Parameters<typeof startTestApp>[0] = {}): Promise<FederatedWorld> {
  const subgraph = await startTestApp(options);
  const host = await startHostSuite();
  const gateway = await startGateway({ 'care-suite': host.url, 'near-miss': subgraph.url });
  return {
    subgraph,
    gatewayUrl: gateway.url,
    viaGateway: (query, variables, caller) => subgraph.graphql(query, variables, caller, gateway.url),
    async stop() {
      await gateway.stop();
      await host.stop();
      await subgraph.stop();
    },
  };
}
