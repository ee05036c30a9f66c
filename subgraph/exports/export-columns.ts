import { protectDetails, protectId, type FieldProtection } from '../near-misses/field-protection';
import type { NearMiss } from '../near-misses/near-miss.type';
import type { StandardCodesValue } from '../standards/standard-codes';

/*
 * The columns of a near-miss export, in order, as one table: each says how a
 * near miss fills it and whether it holds free text. Callers with identified
 * access get every column; callers who see pseudonyms (ANALYST) get no
 * free-text column and pseudonyms for every staff id and host link, as in
 * GraphQL. GOVERNANCE gets no export at all (no row-level reads).
 */

export type Cell = string | number | boolean | null | string[];

export interface ExportRow {
  nearMiss: NearMiss;
  /** The reporter as the caller may see them: a staff id, or `anonymous` / `confidential` (reporter-identity.ts). */
  reporter: { id: string; identified: boolean };
  /** The staff involved as the caller may see them (without a confidential reporter hidden from them). */
  staffInvolvedIds: string[];
  codes: StandardCodesValue;
  /** The category's details in today's shape, and its JSON Schema (for withholding free text). */
  details: Record<string, unknown>;
  fieldsSchema?: Record<string, unknown>;
}

export interface ExportColumn {
  name: string;
  freeText?: boolean;
  value(row: ExportRow, protection: FieldProtection): Cell;
}

const iso = (date: Date | undefined) => date?.toISOString() ?? null;
const codes = (list: { code: string }[]) => list.map((coding) => coding.code);

export const exportColumns: readonly ExportColumn[] = [
  { name: 'id', value: ({ nearMiss }) => nearMiss.id },
  { name: 'reference', value: ({ nearMiss }) => nearMiss.reference },
  { name: 'service_id', value: ({ nearMiss }) => nearMiss.serviceId },
  { name: 'category', value: ({ nearMiss }) => nearMiss.categoryKey },
  { name: 'status', value: ({ nearMiss }) => nearMiss.status },
  { name: 'occurred_at', value: ({ nearMiss }) => iso(nearMiss.occurredAt) },
  { name: 'detected_at', value: ({ nearMiss }) => iso(nearMiss.detectedAt) },
  { name: 'reported_at', value: ({ nearMiss }) => iso(nearMiss.reportedAt) },
  {
    name: 'reported_by',
    value: ({ reporter }, p) => (reporter.identified ? protectId(p, 'staff', reporter.id) : reporter.id),
  },
  { name: 'reporter_identity', value: ({ nearMiss }) => nearMiss.identity },
  {
    name: 'staff_involved',
    value: ({ staffInvolvedIds }, p) => staffInvolvedIds.map((id) => protectId(p, 'staff', id)),
  },
  { name: 'person_id', value: ({ nearMiss }, p) => protectId(p, 'person', nearMiss.personId) ?? null },
  { name: 'visit_id', value: ({ nearMiss }, p) => protectId(p, 'visit', nearMiss.visitId) ?? null },
  {
    name: 'medication_record_id',
    value: ({ nearMiss }, p) => protectId(p, 'medicationRecord', nearMiss.medicationRecordId) ?? null,
  },
  { name: 'shift_id', value: ({ nearMiss }, p) => protectId(p, 'shift', nearMiss.shiftId) ?? null },
  { name: 'care_plan_id', value: ({ nearMiss }, p) => protectId(p, 'carePlan', nearMiss.carePlanId) ?? null },
  { name: 'setting', value: ({ nearMiss }) => nearMiss.setting },
  { name: 'potential_harm', value: ({ nearMiss }) => nearMiss.potentialHarm },
  { name: 'prevention_reliability', value: ({ nearMiss }) => nearMiss.preventionReliability },
  { name: 'workflow_stage', value: ({ nearMiss }) => nearMiss.workflowStage ?? null },
  { name: 'contributing_factors', value: ({ nearMiss }) => nearMiss.contributingFactors },
  { name: 'suggested_route', value: ({ nearMiss }) => nearMiss.suggestedRoute },
  { name: 'same_day', value: ({ nearMiss }) => nearMiss.sameDay },
  { name: 'triage_due_by', value: ({ nearMiss }) => iso(nearMiss.triageDueBy) },
  { name: 'acknowledged_at', value: ({ nearMiss }) => iso(nearMiss.acknowledgedAt) },
  { name: 'closed_at', value: ({ nearMiss }) => iso(nearMiss.closedAt) },
  { name: 'reopen_count', value: ({ nearMiss }) => nearMiss.reopenCount },
  { name: 'lfpse', value: (row) => codes(row.codes.lfpse) },
  { name: 'ahrq', value: (row) => codes(row.codes.ahrq) },
  { name: 'ncc_merp', value: (row) => row.codes.nccMerp ?? null },
  { name: 'fhir_category', value: (row) => codes(row.codes.fhirCategory)[0] ?? null },
  { name: 'reclassified_at', value: ({ nearMiss }) => iso(nearMiss.reclassificationRecord?.at) },
  { name: 'reclassified_harm', value: ({ nearMiss }) => nearMiss.reclassificationRecord?.harm ?? null },
  { name: 'details', value: (row, p) => JSON.stringify(protectDetails(p, row.details, row.fieldsSchema)) },
  { name: 'what_happened', freeText: true, value: ({ nearMiss }) => nearMiss.whatHappened },
  { name: 'how_detected', freeText: true, value: ({ nearMiss }) => nearMiss.howDetected },
  { name: 'what_prevented_harm', freeText: true, value: ({ nearMiss }) => nearMiss.whatPreventedHarm },
  { name: 'immediate_actions', freeText: true, value: ({ nearMiss }) => nearMiss.immediateActions },
  { name: 'what_made_this_possible', freeText: true, value: ({ nearMiss }) => nearMiss.whatMadeThisPossible ?? null },
  { name: 'outcome', freeText: true, value: ({ nearMiss }) => nearMiss.outcome ?? null },
  { name: 'no_action_reason', freeText: true, value: ({ nearMiss }) => nearMiss.noActionReason ?? null },
  {
    name: 'reclassification_reason',
    freeText: true,
    value: ({ nearMiss }) => nearMiss.reclassificationRecord?.reason ?? null,
  },
];

/** The columns a caller gets. */
export const exportColumnsFor = (protection: FieldProtection): readonly ExportColumn[] =>
  protection.withholdFreeText ? exportColumns.filter((column) => !column.freeText) : exportColumns;

/** One export record (column name -> cell), in column order. */
export function exportRecord(
  row: ExportRow,
  columns: readonly ExportColumn[],
  protection: FieldProtection,
): Record<string, Cell> {
  return Object.fromEntries(columns.map((column) => [column.name, column.value(row, protection)]));
}

/** Characters that make a spreadsheet read a cell as a formula (OWASP CSV injection). */
const formulaStart = /^[=+\-@\t\r]/;

/**
 * A cell as CSV text: lists joined with "; ", and a text that a spreadsheet
 * would run as a formula prefixed with a single quote, so it shows as text.
 */
export function csvCell(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell === 'number' || typeof cell === 'boolean') return String(cell);
  const text = Array.isArray(cell) ? cell.join('; ') : cell;
  return formulaStart.test(text) ? `'${text}` : text;
}
