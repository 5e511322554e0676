import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CheckReport } from '../../core/check';
import { reportError, requireTrust } from '../notify';
import type { RerunCompletion } from '../rerunCompletion';
import type { RerunRegistry } from '../rerunRegistry';
import { buildTask, runTask, TASK_TYPE } from '../rerunTasks';
import { rerunScriptFor } from './pickers';
import { notificationText } from '../../shared/plainText';

export interface RerunTaskResult {
  rerunDir: string;
  /** run.sh's exit code (dvmdostem's), undefined when VS Code reported none. */
  exitCode: number | undefined;
  /** The completeness check of the rerun's output folder once the task ended (known reruns). */
  check?: CheckReport;
}

const TITLE = 'Run Rerun';

/** Run Rerun: runs a prepared rerun folder's run.sh as a `dvmdostem` task in the terminal; resolves when it ends. */
export async function runRerunCommand(
  deps: {
    log: vscode.LogOutputChannel;
    registry: RerunRegistry;
    completion: RerunCompletion;
    onJobId: (rerunDir: string, jobId: string) => void;
    afterWrite(): void;
  },
  arg?: unknown,
): Promise<RerunTaskResult | undefined> {
  if (!requireTrust(TITLE)) return undefined;
  try {
    const target = await rerunScriptFor(TITLE, arg, deps.registry.reruns(), 'run.sh');
    if (!target) return undefined;
    const { rerunDir, script } = target;
    deps.log.info(`Running ${script} as a task`);
    const exitCode = await runTask(
      buildTask({ type: TASK_TYPE, action: 'run', rerunDir }, vscode.TaskScope.Workspace, deps.onJobId),
    );
    deps.log.info(`${script} ended with exit code ${exitCode ?? 'unknown'}`);
    deps.afterWrite();
    const known = deps.registry.find(rerunDir);
    const check = known ? await deps.completion.checkAndOffer(known, true) : undefined;
    if (exitCode !== 0) {
      void vscode.window
        .showWarningMessage(
          notificationText(
            `The rerun in ${path.basename(rerunDir)} ended with exit code ${exitCode ?? 'unknown'} ` +
              "(see the task's terminal).",
          ),
          'Show Log',
        )
        .then((c) => c && deps.log.show(true));
    }
    return { rerunDir, exitCode, check };
  } catch (err) {
    reportError(deps.log, TITLE, err);
    return undefined;
  }
}
