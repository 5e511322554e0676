import * as vscode from 'vscode';
import { UserError } from '../../core/errors';
import { reportError, requireTrust } from '../notify';
import type { RerunRegistry } from '../rerunRegistry';
import { buildTask, runTask, TASK_TYPE } from '../rerunTasks';
import { rerunScriptFor } from './pickers';

export interface SubmitResult {
  rerunDir: string;
  /** sbatch's exit code (127 when sbatch is not installed). */
  exitCode: number | undefined;
  /** The SLURM job id sbatch gave, when it succeeded. */
  jobId?: string;
}

const TITLE = 'Submit Rerun to SLURM';

/**
 * Submit to SLURM: `sbatch slurm_runner.sh` of a prepared rerun folder through a `dvmdostem` task.
 * The job id is shown and kept (workspaceState); the runs view then follows the job's output by
 * polling while it is visible, and Merge is offered when no cell is left to run.
 */
export async function submitRerunCommand(
  deps: { log: vscode.LogOutputChannel; registry: RerunRegistry; onJobId: (rerunDir: string, jobId: string) => void },
  arg?: unknown,
): Promise<SubmitResult | undefined> {
  if (!requireTrust(TITLE)) return undefined;
  try {
    const target = await rerunScriptFor(TITLE, arg, deps.registry.reruns(), 'slurm_runner.sh');
    if (!target) return undefined;
    const { rerunDir, script } = target;
    let jobId: string | undefined;
    const onJobId = (dir: string, id: string) => {
      jobId = id;
      deps.onJobId(dir, id);
    };
    const exitCode = await runTask(
      buildTask({ type: TASK_TYPE, action: 'submit', rerunDir }, vscode.TaskScope.Workspace, onJobId),
    );
    // A custom-execution task may end without a process exit code: the job id is what counts.
    if (!jobId)
      throw new UserError(
        `sbatch ${script} failed (exit code ${exitCode ?? 'unknown'}); its output is in the task's terminal`,
      );
    return { rerunDir, exitCode: exitCode ?? 0, jobId };
  } catch (err) {
    reportError(deps.log, TITLE, err);
    return undefined;
  }
}
