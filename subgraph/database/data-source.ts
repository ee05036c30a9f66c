import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { AbstractLogger, DataSource, type DataSourceOptions, type LogLevel, type LogMessage } from 'typeorm';
import { migrations } from '../../migrations';
import { acceptPostgresTypes } from './column-types';
import { entities } from './entities';
import { usePreparedStatements } from './prepared-statement.repository';
import { createSchemaIfMissing, grantServiceRoles, lockMigrations, ping, unlockMigrations } from './session.repository';

export interface DatabaseOptions {
  /** PostgreSQL server; unset means the embedded database. */
  databaseUrl?: string;
  /** Folder of the embedded database; unset means in memory. */
  dataDir?: string;
  /** Schema to work in (tests use one per suite on a shared server). */
  schema?: string;
  poolSize: number;
  /** Longest wait for a connection: connecting, or a free one from the pool (default 1500 ms). */
  connectTimeoutMs?: number;
  /**
   * Prepare the report path's statements once per connection (see preparedQuery). Server only, on by
   * default; turn it off behind a proxy that pools transactions (PgBouncer before 1.21 in transaction mode).
   */
  preparedStatements?: boolean;
  /** Called with every SQL statement (tests count statements with it). */
  onQuery?: (sql: string) => void;
}

export interface Database {
  dataSource: DataSource;
  embedded: boolean;
  close(): Promise<void>;
}

/**
 * Opens the database: the given PostgreSQL server, or an embedded PGlite served
 * over a loopback socket so that TypeORM uses the same `pg` driver, SQL and
 * migrations in both modes. The embedded socket serialises transactions.
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  let embeddedServer: { pglite: PGlite; socket: PGLiteSocketServer } | undefined;
  let connection: Pick<DataSourceOptions & { type: 'postgres' }, 'url' | 'host' | 'port' | 'username' | 'database'>;
  if (options.databaseUrl) {
    connection = { url: options.databaseUrl };
  } else {
    if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
    const pglite = new PGlite(options.dataDir);
    await pglite.waitReady;
    const socket = new PGLiteSocketServer({
      db: pglite,
      host: '127.0.0.1',
      port: 0,
      maxConnections: options.poolSize + 2,
    });
    await socket.start();
    const [host, port] = socket.getServerConn().split(':');
    embeddedServer = { pglite, socket };
    connection = { host, port: Number(port), username: 'postgres', database: 'postgres' };
  }

  const dataSource = new DataSource({
    type: 'postgres',
    ...connection,
    entities,
    migrations,
    migrationsTableName: 'typeorm_migrations',
    synchronize: false,
    installExtensions: false,
    uuidExtension: 'pgcrypto',
    ...(options.onQuery
      ? { logging: ['query'] as const, logger: new StatementObserver(options.onQuery) }
      : { logging: false }),
    extra: {
      max: options.poolSize,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 1500,
      keepAlive: true,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    },
  });
  acceptPostgresTypes(dataSource);

  try {
    if (options.schema) await createSchema(connection, options.schema, options.connectTimeoutMs ?? 1500);
    await dataSource.initialize();
    if (!embeddedServer && options.preparedStatements !== false) usePreparedStatements(dataSource);
  } catch (error) {
    await embeddedServer?.socket.stop();
    await embeddedServer?.pglite.close();
    throw error;
  }

  return {
    dataSource,
    embedded: embeddedServer !== undefined,
    async close() {
      if (dataSource.isInitialized) await dataSource.destroy();
      if (embeddedServer) {
        await embeddedServer.socket.stop();
        await embeddedServer.pglite.close();
      }
    },
  };
}

async function createSchema(
  connection: { url?: string; host?: string; port?: number; username?: string; database?: string },
  schema: string,
  connectTimeoutMs: number,
) {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`Unsafe schema name: ${schema}`);
  const bootstrap = new DataSource({
    type: 'postgres',
    ...connection,
    installExtensions: false,
    extra: { connectionTimeoutMillis: connectTimeoutMs },
  });
  await bootstrap.initialize();
  try {
    await createSchemaIfMissing(bootstrap, schema);
  } finally {
    await bootstrap.destroy();
  }
}

/** Applies pending migrations; replicas starting together take turns. */
export async function migrate(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await lockMigrations(runner);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((migration) => migration.name);
    } finally {
      await unlockMigrations(runner);
    }
  } finally {
    await runner.release();
  }
}

/**
 * Applies pending migrations. With a migration URL (the schema owner's login)
 * they run on a connection of their own, and the service's login (the user
 * of `databaseUrl`) is then allowed to switch to the roles its transactions
 * use: the service never needs to own or alter the schema.
 */
export async function migrateAsOwner(
  database: Database,
  options: { databaseUrl?: string; migrationUrl?: string; schema?: string; connectTimeoutMs?: number },
): Promise<string[]> {
  if (!options.migrationUrl || !options.databaseUrl) return migrate(database.dataSource);
  // Two connections: one holds the migration lock while the other migrates.
  const owner = await openDatabase({
    databaseUrl: options.migrationUrl,
    schema: options.schema,
    poolSize: 2,
    connectTimeoutMs: options.connectTimeoutMs,
  });
  try {
    const applied = await migrate(owner.dataSource);
    await grantServiceRoles(owner.dataSource, decodeURIComponent(new URL(options.databaseUrl).username));
    return applied;
  } finally {
    await owner.close();
  }
}

/** Readiness: the database answers and no migration is pending (checked until first seen true). */
export function createReadinessCheck(dataSource: DataSource): () => Promise<boolean> {
  let migrated = false;
  return async () => {
    try {
      await ping(dataSource);
      migrated ||= !(await dataSource.showMigrations());
      return migrated;
    } catch {
      return false;
    }
  };
}

class StatementObserver extends AbstractLogger {
  constructor(private readonly onQuery: (sql: string) => void) {
    super(['query']);
  }

  logQuery(query: string): void {
    this.onQuery(query);
  }

  protected writeLog(_level: LogLevel, _message: LogMessage | LogMessage[]): void {
    // Statements are reported through onQuery only.
  }
}

/** The pool's state, for metrics (undefined before the data source is initialised). */
export function poolState(
  dataSource: DataSource,
): { total: number; idle: number; waiting: number; max: number } | undefined {
  const pool = (dataSource.driver as { master?: PgPool } | undefined)?.master;
  if (!dataSource.isInitialized || !pool) return undefined;
  return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: pool.options.max };
}

interface PgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options: { max: number };
}
