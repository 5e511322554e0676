/**
 * What a run_status value means: status codes, cell states and their labels. Part of the shared
 * vocabulary (src/shared imports nothing outside itself), used by the core, the CLIs, the extension
 * and the webview bundle alike.
 */

/** Values dvmdostem writes into run_status (see its `success`/`masked`/`timeout`/`fail` attributes). */
export const STATUS_CODES = { success: 100, masked: 0, timeout: -5, fail: -100, fill: -9999 } as const;

export type CellState = 'success' | 'fail' | 'timeout' | 'masked' | 'unwritten' | 'other';
export const CELL_STATES: readonly CellState[] = ['success', 'fail', 'timeout', 'masked', 'unwritten', 'other'];
export const CELL_STATE_LABELS: Readonly<Record<CellState, string>> = {
  success: 'success',
  fail: 'failed',
  timeout: 'timed out',
  masked: 'masked / not run',
  unwritten: 'never written',
  other: 'other',
};

/** > 0 success, 0 masked (not run), -5 timeout, -100 fail, -9999 fill or NaN never written. */
export function cellState(status: number): CellState {
  if (status > 0) return 'success';
  if (status === STATUS_CODES.masked) return 'masked';
  if (status === STATUS_CODES.timeout) return 'timeout';
  if (status === STATUS_CODES.fail) return 'fail';
  if (status === STATUS_CODES.fill || Number.isNaN(status)) return 'unwritten';
  return 'other';
}

export function countStates(status: ArrayLike<number>): Record<CellState, number> {
  const counts: Record<CellState, number> = { success: 0, fail: 0, timeout: 0, masked: 0, unwritten: 0, other: 0 };
  for (let i = 0; i < status.length; i++) counts[cellState(status[i])]++;
  return counts;
}

/** "6 ok · 2 failed · 2 timeout": the non-zero counts a user cares about, for labels. */
export function describeCounts(counts: Record<CellState, number>): string {
  const parts: string[] = [];
  if (counts.success) parts.push(`${counts.success} ok`);
  if (counts.fail) parts.push(`${counts.fail} failed`);
  if (counts.timeout) parts.push(`${counts.timeout} timeout`);
  if (counts.unwritten) parts.push(`${counts.unwritten} not written`);
  if (counts.other) parts.push(`${counts.other} other`);
  return parts.join(' · ') || 'no cells run';
}
