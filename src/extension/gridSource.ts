import * as path from 'node:path';
import type * as vscode from 'vscode';
import { STATUS_CODES } from '../shared/cellStates';
import type { RunMask } from '../core/runMask';
import type { GridData } from '../shared/protocol';
import type { CoreClient } from './coreClient';
import { RUN_STATUS_FILE } from '../shared/runFiles';

/**
 * The run-mask the user picked last for a run folder (kept in workspaceState). It is the first of the
 * candidates the core's maskCandidates lists (then config_record.js's runmask_file, then a
 * run-mask*.nc next to the folder), read in the worker, never on the extension host's thread.
 */
export class RunMaskRegistry {
  private static readonly KEY = 'dvmdostem.masksByFolder';
  constructor(private readonly state: vscode.Memento) {}

  remember(runFolder: string, mask: string): void {
    const all = this.state.get<Record<string, string>>(RunMaskRegistry.KEY, {});
    void this.state.update(RunMaskRegistry.KEY, { ...all, [runFolder]: mask });
  }

  /** The mask the user picked last for this folder, if any. */
  remembered(runFolder: string): string | undefined {
    return this.state.get<Record<string, string>>(RunMaskRegistry.KEY, {})[runFolder];
  }
}

/** Finds a mask on the same grid as the run, or undefined. */
export async function findMaskFor(
  core: CoreClient,
  masks: RunMaskRegistry,
  runFolder: string,
  rows: number,
  cols: number,
): Promise<RunMask | undefined> {
  const candidates = await core.read('maskCandidates', { runFolder, remembered: masks.remembered(runFolder) });
  for (const candidate of candidates) {
    try {
      const mask = await core.read('readRunMask', { path: candidate });
      if (mask.grid.rows === rows && mask.grid.cols === cols) return mask;
    } catch {
      // not a usable mask: try the next
    }
  }
  return undefined;
}

/** Reads a run's status grid (in the core worker) into what the webview draws. */
export async function loadGridData(
  core: CoreClient,
  masks: RunMaskRegistry,
  runFolder: vscode.Uri,
  log?: vscode.LogOutputChannel,
): Promise<GridData> {
  const status = await core.read('readRunStatus', { path: path.join(runFolder.fsPath, RUN_STATUS_FILE) });
  const mask = await findMaskFor(core, masks, runFolder.fsPath, status.grid.rows, status.grid.cols);
  const records = await core.read('readRunRecords', { runDir: runFolder.fsPath });
  // Debug only: a run without config_record.js would otherwise log a line on every live reload.
  for (const note of records.notes) log?.debug(`Run status grid: ${note}`);
  const failReasons = records.failReasons
    .filter((r) => r.row >= 0 && r.row < status.grid.rows && r.col >= 0 && r.col < status.grid.cols)
    .map((r) => ({ cell: r.row * status.grid.cols + r.col, message: r.message }));
  const toInt = Int32Array.from(status.status, (v) => (Number.isNaN(v) ? STATUS_CODES.fill : v));
  return {
    runName: path.basename(runFolder.fsPath),
    runFolder: runFolder.fsPath,
    runStatusPath: status.path,
    format: status.format,
    mtimeMs: status.mtimeMs,
    rows: status.grid.rows,
    cols: status.grid.cols,
    status: toInt,
    runtime: status.runtime ? Float32Array.from(status.runtime) : null,
    lat: mask?.lat ? Float32Array.from(mask.lat) : null,
    lon: mask?.lon ? Float32Array.from(mask.lon) : null,
    counts: status.counts,
    ...(failReasons.length ? { failReasons } : {}),
    cellTimelimit: records.cellTimelimit,
  };
}
