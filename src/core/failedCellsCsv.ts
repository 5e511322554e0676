/**
 * The cells of a run that did not succeed as CSV (one row per cell: row, col, lat, lon, state,
 * status, runtime, reason), for a spreadsheet, pandas or a ticket. lat/lon come from the run-mask
 * when known, the reason from fail_log.txt; unknown values are empty fields.
 */
import { cellState, type CellState } from '../shared/cellStates';
import { reasonFor, type FailReason } from './failLog';

export interface FailedCellsSource {
  rows: number;
  cols: number;
  status: ArrayLike<number>;
  runtime: ArrayLike<number> | null;
  lat: ArrayLike<number> | null;
  lon: ArrayLike<number> | null;
  reasons: readonly FailReason[];
}

/** States exported: everything a rerun should cover (the run mask's disabled cells are `masked`). */
export const EXPORTED_STATES: readonly CellState[] = ['fail', 'timeout', 'other', 'unwritten'];

export const FAILED_CELLS_HEADER = ['row', 'col', 'lat', 'lon', 'state', 'status', 'runtime', 'reason'] as const;

/** RFC 4180 field: quoted when it holds a comma, a quote or a line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const number = (v: number | undefined, digits: number) =>
  v !== undefined && Number.isFinite(v) ? String(Number(v.toFixed(digits))) : '';

export function failedCellsCsv(src: FailedCellsSource): { csv: string; cells: number } {
  const lines = [FAILED_CELLS_HEADER.join(',')];
  for (let i = 0; i < src.rows * src.cols; i++) {
    const state = cellState(src.status[i]);
    if (!EXPORTED_STATES.includes(state)) continue;
    const row = Math.floor(i / src.cols);
    const col = i % src.cols;
    lines.push(
      [
        String(row),
        String(col),
        number(src.lat?.[i], 6),
        number(src.lon?.[i], 6),
        state,
        String(src.status[i]),
        number(src.runtime?.[i], 3),
        csvField(reasonFor(src.reasons, row, col) ?? ''),
      ].join(','),
    );
  }
  return { csv: `${lines.join('\r\n')}\r\n`, cells: lines.length - 1 };
}
