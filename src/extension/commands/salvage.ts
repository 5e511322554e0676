import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SalvagePlan } from '../../core/salvage';
import type { CoreClient } from '../coreClient';
import { formatBytes, reportError, requireTrust } from '../notify';
import { askNewPath, pathFromPattern, pickRunFolder, pickRunMask, unusedPath, uriFromArg } from './pickers';
import { notificationText } from '../../shared/plainText';

export interface SalvageArgs {
  originalMask?: string;
  backupDir?: string;
  newMask?: string;
  /** Skip the confirmation dialog (scripts, tests). */
  skipConfirm?: boolean;
}

const TITLE = 'Salvage Failed Cells';

/**
 * Salvage Failed Cells…: pick the output folder and its original run-mask, accept or change where
 * the backup and the new mask go (never over anything), confirm, then copy with progress.
 */
export async function salvageCommand(
  deps: {
    core: CoreClient;
    log: vscode.LogOutputChannel;
    activeRun(): vscode.Uri | undefined;
    afterWrite(): void;
    rememberMask(runFolder: string, mask: string): void;
    /** Keeps the new mask as Prepare Rerun's default for the backup. */
    rememberSalvage(backupDir: string, newMask: string): void;
  },
  arg?: unknown,
  options: SalvageArgs = {},
): Promise<SalvagePlan | undefined> {
  if (!requireTrust(TITLE)) return undefined;
  try {
    const output =
      uriFromArg(arg) ??
      deps.activeRun() ??
      (await pickRunFolder(TITLE, 'The output folder of the run to salvage (holds run_status.nc)'));
    if (!output) return undefined;
    const mask = options.originalMask ?? (await pickRunMask(`${TITLE}: the original run-mask`))?.fsPath;
    if (!mask) return undefined;
    const config = vscode.workspace.getConfiguration('dvmdostem', output);
    const backupDir =
      options.backupDir ??
      (await askNewPath(
        TITLE,
        'Backup folder: a full copy of the output folder',
        unusedPath(pathFromPattern(config.get('backupFolderPattern', '${folder}-backup'), output)),
      ));
    if (!backupDir) return undefined;
    const newMask =
      options.newMask ??
      (await askNewPath(
        TITLE,
        'New run-mask enabling only the failed cells',
        unusedPath(path.join(path.dirname(mask), config.get('newMaskName', 'run-mask-failed.nc'))),
      ));
    if (!newMask) return undefined;
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
    void vscode.window
      .showInformationMessage(
        notificationText(
          `Salvaged ${path.basename(output.fsPath)}: ${result.failedCells.length} failed cells to rerun. ` +
            `Backup: ${backupDir}. Next: prepare the rerun with ${path.basename(newMask)}, run it, then merge.`,
        ),
        'Prepare Rerun…',
        'Show Grid',
        'Reveal New Mask',
      )
      .then((choice) => {
        if (choice === 'Prepare Rerun…') {
          void vscode.commands.executeCommand('dvmdostem.prepareRerun', vscode.Uri.file(backupDir), { mask: newMask });
        }
        if (choice === 'Show Grid') void vscode.commands.executeCommand('dvmdostem.showGrid', output);
        if (choice === 'Reveal New Mask')
          void vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(newMask));
      });
    return result;
  } catch (err) {
    reportError(deps.log, TITLE, err);
    return undefined;
  }
}
