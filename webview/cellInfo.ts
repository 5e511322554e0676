/** Text about one cell, for the tooltip (no DOM; unit tested in Node). */
import { CELL_STATE_LABELS, cellState } from '../src/shared/cellStates';
import type { GridData } from '../src/shared/protocol';

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '—';
  const text = Number.isInteger(s) ? String(s) : s < 10 ? s.toFixed(2) : s.toFixed(1);
  if (s < 120) return `${text} s`;
  const min = s / 60;
  if (min < 120) return `${text} s (${min.toFixed(1)} min)`;
  return `${text} s (${(min / 60).toFixed(1)} h)`;
}

/** Degrees with up to 4 decimals (about 10 m), trailing zeros dropped. */
export function formatDegrees(d: number): string {
  return String(Number(d.toFixed(4)));
}

type CellSource = Pick<GridData, 'rows' | 'cols' | 'status' | 'runtime' | 'lat' | 'lon' | 'failReasons' | 'batches'>;

/**
 * e.g. `row 1, col 2 · failed (-100) · runtime —`, then ` · lat 68.6794, lon -149.5874` when the
 * run-mask gave coordinates, then ` · fail_log: Problem with initial parameter files!` when dvmdostem gave a reason,
 * then ` · batch-12` on a batch run's grid (the batch the cell comes from).
 */
export function cellTooltip(d: CellSource, row: number, col: number): string {
  const i = row * d.cols + col;
  const status = d.status[i];
  const runtime = d.runtime ? d.runtime[i] : NaN;
  let text = `row ${row}, col ${col} · ${CELL_STATE_LABELS[cellState(status)]} (${status}) · runtime ${formatSeconds(runtime)}`;
  const lat = d.lat ? d.lat[i] : NaN;
  const lon = d.lon ? d.lon[i] : NaN;
  if (Number.isFinite(lat) && Number.isFinite(lon)) text += ` · lat ${formatDegrees(lat)}, lon ${formatDegrees(lon)}`;
  const reason = d.failReasons?.find((r) => r.cell === i)?.message;
  if (reason) text += ` · fail_log: ${reason}`;
  const batch = d.batches ? d.batches.names[d.batches.cell[i]] : undefined;
  if (batch) text += ` · ${batch}`;
  return text;
}
