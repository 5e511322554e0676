import * as fs from 'node:fs';
import * as path from 'node:path';
import { countStates, cellState, type CellState } from '../shared/cellStates';
import { readConfigRecord } from './configRecord';
import { UserError } from './errors';
import { describeGrid, sameGrid } from './grid';
import { readFailLog, reasonFor } from './failLog';
import { openNetcdf } from './netcdf/ncfile';
import { requireFolder } from './paths';
import { inferWorkdir, ioSection } from './rerun/workdir';
import { readRunMask } from './runMask';
import { readRunStatus } from './runStatus';
import { RUN_STATUS_FILE } from '../shared/runFiles';

/**
 * Is a run complete? Every cell enabled in the mask must have succeeded. Also notes output files
 * that cover fewer time steps than their siblings of the same stage (a run stopped mid-stage).
 */

export type Totals = Record<CellState, number>;

export interface UnfinishedCell {
  row: number;
  col: number;
  state: string;
  status: number;
  /** Seconds, when run_status.nc recorded it. */
  runtime?: number;
  /** dvmdostem's message in fail_log.txt (timeouts have none). */
  reason?: string;
}

export interface ShortFile {
  file: string;
  steps: number;
  expected: number;
}

export type MaskSource = 'given' | 'recorded' | 'run_status';

export interface CheckReport {
  runDir: string;
  complete: boolean;
  /** Cells of run_status.nc by state, over the whole grid. */
  totals: Totals;
  /** The unfinished cells among those checked, row by row. */
  cells: UnfinishedCell[];
  shortFiles: ShortFile[];
  /** Cells checked: those enabled in the mask. */
  checked: number;
  /**
   * Which cells were checked: a given mask, the mask config_record.js names, or every cell run_status
   * does not mark masked.
   */
  maskSource: MaskSource;
  maskPath?: string;
}

export async function checkRun(runDir: string, opts: { mask?: string } = {}): Promise<CheckReport> {
  const dir = path.resolve(runDir);
  requireFolder(dir, 'run folder');
  const statusPath = path.join(dir, RUN_STATUS_FILE);
  const status = await readRunStatus(statusPath);
  const { rows, cols } = status.grid;

  let maskPath = opts.mask !== undefined ? path.resolve(opts.mask) : await recordedMask(dir);
  const maskSource: MaskSource = opts.mask !== undefined ? 'given' : maskPath ? 'recorded' : 'run_status';
  let enabled: Uint8Array;
  if (maskPath) {
    const mask = await readRunMask(maskPath);
    if (!sameGrid(mask.grid, status.grid))
      throw new UserError(
        `${maskPath}: the mask's grid is ${describeGrid(mask.grid)}, but ${statusPath} is ${describeGrid(status.grid)}`,
      );
    enabled = mask.enabled;
  } else {
    maskPath = undefined;
    enabled = Uint8Array.from(status.status, (s) => (cellState(s) === 'masked' ? 0 : 1));
  }

  const reasons = await readFailLog(dir);
  const cells: UnfinishedCell[] = [];
  let checked = 0;
  for (let i = 0; i < rows * cols; i++) {
    if (!enabled[i]) continue;
    checked++;
    const s = status.status[i];
    const state = cellState(s);
    if (state === 'success') continue;
    const cell: UnfinishedCell = { row: Math.floor(i / cols), col: i % cols, state, status: s };
    const rt = status.runtime?.[i];
    if (rt !== undefined && Number.isFinite(rt)) cell.runtime = rt;
    const reason = reasonFor(reasons, cell.row, cell.col);
    if (reason !== undefined) cell.reason = reason;
    cells.push(cell);
  }
  const shortFiles = await findShortFiles(dir);
  return {
    runDir: dir,
    complete: cells.length === 0,
    totals: countStates(status.status),
    cells,
    shortFiles,
    checked,
    maskSource,
    maskPath,
  };
}

/** The run-mask config_record.js names, when it can be found (absolute, or from the inferred working directory). */
async function recordedMask(dir: string): Promise<string | undefined> {
  let config: Record<string, unknown>;
  try {
    config = (await readConfigRecord(dir)).config;
  } catch (err) {
    if (err instanceof UserError) return undefined;
    throw err;
  }
  const value = ioSection(config)?.runmask_file;
  if (typeof value !== 'string' || !value) return undefined;
  if (path.isAbsolute(value)) return fs.existsSync(value) ? value : undefined;
  const wd = inferWorkdir(dir, config);
  const p = wd && path.resolve(wd.workdir, value);
  return p && fs.existsSync(p) ? p : undefined;
}

/** dvmdostem's output names: VAR_yearly_tr.nc, VAR_monthly_sc.nc, … */
const OUTPUT_NAME = /^(.+)_(yearly|monthly|daily)_(pr|eq|sp|tr|sc)\.nc$/;
const STEPS_PER_YEAR: Record<string, number> = { yearly: 1, monthly: 12, daily: 365 };

/** Output files whose time steps cover fewer years than the longest file of the same stage. */
export async function findShortFiles(dir: string): Promise<ShortFile[]> {
  const found: { file: string; stage: string; perYear: number; steps: number }[] = [];
  for (const file of fs.readdirSync(dir).sort()) {
    const m = OUTPUT_NAME.exec(file);
    if (!m) continue;
    const nc = await openNetcdf(path.join(dir, file));
    const time = nc.variable('time') ?? nc.variable(m[1]);
    if (!time || time.dims[0]?.toLowerCase() !== 'time') continue;
    found.push({ file, stage: m[3], perYear: STEPS_PER_YEAR[m[2]], steps: time.shape[0] });
  }
  const years = new Map<string, number>();
  for (const f of found) years.set(f.stage, Math.max(years.get(f.stage) ?? 0, f.steps / f.perYear));
  return found
    .map((f) => ({ file: f.file, steps: f.steps, expected: Math.ceil(years.get(f.stage)! * f.perYear) }))
    .filter((f) => f.steps < f.expected);
}
