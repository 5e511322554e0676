import { parentPort, workerData } from 'node:worker_threads';
import { checkRun } from '../core/check';
import { CancelledError, UserError } from '../core/errors';
import { readFailLog } from '../core/failLog';
import { mergeRuns } from '../core/merge';
import { hdf5Library } from '../core/netcdf/hdf5Library';
import { readRunMask, writeRunMask } from '../core/runMask';
import { planRerun, prepareRerun } from '../core/rerun';
import { maskCandidates } from '../core/maskCandidates';
import { readRunRecords } from '../core/runRecords';
import { readRunStatus } from '../core/runStatus';
import { planSalvage, salvageRun } from '../core/salvage';
import type { CoreOp, CoreOps, WorkerInit, WorkerReply, WorkerRequest } from './coreWorkerProtocol';

/** Worker thread entry: runs core operations for the extension host, one message per request. */

const cancelFlag = new Int32Array((workerData as WorkerInit).cancelFlag);
const isCancelled = () => Atomics.load(cancelFlag, 0) === 1;

type Handler<K extends CoreOp> = (
  args: CoreOps[K]['args'],
  progress: (p: CoreOps[K]['progress']) => void,
) => Promise<CoreOps[K]['result']>;

const handlers: { [K in CoreOp]: Handler<K> } = {
  readRunStatus: ({ path }) => readRunStatus(path),
  readRunMask: ({ path }) => readRunMask(path),
  readRunRecords: ({ runDir }) => readRunRecords(runDir),
  maskCandidates: ({ runFolder, remembered }) => maskCandidates(runFolder, remembered),
  planSalvage: (opts) => planSalvage(opts),
  salvage: (opts, progress) => salvageRun(opts, { onProgress: progress, isCancelled }),
  merge: (opts, progress) =>
    mergeRuns(opts, {
      isCancelled,
      onPlan: (plan) =>
        progress({
          kind: 'plan',
          salvagedSuccessful: plan.salvagedStatus.counts.success,
          rerunSuccessful: plan.rerunStatus.counts.success,
          filesToMerge: plan.files.filter((f) => f.action === 'merge').length,
          files: plan.files.length,
        }),
      onProgress: (p) => progress({ kind: 'file', ...p }),
    }),
  writeRunMask: ({ template, dest, enabled }) => writeRunMask(template, dest, enabled),
  planRerun: (opts) => planRerun(opts),
  prepareRerun: (opts) => prepareRerun(opts),
  checkRun: ({ runDir, mask }) => checkRun(runDir, { mask }),
  readFailLog: ({ runDir }) => readFailLog(runDir),
};

const post = (reply: WorkerReply) => parentPort!.postMessage(reply);

parentPort!.on('message', async (req: WorkerRequest) => {
  try {
    const handler = handlers[req.op] as Handler<CoreOp>;
    if (!handler) throw new Error(`unknown core operation ${String(req.op)}`);
    const value = await handler(req.args, (p) => post({ id: req.id, kind: 'progress', value: p }));
    post({ id: req.id, kind: 'result', value, retire: hdf5Library.needsRestart() });
  } catch (err) {
    const e = err as Error;
    const name = err instanceof UserError ? 'UserError' : err instanceof CancelledError ? 'CancelledError' : 'Error';
    post({
      id: req.id,
      kind: 'error',
      error: { name, message: e?.message ?? String(err), stack: e?.stack },
      retire: hdf5Library.needsRestart(),
    });
  }
});
