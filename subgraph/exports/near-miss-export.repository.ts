import type { Readable } from 'node:stream';
import type { Transaction } from '../database/transaction';
import type { NearMissFilter } from '../near-misses/near-miss.filter';
import { conditions, Parameters, selectNearMissColumns } from '../near-misses/near-miss.repository';
import type { ReadScope } from '../near-misses/read-scope';

/**
 * Every near miss of a scope and filter, newest occurrence first, as a
 * stream of rows read through a server-side cursor (pg-query-stream, through
 * TypeORM): rows are fetched in batches as the consumer asks for them, so an
 * export of any size holds one batch in memory. The rows are NearMissRow
 * objects (map them with toNearMiss). The transaction must stay open until
 * the stream ends.
 */
export async function streamNearMissRows(tx: Transaction, scope: ReadScope, filter: NearMissFilter): Promise<Readable> {
  const parameters = new Parameters();
  const where = conditions(scope, filter, parameters);
  const runner = tx.queryRunner;
  if (!runner) throw new Error('streamNearMissRows needs a transaction');
  return runner.stream(
    `SELECT ${selectNearMissColumns('n')} FROM near_miss n WHERE ${where.join(' AND ')}
     ORDER BY n.occurred_at DESC, n.id DESC`,
    parameters.values,
  );
}
