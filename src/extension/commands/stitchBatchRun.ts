import * as path from 'node:path';
import * as vscode from 'vscode';
import type { StitchResult } from '../../core/batch/stitch';
import { notificationText } from '../../shared/plainText';
import { reportError, requireTrust } from '../notify';
import { batchRunFromArg, type BatchCommandDeps } from './batchRunPicker';
import { askNewPath, unusedPath } from './pickers';

export interface StitchBatchRunArgs {
  outputDir?: string;
}

const TITLE = 'Stitch Batch Run';

/**
 * Stitch Batch Run…: full-domain batches into one run folder for the whole domain (the core's
 * stitchBatchRun: checks first, staged, renamed). Asks for the new output folder; progress per file.
 */
export async function stitchBatchRunCommand(
  deps: BatchCommandDeps,
  arg?: unknown,
  options: StitchBatchRunArgs = {},
): Promise<StitchResult | undefined> {
  if (!requireTrust(TITLE)) return undefined;
  try {
    const folder = await batchRunFromArg(deps, TITLE, arg);
    if (!folder) return undefined;
    const outputDir =
      options.outputDir ??
      (await askNewPath(
        TITLE,
        'New folder for the stitched run (the whole domain as one run folder)',
        await unusedPath(`${folder.fsPath}-stitched`),
        true,
      ));
    if (!outputDir) return undefined;
    deps.log.info(`Stitching ${folder.fsPath} -> ${outputDir}`);
    const result = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Stitching ${path.basename(folder.fsPath)}`,
        cancellable: true,
      },
      (progress, token) => {
        let reported = 0;
        return deps.core.write(
          'stitchBatchRun',
          { batchDir: folder.fsPath, outputDir },
          (p) => {
            const pct = (100 * (p.index + 1)) / p.total;
            progress.report({ message: `${p.index + 1}/${p.total} ${p.name}`, increment: pct - reported });
            reported = pct;
          },
          token,
        );
      },
    );
    for (const w of result.warnings) deps.log.warn(`${TITLE}: ${w}`);
    deps.log.info(`Stitched ${result.batches} batches into ${outputDir}: ${result.files.length} files`);
    deps.afterWrite();
    void vscode.window
      .showInformationMessage(
        notificationText(`Stitched ${result.batches} batches into ${path.basename(outputDir)}.`),
        'Show Run Status Grid',
      )
      .then((c) => c && vscode.commands.executeCommand('dvmdostem.showGrid', vscode.Uri.file(outputDir)));
    return result;
  } catch (err) {
    reportError(deps.log, TITLE, err);
    return undefined;
  }
}
