import { STATUS_CODES, countStates } from '../../shared/cellStates';
import type { GridShape } from '../grid';
import { findBatchRun, type BatchLayout } from './batchRun';
import { checkBatchGrid, domainOffset, forEachLimited, readBatchCells, type Totals } from './batchStatus';

/**
 * The run status of a batch-split run's whole domain, for the status grid: full-domain batches
 * overlaid (each cell from the batch whose mask enables it), row-slice batches stacked by batch
 * number (a row without a batch folder is never written), and for each cell the batch it comes from.
 * Reads what `pyddt-batch status` reads (masks and run_status.nc), a few batches at a time.
 */

export interface BatchRunGrid {
  dir: string;
  layout: BatchLayout;
  grid: GridShape;
  /** Row-major run_status of the domain: fill (-9999) where a batch never wrote, 0 where no batch runs the cell. */
  status: Int32Array;
  /** Row-major index into `batchNames` of the batch each cell comes from; -1 where none. */
  cellBatch: Int32Array;
  /** Batch folder names, in batch number order. */
  batchNames: string[];
  counts: Totals;
  /** Latest modification time of the batches' run_status.nc (0 when none was written). */
  mtimeMs: number;
}

export async function readBatchRunGrid(dir: string, opts: { concurrency?: number } = {}): Promise<BatchRunGrid> {
  const run = findBatchRun(dir);
  let domain: GridShape | undefined;
  let status = new Int32Array(0);
  let cellBatch = new Int32Array(0);
  let mtimeMs = 0;
  await forEachLimited(run.batches, opts.concurrency ?? 8, readBatchCells, (cells, index) => {
    const grid = checkBatchGrid(run, cells, domain);
    if (!domain) {
      domain = grid;
      status = new Int32Array(grid.rows * grid.cols).fill(STATUS_CODES.masked);
      cellBatch = new Int32Array(grid.rows * grid.cols).fill(-1);
      // A row-slice row without a batch folder: nothing says which of its cells were meant to run.
      if (run.layout === 'row-slices') status.fill(STATUS_CODES.fill);
    }
    mtimeMs = Math.max(mtimeMs, cells.statusMtimeMs ?? 0);
    const offset = domainOffset(run, cells.batch, domain);
    const rowSlice = run.layout === 'row-slices';
    for (let i = 0; i < cells.enabled.length; i++) {
      const d = offset + i;
      if (!cells.enabled[i]) {
        // A row-slice batch owns its whole row, masked cells included.
        if (rowSlice) {
          status[d] = STATUS_CODES.masked;
          cellBatch[d] = index;
        }
        continue;
      }
      if (cellBatch[d] >= 0 && !rowSlice) continue; // claimed by two batches: the first wins, as in status
      const v = cells.status ? cells.status[i] : NaN;
      status[d] = Number.isNaN(v) ? STATUS_CODES.fill : v;
      cellBatch[d] = index;
    }
  });
  return {
    dir: run.dir,
    layout: run.layout,
    grid: domain!,
    status,
    cellBatch,
    batchNames: run.batches.map((b) => b.name),
    counts: countStates(status),
    mtimeMs,
  };
}
