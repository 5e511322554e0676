import type { BatchCommandDeps } from './batchRunPicker';
import { runBatchRerunTask, type BatchRerunTaskResult } from './batchRerunTask';

/** Submit Reruns: the batch run's submit-reruns.sh (sbatch of every queued rerun) as a `dvmdostem` task. */
export function submitBatchRerunsCommand(
  deps: BatchCommandDeps,
  arg?: unknown,
): Promise<BatchRerunTaskResult | undefined> {
  return runBatchRerunTask(deps, 'submitBatchReruns', 'Submit Reruns', arg);
}
