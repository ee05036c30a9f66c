import { reporterVisibilityOf, visibleReporterId, visibleStaffInvolved } from '../near-misses/reporter-identity';
import { PassThrough, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { currentDetails } from '../categories/current-details';
import { createTenantDatabase } from '../database/tenant-scope';
import { fieldProtection, refusePersonLookup } from '../near-misses/field-protection';
import { toNearMiss, type NearMissRow } from '../near-misses/near-miss.repository';
import type { RestCall, RestResponse, RestRoute } from '../rest/rest-route';
import { nearMissStandardCodes } from '../standards/near-miss-codes';
import { csvCell, exportColumnsFor, exportRecord, type Cell } from './export-columns';
import { parseExportFilter } from './export-filter';
import { streamNearMissRows } from './near-miss-export.repository';

/*
 * GET /exports/near-misses.csv and .ndjson: every near miss the caller may
 * read that matches the filters, newest occurrence first, streamed from a
 * database cursor through csv-stringify (RFC 4180, CRLF) or one JSON object
 * per line, with back-pressure from the client's socket to the cursor. The
 * answer starts once the filters and the caller's rights are checked; a
 * failure after that cuts the stream (the client sees a truncated body).
 */

type Format = 'csv' | 'ndjson';

const contentTypes: Record<Format, string> = {
  csv: 'text/csv; charset=utf-8; header=present',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

function formatter(format: Format, columns: string[]): Transform {
  if (format === 'csv') {
    return stringify({
      header: true,
      columns,
      bom: true,
      record_delimiter: 'windows',
    });
  }
  return new Transform({
    writableObjectMode: true,
    transform(record: Record<string, Cell>, _encoding, callback) {
      callback(null, `${JSON.stringify(record)}\n`);
    },
  });
}

async function exportNearMisses(format: Format, { context, url }: RestCall): Promise<RestResponse> {
  const scope = context.loaders.readScope();
  const filter = parseExportFilter(url.searchParams);
  refusePersonLookup(context.principal, filter.personId);
  const protection = fieldProtection(context);
  const columns = exportColumnsFor(protection);
  const { registry, logger, dataSource } = context.services;
  const reporters = reporterVisibilityOf(context.principal, registry);
  // CSV cells: every value as text (csvCell escapes formulas); NDJSON keeps lists, numbers and flags.
  const toCells = (record: Record<string, Cell>) =>
    format === 'csv' ? Object.fromEntries(Object.entries(record).map(([name, cell]) => [name, csvCell(cell)])) : record;
  const records = new Transform({
    objectMode: true,
    transform(row: NearMissRow, _encoding, callback) {
      const nearMiss = toNearMiss(row);
      const registered = registry.get(nearMiss.categoryKey);
      const record = exportRecord(
        {
          nearMiss,
          reporter: visibleReporterId(reporters, nearMiss),
          staffInvolvedIds: visibleStaffInvolved(reporters, nearMiss),
          codes: nearMissStandardCodes(registry, nearMiss),
          details: currentDetails(registered, nearMiss.details, nearMiss.categoryVersion, logger),
          fieldsSchema: registered?.fieldsSchema,
        },
        columns,
        protection,
      );
      callback(null, toCells(record));
    },
  });
  const body = new PassThrough();
  // A long export is not one request's statement budget: its own transaction, without the timeout.
  const db = createTenantDatabase(dataSource, context.principal.tenantId);
  // The answer starts once the cursor is open: a database that cannot be reached is an error answer (503), not a
  // 200 whose body breaks off.
  let answering = false;
  let cursorOpen!: () => void;
  const opened = new Promise<void>((resolve) => {
    cursorOpen = () => {
      answering = true;
      resolve();
    };
  });
  const streamed = db.read(async (tx) => {
    const rows = await streamNearMissRows(tx, scope, filter);
    cursorOpen();
    await pipeline(
      rows,
      records,
      formatter(
        format,
        columns.map((column) => column.name),
      ),
      body,
    );
  });
  streamed.catch((error: unknown) => {
    logger.error('export failed', {
      requestId: context.requestId,
      error: error instanceof Error ? error.message : String(error),
    });
    // Before the cursor opened the error is the answer (below); after, the body breaks off.
    if (answering) body.destroy(error instanceof Error ? error : new Error(String(error)));
    else body.destroy();
  });
  await Promise.race([opened, streamed]);
  return {
    status: 200,
    headers: {
      'content-type': contentTypes[format],
      'content-disposition': `attachment; filename="near-misses.${format}"`,
      'cache-control': 'no-store',
    },
    body,
  };
}

export const exportRoutes: RestRoute[] = [
  {
    pattern: /^\/exports\/near-misses\.csv$/,
    errors: 'json',
    handle: (call) => exportNearMisses('csv', call),
  },
  {
    pattern: /^\/exports\/near-misses\.ndjson$/,
    errors: 'json',
    handle: (call) => exportNearMisses('ndjson', call),
  },
];
