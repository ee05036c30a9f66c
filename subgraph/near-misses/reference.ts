/** `NM-2026-000123`: per tenant and year, at least six digits. */
export const formatReference = (year: number, sequence: number) => `NM-${year}-${String(sequence).padStart(6, '0')}`;
