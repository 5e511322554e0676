/**
 * Messages between the extension host and the core worker (dist/coreWorker.js), carried by the
 * request/reply helper of src/shared/messenger.ts (the one the webview uses too). The worker runs the
 * file-reading and -writing core off the extension host's main thread, so the editor never freezes.
 */
import type { BatchRunGrid } from '../core/batch/batchGrid';
import type { BatchMergeAction, BatchMergeOptions } from '../core/batch/batchMerge';
import type { BatchSalvageAction, BatchSalvageOptions, BatchSalvageResult } from '../core/batch/batchSalvage';
import type { BatchRunStatus } from '../core/batch/batchStatus';
import type { StitchOptions, StitchProgress, StitchResult } from '../core/batch/stitch';
import type { CheckReport } from '../core/check';
import type { FailReason } from '../core/failLog';
import type { MergeOptions, MergeResult } from '../core/merge';
import type { PrepareRerunOptions, RerunPlan } from '../core/rerun';
import type { RunMask } from '../core/runMask';
import type { RunRecords } from '../core/runRecords';
import type { RunStatus } from '../core/runStatus';
import type { SalvageOptions, SalvagePlan, SalvageProgress } from '../core/salvage';
import type { Envelope, ErrorReply } from '../shared/messenger';

export interface CoreOps {
  readRunStatus: { args: { path: string }; result: RunStatus; progress: never };
  readRunMask: { args: { path: string }; result: RunMask; progress: never };
  readRunRecords: { args: { runDir: string }; result: RunRecords; progress: never };
  maskCandidates: { args: { runFolder: string; remembered?: string }; result: string[]; progress: never };
  planSalvage: { args: SalvageOptions; result: SalvagePlan; progress: never };
  salvage: { args: SalvageOptions; result: SalvagePlan; progress: SalvageProgress };
  merge: { args: MergeOptions; result: MergeResult; progress: MergeStep };
  writeRunMask: { args: { template: string; dest: string; enabled: Uint8Array }; result: void; progress: never };
  planRerun: { args: PrepareRerunOptions; result: RerunPlan; progress: never };
  prepareRerun: { args: PrepareRerunOptions; result: RerunPlan; progress: never };
  checkRun: { args: { runDir: string; mask?: string }; result: CheckReport; progress: never };
  readFailLog: { args: { runDir: string }; result: FailReason[]; progress: never };
  /** A batch-split run's status, with each batch's run_status.nc path (for polling). */
  readBatchRunStatus: {
    args: { dir: string; runningThresholdSeconds?: number };
    result: BatchRunStatus & { statusFiles: Record<string, string> };
    progress: never;
  };
  readBatchRunGrid: { args: { dir: string }; result: BatchRunGrid; progress: never };
  /** Whether a folder is a batch run rather than a run folder (batch subfolders, no run_status.nc). */
  isBatchRun: { args: { dir: string }; result: boolean; progress: never };
  salvageBatchRun: { args: BatchSalvageOptions; result: BatchSalvageResult; progress: BatchStep<BatchSalvageAction> };
  mergeBatchRun: { args: BatchMergeOptions; result: BatchMergeAction[]; progress: BatchStep<BatchMergeAction> };
  stitchBatchRun: { args: StitchOptions; result: StitchResult; progress: StitchProgress };
}

/** One batch of a batch run handled (index counts from 0). */
export interface BatchStep<A> {
  action: A;
  index: number;
  total: number;
}
export type CoreOp = keyof CoreOps;

export type MergeStep =
  | { kind: 'plan'; salvagedSuccessful: number; rerunSuccessful: number; filesToMerge: number; files: number }
  | { kind: 'file'; name: string; action: 'merge' | 'copy'; index: number; total: number };

/** A request to the worker: run core operation `type` with `args`. */
export type WorkerRequest<K extends CoreOp = CoreOp> = { [P in K]: { type: P; args: CoreOps[P]['args'] } }[K];

/**
 * `retire` on a final reply: the worker must not be given more work (its HDF5 library state can no
 * longer be trusted, see Hdf5Library.needsRestart); the host starts a fresh worker for the next request.
 */
export interface ResultReply<T = unknown> {
  type: 'result';
  value: T;
  retire?: string;
}

/** A progress note about a running operation (salvage, merge). */
export interface ProgressNote<T = unknown> {
  type: 'progress';
  value: T;
}

/** A failed operation; `name` tells the host which error class to rethrow. */
export interface WorkerErrorReply extends ErrorReply {
  name?: 'UserError' | 'CancelledError' | 'Error';
  retire?: string;
}

export type FromWorker = ResultReply | ProgressNote | WorkerErrorReply;

/** The worker's handler of each core operation (an operation without one does not compile). */
export type CoreOpHandlers = {
  [K in CoreOp]: (body: WorkerRequest<K>, envelope: Envelope<WorkerRequest<K>>) => Promise<CoreOps[K]['result']>;
};

/** workerData: a shared flag the host sets to ask the running operation to stop. */
export interface WorkerInit {
  cancelFlag: SharedArrayBuffer;
}
