import { randomUUID } from 'node:crypto';
import { preparedQuery } from '../../subgraph/database/prepared-statement.repository';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.stop());

describe('preparedQuery', () => {
  it('prepares a statement once per connection on a server, and sends plain queries on the embedded database', async () => {
    const text = `SELECT $1::int + 1 AS next, $2::text[] AS keys /* ${randomUUID()} */`;
    await t.app.database.dataSource.transaction(async (manager) => {
      expect(await preparedQuery(manager, text, [1, '{a,b}'])).toEqual([{ next: 2, keys: ['a', 'b'] }]);
      expect(await preparedQuery(manager, text, [2, ['c']])).toEqual([{ next: 3, keys: ['c'] }]);
      const [{ count }]: { count: number }[] = await manager.query(
        `SELECT count(*)::int AS count FROM pg_prepared_statements WHERE statement = $1`,
        [text],
      );
      expect(count).toBe(t.app.database.embedded ? 0 : 1);
    });
  });

  it('reports a failing statement with its PostgreSQL code and leaves the connection usable', async () => {
    const text = `SELECT 1 / $1::int AS quotient /* ${randomUUID()} */`;
    const dataSource = t.app.database.dataSource;
    await expect(dataSource.transaction((manager) => preparedQuery(manager, text, [0]))).rejects.toMatchObject({
      code: '22012',
    });
    expect(await dataSource.transaction((manager) => preparedQuery(manager, text, [2]))).toEqual([{ quotient: 0 }]);
  });
});
