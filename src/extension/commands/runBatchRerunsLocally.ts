import type { BatchCommandDeps } from './batchRunPicker';
import { runBatchRerunTask, type BatchRerunTaskResult } from './batchRerunTask';

/** Run Reruns Locally: the batch run's run-reruns-locally.sh (every queued rerun, one after another) as a task. */
export function runBatchRerunsLocallyCommand(
  deps: BatchCommandDeps,
  arg?: unknown,
): Promise<BatchRerunTaskResult | undefined> {
  return runBatchRerunTask(deps, 'runBatchRerunsLocally', 'Run Reruns Locally', arg);
}
