import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn, type DataSource, type EntityMetadata } from 'typeorm';
import { ConnectionMetadataBuilder } from 'typeorm/connection/ConnectionMetadataBuilder';
import { entities } from '../../subgraph/database/entities';
import { ReferenceCounterEntity } from '../../subgraph/near-misses/reference-counter.entity';
import { WebhookSubscriptionEntity } from '../../subgraph/outbox/webhook-subscription.entity';
import { startTestApp, type TestApp } from '../support/test-app';

/** A column as both sides describe it: udt is information_schema's udt_name (of the element, for arrays). */
interface ColumnShape {
  udt: string;
  nullable: boolean;
  array: boolean;
  primary: boolean;
  /** Whether an INSERT may leave it out (a default, or a generated key). */
  defaulted: boolean;
}
type SchemaShape = Map<string, Map<string, ColumnShape>>;

// TypeORM's normalised postgres types as information_schema names them.
const udtOfType: Record<string, string> = {
  text: 'text',
  'character varying': 'varchar',
  integer: 'int4',
  bigint: 'int8',
  smallint: 'int2',
  numeric: 'numeric',
  real: 'float4',
  'double precision': 'float8',
  boolean: 'bool',
  'timestamp with time zone': 'timestamptz',
  'timestamp without time zone': 'timestamp',
  date: 'date',
  uuid: 'uuid',
  json: 'json',
  jsonb: 'jsonb',
  xid8: 'xid8',
};

/** What the entities say the tables are. */
function entityShape(dataSource: DataSource, metadatas: EntityMetadata[]): SchemaShape {
  const tables: SchemaShape = new Map();
  for (const metadata of metadatas) {
    const columns = new Map<string, ColumnShape>();
    for (const column of metadata.columns) {
      const type = dataSource.driver.normalizeType(column);
      columns.set(column.databaseName, {
        udt: udtOfType[type] ?? `unmapped TypeORM type ${type}`,
        nullable: column.isNullable,
        array: column.isArray,
        primary: column.isPrimary,
        defaulted: column.default !== undefined || column.isGenerated,
      });
    }
    tables.set(metadata.tableName, columns);
  }
  return tables;
}

/** What the migrated database says the tables are (the current schema, without TypeORM's bookkeeping). */
async function databaseShape(dataSource: DataSource): Promise<SchemaShape> {
  const rows: {
    table_name: string;
    column_name: string;
    udt_name: string;
    is_nullable: string;
    data_type: string;
    column_default: string | null;
    primary: boolean;
  }[] = await dataSource.query(`
      SELECT c.table_name, c.column_name, c.udt_name, c.is_nullable, c.data_type, c.column_default,
             EXISTS (
               SELECT 1 FROM information_schema.table_constraints tc
                 JOIN information_schema.key_column_usage k
                   ON k.constraint_schema = tc.constraint_schema AND k.constraint_name = tc.constraint_name AND k.table_name = tc.table_name
                WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = c.table_schema AND tc.table_name = c.table_name
                  AND k.column_name = c.column_name
             ) AS primary
        FROM information_schema.columns c
        JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
       WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.table_name <> 'typeorm_migrations'
       ORDER BY c.table_name, c.ordinal_position`);
  const tables: SchemaShape = new Map();
  for (const row of rows) {
    const columns = tables.get(row.table_name) ?? new Map<string, ColumnShape>();
    const array = row.data_type === 'ARRAY';
    columns.set(row.column_name, {
      udt: array ? row.udt_name.replace(/^_/, '') : row.udt_name,
      nullable: row.is_nullable === 'YES',
      array,
      primary: row.primary,
      defaulted: row.column_default !== null,
    });
    tables.set(row.table_name, columns);
  }
  return tables;
}

/** Every way the entities and the database disagree, one line each (empty when they match). */
function schemaDifferences(entitySide: SchemaShape, databaseSide: SchemaShape): string[] {
  const differences: string[] = [];
  for (const table of databaseSide.keys()) if (!entitySide.has(table)) differences.push(`table ${table}: no entity`);
  for (const [table, entityColumns] of entitySide) {
    const databaseColumns = databaseSide.get(table);
    if (!databaseColumns) {
      differences.push(`table ${table}: entity without a table`);
      continue;
    }
    for (const name of databaseColumns.keys())
      if (!entityColumns.has(name)) differences.push(`${table}.${name}: not in the entity`);
    for (const [name, entity] of entityColumns) {
      const database = databaseColumns.get(name);
      if (!database) {
        differences.push(`${table}.${name}: not in the database`);
        continue;
      }
      for (const property of ['udt', 'nullable', 'array', 'primary', 'defaulted'] as const) {
        if (entity[property] !== database[property]) {
          differences.push(
            `${table}.${name}: ${property} is ${String(entity[property])} in the entity, ${String(database[property])} in the database`,
          );
        }
      }
    }
  }
  return differences;
}

// Deliberately wrong descriptions of webhook_subscription and a table that does not exist.
@Entity({ name: 'webhook_subscription' })
class DriftedWebhookSubscription {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @Column({ type: 'varchar' }) url!: string;
  @Column({ name: 'event_types', type: 'text', nullable: true }) eventTypes!: string | null;
  @Column({ type: 'boolean', nullable: true }) active!: boolean | null;
  @Column({ name: 'created_by', type: 'text' }) createdBy!: string;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'deactivated_at', type: 'timestamptz', nullable: true }) deactivatedAt!: Date | null;
  @Column({ type: 'text' }) label!: string;
}

@Entity({ name: 'webhook_subscription_archive' })
class NoSuchTable {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
}

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.stop());

test('every table has an entity describing it exactly, and every entity a table', async () => {
  const { dataSource } = t.app.database;
  const database = await databaseShape(dataSource);
  expect(database.size).toBeGreaterThanOrEqual(24);
  expect(schemaDifferences(entityShape(dataSource, dataSource.entityMetadatas), database)).toEqual([]);
  expect(dataSource.entityMetadatas.map((metadata) => metadata.target)).toEqual(expect.arrayContaining(entities));
});

test('the comparison names each drift: a missing entity, a missing table, and every wrong column', async () => {
  const { dataSource } = t.app.database;
  const drifted = entities.filter(
    (entity) => entity !== ReferenceCounterEntity && entity !== WebhookSubscriptionEntity,
  );
  const metadatas = await new ConnectionMetadataBuilder(dataSource).buildEntityMetadatas([
    ...drifted,
    DriftedWebhookSubscription,
    NoSuchTable,
  ]);

  const differences = schemaDifferences(entityShape(dataSource, metadatas), await databaseShape(dataSource));

  expect(differences.sort()).toEqual(
    [
      'table reference_counter: no entity',
      'table webhook_subscription_archive: entity without a table',
      'webhook_subscription.secret: not in the entity',
      'webhook_subscription.label: not in the database',
      'webhook_subscription.tenant_id: primary is true in the entity, false in the database',
      'webhook_subscription.url: udt is varchar in the entity, text in the database',
      'webhook_subscription.event_types: array is false in the entity, true in the database',
      'webhook_subscription.active: nullable is true in the entity, false in the database',
      'webhook_subscription.active: defaulted is false in the entity, true in the database',
      'webhook_subscription.created_at: defaulted is false in the entity, true in the database',
    ].sort(),
  );
});
