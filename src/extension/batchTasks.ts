import * as path from 'node:path';
import * as vscode from 'vscode';
import { LOCAL_SCRIPT, SUBMIT_SCRIPT } from '../core/batch/rerunScripts';
import { TASK_TYPE } from './rerunTasks';

/**
 * `dvmdostem` tasks of a salvaged batch run: its submit-reruns.sh (sbatch of every queued rerun, job
 * ids recorded in rerun-jobs.txt) or its run-reruns-locally.sh, run with bash in the batch run folder.
 */
export type BatchTaskAction = 'submitBatchReruns' | 'runBatchRerunsLocally';

export interface BatchTaskDefinition extends vscode.TaskDefinition {
  type: typeof TASK_TYPE;
  action: BatchTaskAction;
  batchDir: string;
}

export const batchTaskScript = (batchDir: string, action: BatchTaskAction) =>
  path.join(batchDir, action === 'submitBatchReruns' ? SUBMIT_SCRIPT : LOCAL_SCRIPT);

export function buildBatchTask(batchDir: string, action: BatchTaskAction): vscode.Task {
  const definition: BatchTaskDefinition = { type: TASK_TYPE, action, batchDir };
  const name = path.basename(batchDir);
  const task = new vscode.Task(
    definition,
    vscode.TaskScope.Workspace,
    `${action === 'submitBatchReruns' ? 'Submit Reruns' : 'Run Reruns Locally'}: ${name}`,
    TASK_TYPE,
    new vscode.ProcessExecution('bash', [batchTaskScript(batchDir, action)], { cwd: batchDir }),
  );
  task.presentationOptions = {
    reveal: vscode.TaskRevealKind.Always,
    panel: vscode.TaskPanelKind.Dedicated,
    clear: true,
  };
  return task;
}
