import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SalvagePlan } from '../../core/salvage';
import type { CoreClient } from '../coreClient';
import { formatBytes, reportError, requireTrust } from '../notify';
import { runSteps, type Step } from '../multiStepInput';
import { askNewPathIn, pathFromPattern, pickRunFolderIn, pickRunMaskIn, unusedPath, uriFromArg } from './pickers';
import { notificationText } from '../../shared/plainText';

export interface SalvageArgs {
  originalMask?: string;
  backupDir?: string;
  newMask?: string;
  /** Skip the confirmation dialog (scripts, tests). */
  skipConfirm?: boolean;
}

const TITLE = 'Salvage Failed Cells';

export interface SalvageDeps {
  core: CoreClient;
  log: vscode.LogOutputChannel;
  activeRun(): vscode.Uri | undefined;
  /** The run's own run-mask if one is known (offered first), else undefined. */
  defaultMask(runFolder: string): Promise<string | undefined>;
  afterWrite(): void;
  rememberMask(runFolder: string, mask: string): void;
  /** Keeps the new mask as Prepare Rerun's default for the backup. */
  rememberSalvage(backupDir: string, newMask: string): void;
}

/**
 * Salvage Failed Cells…: a guided input (output folder, its original run-mask, where the backup and
 * the new mask go, never over anything), a confirmation, then the copy with progress. The paths
 * written go to the log; the notification says what was done in one line.
 */
export async function salvageCommand(
  deps: SalvageDeps,
  arg?: unknown,
  options: SalvageArgs = {},
): Promise<SalvagePlan | undefined> {
  if (!requireTrust(TITLE)) return undefined;
  try {
    const answers = await askSalvage(deps, uriFromArg(arg), options);
    if (!answers) return undefined;
    const { output, mask, backupDir, newMask } = answers;
    const opts = { outputDir: output.fsPath, backupDir, originalMask: mask, newMask };

    const plan = await deps.core.read('planSalvage', opts);
    if (plan.failedCells.length === 0) {
      void vscode.window.showInformationMessage(
        notificationText(
          `${path.basename(output.fsPath)}: every enabled cell succeeded (${plan.successfulCells} of ${plan.enabledCells}); there is nothing to salvage.`,
        ),
      );
      return plan;
    }
    if (!options.skipConfirm) {
      const go = await vscode.window.showInformationMessage(
        notificationText(
          `Salvage ${path.basename(output.fsPath)}: ${plan.failedCells.length} of ${plan.enabledCells} enabled cells will be rerun.`,
        ),
        {
          modal: true,
          detail: `${plan.files} files (${formatBytes(plan.bytes)}) will be copied to ${backupDir}.\nThe new run-mask ${newMask} will enable only the failed cells.\nThe output folder and the original mask are not changed.`,
        },
        'Salvage',
      );
      if (go !== 'Salvage') return undefined;
    }

    deps.log.info(`Salvaging ${opts.outputDir} -> backup ${backupDir}, new mask ${newMask}`);
    const result = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Salvaging ${path.basename(output.fsPath)}`,
        cancellable: true,
      },
      (progress, token) => {
        let reported = 0;
        return deps.core.write(
          'salvage',
          opts,
          (p) => {
            const pct = p.bytesTotal ? (100 * p.bytesDone) / p.bytesTotal : 0;
            progress.report({ message: `${p.filesDone}/${p.filesTotal} files copied`, increment: pct - reported });
            reported = pct;
          },
          token,
        );
      },
    );
    deps.afterWrite();
    deps.rememberMask(opts.outputDir, mask);
    deps.rememberMask(backupDir, mask);
    deps.rememberSalvage(backupDir, newMask);
    const cells = result.failedCells.map((c) => `(${c.row}, ${c.col}) ${c.state}`).join(', ');
    deps.log.info(`Salvage complete: ${result.failedCells.length} failed cells to rerun: ${cells}`);
    deps.log.info(
      `Next: "Prepare Rerun…" on ${backupDir} with ${newMask} (or point runmask_file in dvmdostem's config to it ` +
        'and rerun into a new output folder), then "Merge Salvaged and Rerun Outputs…".',
    );
    deps.log.info(`Backup: ${backupDir}`);
    deps.log.info(`New run-mask (the failed cells only): ${newMask}`);
    void vscode.window
      .showInformationMessage(
        notificationText(
          `Salvaged ${path.basename(output.fsPath)}: ${result.failedCells.length} failed cells to rerun.`,
        ),
        'Prepare Rerun…',
        'Show Log',
      )
      .then((choice) => {
        if (choice === 'Prepare Rerun…') {
          void vscode.commands.executeCommand('dvmdostem.prepareRerun', vscode.Uri.file(backupDir), { mask: newMask });
        }
        if (choice === 'Show Log') deps.log.show(true);
      });
    return result;
  } catch (err) {
    reportError(deps.log, TITLE, err);
    return undefined;
  }
}

/**
 * The guided input of Salvage: run folder (unless given: the folder under the cursor), original mask
 * (the run's own mask preselected), backup folder and new mask (defaults from the settings). Steps
 * whose answer is in `options` are not asked. Undefined when cancelled.
 */
async function askSalvage(
  deps: SalvageDeps,
  given: vscode.Uri | undefined,
  options: SalvageArgs,
): Promise<{ output: vscode.Uri; mask: string; backupDir: string; newMask: string } | undefined> {
  let output = given;
  let mask = options.originalMask;
  let backupDir = options.backupDir;
  let newMask = options.newMask;
  // A default follows the answers it derives from until the user has edited it.
  let backupFor: string | undefined;
  let newMaskFor: string | undefined;
  const steps: Step[] = [];
  if (!given)
    steps.push(async (input) => {
      output = await pickRunFolderIn(input, 'The output folder of the run to salvage (holds run_status.nc)', {
        active: output ?? deps.activeRun(),
      });
    });
  if (!options.originalMask)
    steps.push(async (input) => {
      const runMask = mask ?? (await deps.defaultMask(output!.fsPath));
      mask = (await pickRunMaskIn(input, runMask ? vscode.Uri.file(runMask) : undefined)).fsPath;
    });
  const config = () => vscode.workspace.getConfiguration('dvmdostem', output);
  if (!options.backupDir)
    steps.push(async (input) => {
      if (!backupDir || backupFor !== output!.fsPath) {
        backupDir = await unusedPath(pathFromPattern(config().get('backupFolderPattern', '${folder}-backup'), output!));
        backupFor = output!.fsPath;
      }
      backupDir = await askNewPathIn(input, 'Backup folder: a full copy of the output folder', backupDir);
    });
  if (!options.newMask)
    steps.push(async (input) => {
      if (!newMask || newMaskFor !== mask) {
        newMask = await unusedPath(path.join(path.dirname(mask!), config().get('newMaskName', 'run-mask-failed.nc')));
        newMaskFor = mask;
      }
      newMask = await askNewPathIn(input, 'New run-mask enabling only the failed cells', newMask);
    });
  if (!(await runSteps(TITLE, steps))) return undefined;
  return { output: output!, mask: mask!, backupDir: backupDir!, newMask: newMask! };
}
