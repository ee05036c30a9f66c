import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';

/** Data sources whose connections keep named prepared statements (a PostgreSQL server reached directly). */
const preparing = new WeakSet<DataSource>();

/** Lets statements sent through `preparedQuery` on this data source be prepared once per connection. */
export function usePreparedStatements(dataSource: DataSource): void {
  preparing.add(dataSource);
}

const names = new Map<string, string>();
const nameOf = (text: string) => {
  let name = names.get(text);
  if (!name) names.set(text, (name = `nm_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`));
  return name;
};

/**
 * A statement that runs on every report, as a named prepared statement of the
 * transaction's connection: PostgreSQL parses it once per connection and, once
 * its generic plan is as good as a custom one, plans it once too, instead of
 * parsing and planning the text on every call. Where statements cannot be
 * kept (the embedded database, whose socket shares one session between
 * connections, or a transaction-pooling proxy) it is an ordinary query.
 * Statements are logged like any other.
 */
export async function preparedQuery<T = Record<string, unknown>>(
  manager: EntityManager,
  text: string,
  values: readonly unknown[],
): Promise<T[]> {
  const runner = manager.queryRunner;
  if (!runner || !preparing.has(manager.connection)) return manager.query(text, [...values]);
  const client = (await runner.connect()) as PoolClient;
  manager.connection.logger.logQuery(text, [...values], runner);
  const result = await client.query({ name: nameOf(text), text, values: [...values] });
  return result.rows as T[];
}
