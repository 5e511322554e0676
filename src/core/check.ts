// TEMPORARY SHIM (branch rerun-ext only): the agreed interface of issue 9; replaced by rerun-core's module.
import * as path from 'node:path';
import { cellState } from './cellStates';
import { readFailLog } from './failLog';
import { readRunMask } from './runMask';
import { readRunStatus } from './runStatus';

export type Totals = { success: number; fail: number; timeout: number; masked: number; unwritten: number; other: number };
export interface UnfinishedCell { row: number; col: number; state: string; status: number; runtime?: number; reason?: string }
export interface ShortFile { file: string; steps: number; expected: number }
export interface CheckReport { runDir: string; complete: boolean; totals: Totals; cells: UnfinishedCell[]; shortFiles: ShortFile[] }

export async function checkRun(runDir: string, opts: { mask?: string } = {}): Promise<CheckReport> {
  const status = await readRunStatus(path.join(runDir, 'run_status.nc'));
  const mask = opts.mask ? await readRunMask(opts.mask) : undefined;
  const reasons = new Map((await readFailLog(runDir)).map((r) => [`${r.row},${r.col}`, r.message]));
  const totals: Totals = { ...status.counts };
  const cells: UnfinishedCell[] = [];
  for (let i = 0; i < status.status.length; i++) {
    const enabled = mask ? mask.enabled[i] !== 0 : cellState(status.status[i]) !== 'masked';
    const state = cellState(status.status[i]);
    if (!enabled || state === 'success') continue;
    const row = Math.floor(i / status.grid.cols);
    const col = i % status.grid.cols;
    cells.push({ row, col, state, status: status.status[i], reason: reasons.get(`${row},${col}`) });
  }
  return { runDir, complete: cells.length === 0, totals, cells, shortFiles: [] };
}
