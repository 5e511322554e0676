import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CheckReport } from '../../core/check';
import type { MergeResult } from '../../core/merge';
import type { CoreClient } from '../coreClient';
import { reportError, requireTrust } from '../notify';
import { showCheckReport } from './checkRun';
import { runSteps, type Step } from '../multiStepInput';
import { askNewPathIn, pathFromPattern, pickRunFolderIn, unusedPath, uriFromArg } from './pickers';
import { notificationText } from '../../shared/plainText';

export interface MergeArgs {
  rerunDir?: string;
  outputDir?: string;
}

/** A merge's result and the completeness check of the merged folder run right after it. */
export type MergeCommandResult = MergeResult & { outputDir: string; check?: CheckReport };

const TITLE = 'Merge Salvaged and Rerun Outputs';

/**
 * Merge…: a guided input (the salvaged (backup) folder, the rerun folder, a new output folder), then
 * the merge with per-file progress; the paths go to the log, the notification is one line. Cancelling leaves nothing behind. Then checks the merged run is complete.
 */
export async function mergeCommand(
  deps: { core: CoreClient; log: vscode.LogOutputChannel; afterWrite(): void },
  arg?: unknown,
  options: MergeArgs = {},
): Promise<MergeCommandResult | undefined> {
  if (!requireTrust(TITLE)) return undefined;
  try {
    const answers = await askMerge(uriFromArg(arg), options);
    if (!answers) return undefined;
    const { salvaged, rerun, outputDir } = answers;
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
    deps.log.info(`Merged run: ${outputDir}`);
    const warn = result.copiedOnly.length ? ` ${result.copiedOnly.length} files copied from one side only.` : '';
    void vscode.window
      .showInformationMessage(
        notificationText(`Merged into ${path.basename(outputDir)}: ${result.totalSuccessful} successful cells.${warn}`),
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

/**
 * The guided input of Merge: the salvaged run (unless given: the folder under the cursor), the rerun,
 * and a new folder for the merged run (default from dvmdostem.mergedFolderPattern). Steps whose answer
 * is in `options` are not asked. Undefined when cancelled.
 */
async function askMerge(
  given: vscode.Uri | undefined,
  options: MergeArgs,
): Promise<{ salvaged: vscode.Uri; rerun: vscode.Uri; outputDir: string } | undefined> {
  let salvaged = given;
  let rerun = options.rerunDir ? vscode.Uri.file(options.rerunDir) : undefined;
  let outputDir = options.outputDir;
  let outputFor: string | undefined;
  const steps: Step[] = [];
  if (!given)
    steps.push(async (input) => {
      salvaged = await pickRunFolderIn(input, 'The salvaged run: the backup folder that salvage made', {
        active: salvaged,
      });
    });
  if (!options.rerunDir)
    steps.push(async (input) => {
      rerun = await pickRunFolderIn(input, 'The rerun of the failed cells', { exclude: [salvaged!], active: rerun });
    });
  if (!options.outputDir)
    steps.push(async (input) => {
      if (!outputDir || outputFor !== salvaged!.fsPath) {
        const pattern = vscode.workspace
          .getConfiguration('dvmdostem', salvaged)
          .get('mergedFolderPattern', '${folder}-merged');
        outputDir = await unusedPath(pathFromPattern(pattern, salvaged!));
        outputFor = salvaged!.fsPath;
      }
      outputDir = await askNewPathIn(input, 'New folder for the merged run', outputDir, true);
    });
  if (!(await runSteps(TITLE, steps))) return undefined;
  return { salvaged: salvaged!, rerun: rerun!, outputDir: outputDir! };
}
