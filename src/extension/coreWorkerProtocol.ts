/**
 * Messages between the extension host and the core worker (dist/coreWorker.js). The worker runs the
 * file-reading and -writing core off the extension host's main thread, so the editor never freezes.
 */
import type { CheckReport } from '../core/check';
import type { FailReason } from '../core/failLog';
import type { MergeOptions, MergeResult } from '../core/merge';
import type { PrepareRerunOptions, RerunPlan } from '../core/rerun';
import type { RunMask } from '../core/runMask';
import type { RunRecords } from '../core/runRecords';
import type { RunStatus } from '../core/runStatus';
import type { SalvageOptions, SalvagePlan, SalvageProgress } from '../core/salvage';

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
}
export type CoreOp = keyof CoreOps;

export type MergeStep =
  | { kind: 'plan'; salvagedSuccessful: number; rerunSuccessful: number; filesToMerge: number; files: number }
  | { kind: 'file'; name: string; action: 'merge' | 'copy'; index: number; total: number };

export interface WorkerRequest<K extends CoreOp = CoreOp> {
  id: number;
  op: K;
  args: CoreOps[K]['args'];
}

/**
 * `retire` on a final reply: the worker must not be given more work (its HDF5 library state can no
 * longer be trusted, see Hdf5Library.needsRestart); the host starts a fresh worker for the next request.
 */
export type WorkerReply =
  | { id: number; kind: 'result'; value: unknown; retire?: string }
  | { id: number; kind: 'progress'; value: unknown }
  | {
      id: number;
      kind: 'error';
      error: { name: 'UserError' | 'CancelledError' | 'Error'; message: string; stack?: string };
      retire?: string;
    };

/** workerData: a shared flag the host sets to ask the running operation to stop. */
export interface WorkerInit {
  cancelFlag: SharedArrayBuffer;
}
