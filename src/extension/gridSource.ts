import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { STATUS_CODES } from '../core/cellStates';
import type { RunMask } from '../core/runMask';
import type { GridData } from '../shared/protocol';
import type { CoreClient } from './coreClient';
import { RUN_STATUS_FILE } from './runDiscovery';

/**
 * Which run-mask belongs to a run folder, for lat/lon on hover and as the template of masks written
 * from a selection: the one the user picked last for this folder, else `runmask_file` from the run's
 * config_record.js, else a run-mask*.nc next to the folder.
 */
export class RunMaskRegistry {
  private static readonly KEY = 'dvmdostem.masksByFolder';
  constructor(private readonly state: vscode.Memento) {}

  remember(runFolder: string, mask: string): void {
    const all = this.state.get<Record<string, string>>(RunMaskRegistry.KEY, {});
    void this.state.update(RunMaskRegistry.KEY, { ...all, [runFolder]: mask });
  }

  candidates(runFolder: string): string[] {
    const out: string[] = [];
    const remembered = this.state.get<Record<string, string>>(RunMaskRegistry.KEY, {})[runFolder];
    if (remembered) out.push(remembered);
    const fromConfig = runmaskFromConfigRecord(runFolder);
    if (fromConfig)
      out.push(...[path.resolve(runFolder, fromConfig), path.resolve(path.dirname(runFolder), fromConfig)]);
    const parent = path.dirname(runFolder);
    try {
      for (const name of fs.readdirSync(parent).sort())
        if (/^run-mask.*\.nc$/.test(name)) out.push(path.join(parent, name));
    } catch {
      // no parent listing: no candidates from there
    }
    return [...new Set(out)].filter((p) => fs.existsSync(p));
  }
}

/** dvmdostem copies its config into the output folder as config_record.js (JSON with // comments). */
function runmaskFromConfigRecord(runFolder: string): string | undefined {
  try {
    const text = fs.readFileSync(path.join(runFolder, 'config_record.js'), 'utf8');
    return /"runmask_file"\s*:\s*"([^"]+)"/.exec(text)?.[1];
  } catch {
    return undefined;
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
  for (const candidate of masks.candidates(runFolder)) {
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
