import 'reflect-metadata';
import { loadConfig } from '../config';
import { openDatabase } from '../database/data-source';
import { verifyAuditChains } from './audit-chain-verifier';

// npm run audit:verify [-- --tenant <id> ...]: checks every tenant's audit hash
// chain in DATABASE_URL (or the embedded database in DATA_DIR). Exit 0 when
// intact, 1 when any row was altered or removed, 2 when it could not check.
async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const tenantIds = args.flatMap((arg, index) => (arg === '--tenant' && args[index + 1] ? [args[index + 1]] : []));
  const config = loadConfig();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  try {
    const report = await verifyAuditChains(database.dataSource, {
      tenantIds: tenantIds.length ? tenantIds : undefined,
    });
    for (const problem of report.problems) {
      process.stdout.write(`${problem.kind}\ttenant ${problem.tenantId}\trow ${problem.seq}\t${problem.message}\n`);
    }
    process.stdout.write(
      report.ok
        ? `Audit trail intact: ${report.rows} rows in ${report.tenants} tenant chains.\n`
        : `Audit trail TAMPERED: ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'} in ${report.rows} rows of ${report.tenants} tenant chains.\n`,
    );
    return report.ok ? 0 : 1;
  } finally {
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
