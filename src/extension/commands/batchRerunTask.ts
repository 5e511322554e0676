import * as path from 'node:path';
import * as vscode from 'vscode';
import { UserError } from '../../core/errors';
import { notificationText } from '../../shared/plainText';
import { batchTaskScript, buildBatchTask, type BatchTaskAction } from '../batchTasks';
import { reportError, requireTrust } from '../notify';
import { runTask } from '../rerunTasks';
import { batchRunFromArg, type BatchCommandDeps } from './batchRunPicker';

export interface BatchRerunTaskResult {
  batchDir: string;
  exitCode: number | undefined;
}

/** Runs one of the scripts Salvage Batch Run wrote as a `dvmdostem` task; resolves when it ends. */
export async function runBatchRerunTask(
  deps: BatchCommandDeps,
  action: BatchTaskAction,
  title: string,
  arg?: unknown,
): Promise<BatchRerunTaskResult | undefined> {
  if (!requireTrust(title)) return undefined;
  try {
    const folder = await batchRunFromArg(deps, title, arg);
    if (!folder) return undefined;
    const script = batchTaskScript(folder.fsPath, action);
    try {
      await vscode.workspace.fs.stat(vscode.Uri.file(script));
    } catch {
      throw new UserError(`${script}: not found (run Salvage Batch Run on ${folder.fsPath} first)`);
    }
    deps.log.info(`Running ${script} as a task`);
    const exitCode = await runTask(buildBatchTask(folder.fsPath, action));
    deps.log.info(`${script} ended with exit code ${exitCode ?? 'unknown'}`);
    deps.afterWrite();
    if (exitCode !== 0) {
      void vscode.window
        .showWarningMessage(
          notificationText(
            `${path.basename(script)} ended with exit code ${exitCode ?? 'unknown'} (see the task's terminal).`,
          ),
          'Show Log',
        )
        .then((c) => c && deps.log.show(true));
    }
    return { batchDir: folder.fsPath, exitCode };
  } catch (err) {
    reportError(deps.log, title, err);
    return undefined;
  }
}
