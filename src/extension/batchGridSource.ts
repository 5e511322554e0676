import * as path from 'node:path';
import type * as vscode from 'vscode';
import type { GridData } from '../shared/protocol';
import type { CoreClient } from './coreClient';

/**
 * Reads a batch run's status grid (in the core worker) into what the webview draws: the stitched
 * domain, with the batch each cell comes from for the hover.
 */
export async function loadBatchGridData(core: CoreClient, batchDir: vscode.Uri): Promise<GridData> {
  const g = await core.read('readBatchRunGrid', { dir: batchDir.fsPath });
  return {
    runName: path.basename(batchDir.fsPath),
    runFolder: batchDir.fsPath,
    runStatusPath: batchDir.fsPath,
    format: `${g.layout} batch run, ${g.batchNames.length} batches`,
    mtimeMs: g.mtimeMs,
    rows: g.grid.rows,
    cols: g.grid.cols,
    status: g.status,
    runtime: null,
    lat: null,
    lon: null,
    counts: g.counts,
    cellTimelimit: null,
    batches: { names: g.batchNames, cell: g.cellBatch },
  };
}
