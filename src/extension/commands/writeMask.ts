import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CoreClient } from '../coreClient';
import { findMaskFor, type RunMaskRegistry } from '../gridSource';
import { reportError, requireTrust } from '../notify';
import { RUN_STATUS_FILE } from '../../shared/runFiles';
import { pickRunMask, unusedPath } from './pickers';
import { notificationText } from '../../shared/plainText';

const TITLE = 'Write Mask for Selected Cells';

/**
 * Write Mask for Selected Cells (from the grid's selection): a new run-mask enabling only `cells`, a
 * copy of the run's original mask (found, else asked for) written where the user says, never over it.
 */
export async function writeMaskForCells(
  deps: { core: CoreClient; masks: RunMaskRegistry; log: vscode.LogOutputChannel },
  folder: vscode.Uri,
  cells: Int32Array,
): Promise<vscode.Uri | undefined> {
  if (!requireTrust(TITLE)) return undefined;
  try {
    const { core, masks, log } = deps;
    const status = await core.read('readRunStatus', { path: path.join(folder.fsPath, RUN_STATUS_FILE) });
    let template = (await findMaskFor(core, masks, folder.fsPath, status.grid.rows, status.grid.cols))?.path;
    template ??= (await pickRunMask(`${TITLE}: the run's original run-mask (the new mask is a copy of it)`))?.fsPath;
    if (!template) return undefined;
    const dest = await vscode.window.showSaveDialog({
      title: TITLE,
      defaultUri: vscode.Uri.file(await unusedPath(path.join(path.dirname(template), 'run-mask-selected.nc'))),
      filters: { NetCDF: ['nc'] },
    });
    if (!dest) return undefined;
    if (dest.fsPath === template) throw new Error('the new mask must not replace the original mask');
    const enabled = new Uint8Array(status.grid.rows * status.grid.cols);
    for (const c of cells) enabled[c] = 1;
    await core.write('writeRunMask', { template, dest: dest.fsPath, enabled });
    masks.remember(folder.fsPath, template);
    log.info(`Wrote ${dest.fsPath} enabling ${cells.length} cells (a copy of ${template})`);
    void vscode.window
      .showInformationMessage(
        notificationText(`Wrote ${path.basename(dest.fsPath)} enabling ${cells.length} cells.`),
        'Reveal',
      )
      .then((c) => c && vscode.commands.executeCommand('revealInExplorer', dest));
    return dest;
  } catch (err) {
    reportError(deps.log, TITLE, err);
    return undefined;
  }
}
