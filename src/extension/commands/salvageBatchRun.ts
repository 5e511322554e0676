import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BatchSalvageAction, BatchSalvageResult, RerunSettings } from '../../core/batch/batchSalvage';
import { UserError } from '../../core/errors';
import { notificationText } from '../../shared/plainText';
import { reportError, requireTrust } from '../notify';
import { batchProgress, batchRunFromArg, type BatchCommandDeps } from './batchRunPicker';

export type SalvageBatchRunArgs = RerunSettings & { skipConfirm?: boolean };

const TITLE = 'Salvage Batch Run';

/** What one batch's step did, for progress and the log. */
export function describeSalvageAction(a: BatchSalvageAction): string {
  switch (a.action) {
    case 'complete':
      return `${a.batch}: complete, not touched`;
    case 'running':
      return `${a.batch}: still running, not touched`;
    case 'prepared':
      return `${a.batch}: rescue ${a.round}, ${a.cells} cells to rerun`;
    case 'waiting':
      return `${a.batch}: rescue ${a.round} already prepared`;
    case 'resubmit':
      return `${a.batch}: never started, its job is queued again (${a.cells} cells)`;
  }
}

/**
 * Salvage Batch Run…: the core's salvageBatchRun, batch by batch with progress (cancellable; a new
 * salvage resumes where it stopped). Asks first, showing what a dry run found; when the dry run is
 * refused for want of dvmdostem's working directory, asks for it.
 */
export async function salvageBatchRunCommand(
  deps: BatchCommandDeps,
  arg?: unknown,
  options: SalvageBatchRunArgs = {},
): Promise<BatchSalvageResult | undefined> {
  if (!requireTrust(TITLE)) return undefined;
  try {
    const folder = await batchRunFromArg(deps, TITLE, arg);
    if (!folder) return undefined;
    const { skipConfirm, ...settings } = options;
    const opts = { ...settings, batchDir: folder.fsPath };
    if (!skipConfirm) {
      let dry: BatchSalvageResult;
      try {
        dry = await deps.core.write('salvageBatchRun', { ...opts, dryRun: true });
      } catch (err) {
        if (!(err instanceof UserError) || opts.workdir) throw err;
        const workdir = await askWorkdir(err.message, folder);
        if (!workdir) return undefined;
        opts.workdir = workdir;
        dry = await deps.core.write('salvageBatchRun', { ...opts, dryRun: true });
      }
      const count = (kind: BatchSalvageAction['action']) => dry.actions.filter((a) => a.action === kind).length;
      const rounds = count('prepared');
      const resubmits = count('resubmit');
      if (rounds + resubmits === 0 && count('waiting') === 0) {
        void vscode.window.showInformationMessage(
          notificationText(`${path.basename(folder.fsPath)}: no batch needs salvaging.`),
        );
        return dry;
      }
      const go = await vscode.window.showWarningMessage(
        `Salvage ${path.basename(folder.fsPath)}?`,
        {
          modal: true,
          detail:
            `${rounds} batches get a rescue round (backup of their output, a mask of the cells to rerun, a prepared rerun); ` +
            `${resubmits} batches that never started are queued again; ${count('complete')} complete batches are not touched. ` +
            'Then submit-reruns.sh and run-reruns-locally.sh are written in the batch run folder.',
        },
        'Salvage',
      );
      if (go !== 'Salvage') return undefined;
    }
    deps.log.info(`Salvaging the batch run ${folder.fsPath}`);
    const result = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Salvaging ${path.basename(folder.fsPath)}`,
        cancellable: true,
      },
      (progress, token) => {
        const step = batchProgress(progress);
        return deps.core.write(
          'salvageBatchRun',
          opts,
          (p) => {
            const text = describeSalvageAction(p.action);
            deps.log.info(`[${p.index + 1}/${p.total}] ${text}`);
            step(p.index, p.total, text);
          },
          token,
        );
      },
    );
    deps.afterWrite();
    const queued = result.actions.filter(
      (a) => a.action === 'prepared' || a.action === 'resubmit' || a.action === 'waiting',
    );
    void vscode.window
      .showInformationMessage(
        notificationText(
          `Salvaged ${path.basename(folder.fsPath)}: ${queued.length} reruns queued` +
            (result.submitScript ? ` in ${path.basename(result.submitScript)}.` : '.'),
        ),
        'Submit Reruns',
        'Run Reruns Locally',
      )
      .then((c) => {
        if (c === 'Submit Reruns') void vscode.commands.executeCommand('dvmdostem.submitBatchReruns', folder);
        if (c === 'Run Reruns Locally') void vscode.commands.executeCommand('dvmdostem.runBatchRerunsLocally', folder);
      });
    return result;
  } catch (err) {
    reportError(deps.log, TITLE, err);
    return undefined;
  }
}

async function askWorkdir(reason: string, batchDir: vscode.Uri): Promise<string | undefined> {
  const choice = await vscode.window.showWarningMessage(
    `${TITLE}: ${reason}`,
    { modal: true, detail: 'Choose the folder dvmdostem runs in (where the batch jobs were started).' },
    'Choose Working Directory…',
  );
  if (!choice) return undefined;
  const picked = await vscode.window.showOpenDialog({
    title: `${TITLE}: dvmdostem's working directory`,
    canSelectFolders: true,
    canSelectFiles: false,
    defaultUri: batchDir,
  });
  return picked?.[0]?.fsPath;
}
