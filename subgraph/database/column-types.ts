import type { ColumnType, DataSource } from 'typeorm';

/**
 * PostgreSQL's 64-bit transaction id (the outbox orders events by their writer's
 * transaction). TypeORM's postgres driver does not list it, so acceptPostgresTypes
 * adds it before the entities are validated; values are read as strings.
 */
export const xid8 = 'xid8' as ColumnType;

/** Lets the data source's driver accept the column types above; call before initialize(). */
export function acceptPostgresTypes(dataSource: DataSource): void {
  const supported = dataSource.driver.supportedDataTypes;
  if (!supported.includes(xid8)) supported.push(xid8);
}
