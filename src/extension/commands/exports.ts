/**
 * Export Failed Cells (CSV) and Export Grid (PNG): ask where (or take the destination a script
 * passed), then write the file staged and renamed. The CSV is built from the run's files in the core
 * worker's reads; the PNG comes from the grid webview.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { pathExists } from '../pathExists';
import { UserError } from '../../core/errors';
import { failedCellsCsv } from '../../core/failedCellsCsv';
import { writeFileStaged } from '../../core/staging';
import { notificationText } from '../../shared/plainText';
import type { CoreClient } from '../coreClient';
import { loadGridData, type RunMaskRegistry } from '../gridSource';
import { reportError, requireTrust } from '../notify';
import { runFolderFor, unusedPath } from './pickers';

export interface ExportContext {
  core: CoreClient;
  masks: RunMaskRegistry;
  log: vscode.LogOutputChannel;
}

/** Options scripts and tests pass to skip the save dialog. */
export interface ExportArgs {
  dest?: string;
}

/** The save dialog (default next to the run folder, never over the run's own files), or the given path. */
async function chooseDest(
  title: string,
  runFolder: vscode.Uri,
  suffix: string,
  filters: Record<string, string[]>,
  given?: string,
): Promise<string | undefined> {
  if (given) {
    const dest = path.resolve(given);
    if (await pathExists(dest))
      throw new UserError(`${dest}: already exists (choose a new file name; nothing was overwritten)`);
    return dest;
  }
  const base = path.join(path.dirname(runFolder.fsPath), `${path.basename(runFolder.fsPath)}-${suffix}`);
  const uri = await vscode.window.showSaveDialog({
    title,
    defaultUri: vscode.Uri.file(await unusedPath(base)),
    filters,
  });
  return uri?.fsPath;
}

function announce(log: vscode.LogOutputChannel, what: string, dest: string): void {
  log.info(`${what}: wrote ${dest}`);
  void vscode.window
    .showInformationMessage(notificationText(`${what}: wrote ${path.basename(dest)}.`), 'Reveal')
    .then((c) => c && vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(dest)));
}

/** Writes the failed cells of a run as CSV; returns the path written, or undefined when cancelled. */
export async function exportFailedCells(
  ctx: ExportContext,
  runFolder: vscode.Uri,
  options: ExportArgs = {},
): Promise<string | undefined> {
  const title = 'Export Failed Cells (CSV)';
  if (!requireTrust(title)) return undefined;
  try {
    const grid = await loadGridData(ctx.core, ctx.masks, runFolder, ctx.log);
    const records = await ctx.core.read('readRunRecords', { runDir: runFolder.fsPath });
    const { csv, cells } = failedCellsCsv({ ...grid, reasons: records.failReasons });
    const dest = await chooseDest(title, runFolder, 'failed-cells.csv', { CSV: ['csv'] }, options.dest);
    if (!dest) return undefined;
    await writeFileStaged(dest, csv);
    announce(ctx.log, `${title}, ${cells} cell${cells === 1 ? '' : 's'}`, dest);
    return dest;
  } catch (err) {
    reportError(ctx.log, title, err);
    return undefined;
  }
}

/**
 * Export Failed Cells (CSV) as a command: asks which run when none is given (the active grid's run is
 * offered), then writes the CSV; returns the path written, or undefined when cancelled.
 */
export async function exportFailedCellsCommand(
  ctx: ExportContext & { activeRun: () => vscode.Uri | undefined },
  arg?: unknown,
  options?: ExportArgs,
): Promise<string | undefined> {
  const folder = await runFolderFor(arg, ctx.activeRun, 'Export Failed Cells (CSV)', 'Which run?');
  return folder ? exportFailedCells(ctx, folder, options) : undefined;
}

/** Writes the grid's PNG (from the webview); returns the path written, or undefined when cancelled. */
export async function writeGridPng(
  ctx: Pick<ExportContext, 'log'>,
  runFolder: vscode.Uri,
  png: Uint8Array,
  dest?: string,
): Promise<string | undefined> {
  const title = 'Export Grid (PNG)';
  if (!requireTrust(title)) return undefined;
  const where = await chooseDest(title, runFolder, 'grid.png', { PNG: ['png'] }, dest);
  if (!where) return undefined;
  await writeFileStaged(where, png);
  announce(ctx.log, title, where);
  return where;
}
