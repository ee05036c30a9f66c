import 'reflect-metadata';
import { loadConfig } from '../config';
import { migrateAsOwner, openDatabase } from './data-source';

// npm run migrate: applies pending migrations to DATABASE_URL (as DATABASE_MIGRATION_URL's login when set),
// or to the embedded database in DATA_DIR.
async function main() {
  const config = loadConfig();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  try {
    const applied = await migrateAsOwner(database, {
      databaseUrl: config.databaseUrl,
      migrationUrl: config.databaseMigrationUrl,
    });
    process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'No pending migrations.\n');
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
