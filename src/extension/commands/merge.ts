import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CheckReport } from '../../core/check';
import type { MergeResult } from '../../core/merge';
import type { CoreClient } from '../coreClient';
import { reportError, requireTrust } from '../notify';
import { showCheckReport } from './checkRun';
import { askNewPath, pathFromPattern, pickRunFolder, unusedPath, uriFromArg } from './pickers';
import { notificationText } from '../../shared/plainText';

export interface MergeArgs {
  rerunDir?: string;
  outputDir?: string;
}

/** A merge's result and the completeness check of the merged folder run right after it. */
export type MergeCommandResult = MergeResult & { outputDir: string; check?: CheckReport };

const TITLE = 'Merge Salvaged and Rerun Outputs';

/**
 * Merge…: pick the salvaged (backup) folder, the rerun folder and a new output folder, then merge
 * with per-file progress. Cancelling leaves nothing behind. Then checks the merged run is complete.
 */
export async function mergeCommand(
  deps: { core: CoreClient; log: vscode.LogOutputChannel; afterWrite(): void },
  arg?: unknown,
  options: MergeArgs = {},
): Promise<MergeCommandResult | undefined> {
  if (!requireTrust(TITLE)) return undefined;
  try {
    const salvaged =
      uriFromArg(arg) ?? (await pickRunFolder(TITLE, 'The salvaged run: the backup folder that salvage made'));
    if (!salvaged) return undefined;
    const rerun = options.rerunDir
      ? vscode.Uri.file(options.rerunDir)
      : await pickRunFolder(TITLE, 'The rerun of the failed cells', [salvaged]);
    if (!rerun) return undefined;
    const pattern = vscode.workspace
      .getConfiguration('dvmdostem', salvaged)
      .get('mergedFolderPattern', '${folder}-merged');
    const outputDir =
      options.outputDir ??
      (await askNewPath(TITLE, 'New folder for the merged run', unusedPath(pathFromPattern(pattern, salvaged)), true));
    if (!outputDir) return undefined;

    const opts = { salvagedDir: salvaged.fsPath, rerunDir: rerun.fsPath, outputDir };
    deps.log.info(`Merging ${opts.salvagedDir} + ${opts.rerunDir} -> ${outputDir}`);
    const result = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Merging into ${path.basename(outputDir)}`,
        cancellable: true,
      },
      (progress, token) =>
        deps.core.write(
          'merge',
          opts,
          (step) => {
            if (step.kind === 'plan') {
              deps.log.info(
                `Salvaged run - successful cells: ${step.salvagedSuccessful}; rerun - successful cells: ${step.rerunSuccessful}; ${step.filesToMerge} files to merge`,
              );
              return;
            }
            deps.log.info(`  ${step.action === 'merge' ? 'Merging' : 'Copying'}: ${step.name}`);
            progress.report({ message: `${step.name} (${step.index + 1}/${step.total})`, increment: 100 / step.total });
          },
          token,
        ),
    );
    deps.afterWrite();
    deps.log.info(
      `Merge complete: ${result.merged.length} files merged, total successful cells: ${result.totalSuccessful}`,
    );
    for (const c of result.copiedOnly)
      deps.log.warn(
        `  ${c.name}: ${c.reason}; copied from the ${c.from === 'salvaged' ? 'salvaged run' : 'rerun'} as it is`,
      );
    const warn = result.copiedOnly.length
      ? ` ${result.copiedOnly.length} files were only on one side and were copied as they are (see the log).`
      : '';
    void vscode.window
      .showInformationMessage(
        notificationText(
          `Merged ${result.merged.length} files into ${path.basename(outputDir)}: ${result.totalSuccessful} successful cells.${warn}`,
        ),
        'Show Grid',
        'Show Log',
      )
      .then((choice) => {
        if (choice === 'Show Grid')
          void vscode.commands.executeCommand('dvmdostem.showGrid', vscode.Uri.file(outputDir));
        if (choice === 'Show Log') deps.log.show(true);
      });
    let check: CheckReport | undefined;
    try {
      check = await deps.core.read('checkRun', { runDir: outputDir });
      showCheckReport(deps.log, check);
    } catch (err) {
      deps.log.warn(`Completeness check of ${outputDir} failed: ${(err as Error).message}`);
    }
    return { ...result, outputDir, check };
  } catch (err) {
    reportError(deps.log, TITLE, err);
    return undefined;
  }
}
