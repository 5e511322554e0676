import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BatchMergeAction } from '../../core/batch/batchMerge';
import { notificationText } from '../../shared/plainText';
import { reportError, requireTrust } from '../notify';
import { batchProgress, batchRunFromArg, type BatchCommandDeps } from './batchRunPicker';

export interface MergeBatchRunArgs {
  skipConfirm?: boolean;
}

const TITLE = 'Merge Batch Run';

export function describeMergeAction(a: BatchMergeAction): string {
  switch (a.action) {
    case 'merged':
      return `${a.batch}: rescue ${a.round} merged, ${a.successful} cells ok (replaced output kept as ${path.basename(a.keptOutput)})`;
    case 'rerun-missing':
      return `${a.batch}: rescue ${a.round} not merged: its rerun has not run`;
    case 'rerun-running':
      return `${a.batch}: rescue ${a.round} not merged: its rerun is still running`;
    case 'nothing-to-merge':
      return `${a.batch}: nothing to merge`;
  }
}

/**
 * Merge Batch Run…: the core's mergeBatchRun (every finished rerun merged into its batch's output,
 * the replaced output kept), batch by batch with progress; cancellable and repeatable.
 */
export async function mergeBatchRunCommand(
  deps: BatchCommandDeps,
  arg?: unknown,
  options: MergeBatchRunArgs = {},
): Promise<BatchMergeAction[] | undefined> {
  if (!requireTrust(TITLE)) return undefined;
  try {
    const folder = await batchRunFromArg(deps, TITLE, arg);
    if (!folder) return undefined;
    if (!options.skipConfirm) {
      const go = await vscode.window.showWarningMessage(
        `Merge the finished reruns of ${path.basename(folder.fsPath)}?`,
        {
          modal: true,
          detail:
            'Each batch whose rerun has finished gets the merge of its backup and rerun as its output/; the output it replaces is kept (renamed), never deleted. Reruns missing or still running are left as they are.',
        },
        'Merge',
      );
      if (go !== 'Merge') return undefined;
    }
    deps.log.info(`Merging the batch run ${folder.fsPath}`);
    const actions = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Merging ${path.basename(folder.fsPath)}`,
        cancellable: true,
      },
      (progress, token) => {
        const step = batchProgress(progress);
        return deps.core.write(
          'mergeBatchRun',
          { batchDir: folder.fsPath },
          (p) => {
            const text = describeMergeAction(p.action);
            deps.log.info(`[${p.index + 1}/${p.total}] ${text}`);
            step(p.index, p.total, text);
          },
          token,
        );
      },
    );
    deps.afterWrite();
    const merged = actions.filter((a) => a.action === 'merged').length;
    const waiting = actions.filter((a) => a.action === 'rerun-missing' || a.action === 'rerun-running').length;
    void vscode.window.showInformationMessage(
      notificationText(
        `${path.basename(folder.fsPath)}: ${merged} batches merged` +
          (waiting ? `, ${waiting} reruns not finished yet (merge again later).` : '.'),
      ),
    );
    return actions;
  } catch (err) {
    reportError(deps.log, TITLE, err);
    return undefined;
  }
}
