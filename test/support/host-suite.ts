import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';

/** A tiny care-management suite: the host subgraph, serving schema/host/host-suite.graphql from memory. */
export interface HostData {
  people: { id: string; name: string; serviceId: string }[];
  staff: { id: string; name: string }[];
}

export const defaultHostData: HostData = {
  people: [
    { id: 'person-1', name: 'Ada Lovelace', serviceId: 'north' },
    { id: 'person-2', name: 'Grace Hopper', serviceId: 'north' },
    { id: 'person-3', name: 'Alan Turing', serviceId: 'south' },
  ],
  staff: [
    { id: 'staff-7', name: 'Sam Carer' },
    { id: 'staff-8', name: 'Jo Supervisor' },
  ],
};

export async function startHostSuite(
  data: HostData = defaultHostData,
): Promise<{ url: string; stop(): Promise<void> }> {
  const typeDefs = parse(readFileSync(join(__dirname, '..', '..', 'schema', 'host', 'host-suite.graphql'), 'utf8'));
  const person = (id: string) =>
    data.people.find((candidate) => candidate.id === id) ?? { id, name: `Person ${id}`, serviceId: 'unknown' };
  const staff = (id: string) => data.staff.find((candidate) => candidate.id === id) ?? { id, name: `Staff ${id}` };
  const visit = (id: string) => ({
    id,
    person: person('person-1'),
    scheduledStart: '2026-01-05T08:00:00Z',
    scheduledEnd: '2026-01-05T08:30:00Z',
  });
  const medicationRecord = (id: string) => ({
    id,
    person: person('person-1'),
    medicationName: 'Levodopa 100mg',
    scheduledTime: '08:00',
    timeCritical: true,
  });
  const shift = (id: string) => ({ id, startsAt: '2026-01-05T07:00:00Z', endsAt: '2026-01-05T15:00:00Z' });
  const carePlan = (id: string) => ({ id, person: person('person-1'), lastReviewedAt: '2025-12-01' });
  const resolvers = {
    Query: {
      person: (_: unknown, { id }: { id: string }) => person(id),
      people: (_: unknown, { serviceId }: { serviceId?: string }) =>
        data.people.filter((p) => !serviceId || p.serviceId === serviceId),
      staff: (_: unknown, { id }: { id: string }) => staff(id),
      visit: (_: unknown, { id }: { id: string }) => visit(id),
      medicationRecord: (_: unknown, { id }: { id: string }) => medicationRecord(id),
      shift: (_: unknown, { id }: { id: string }) => shift(id),
      carePlan: (_: unknown, { id }: { id: string }) => carePlan(id),
    },
    Person: { __resolveReference: ({ id }: { id: string }) => person(id) },
    Staff: { __resolveReference: ({ id }: { id: string }) => staff(id) },
    Visit: { __resolveReference: ({ id }: { id: string }) => visit(id) },
    MedicationRecord: { __resolveReference: ({ id }: { id: string }) => medicationRecord(id) },
    Shift: { __resolveReference: ({ id }: { id: string }) => shift(id) },
    CarePlan: { __resolveReference: ({ id }: { id: string }) => carePlan(id) },
  };
  const server = new ApolloServer({
    schema: buildSubgraphSchema({ typeDefs, resolvers }),
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  return { url, stop: () => server.stop() };
}
