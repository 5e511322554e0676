import { parentPort, workerData } from 'node:worker_threads';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readBatchRunGrid } from '../core/batch/batchGrid';
import { mergeBatchRun } from '../core/batch/batchMerge';
import { findBatchRun, looksLikeBatchRun } from '../core/batch/batchRun';
import { salvageBatchRun } from '../core/batch/batchSalvage';
import { readBatchRunStatus } from '../core/batch/batchStatus';
import { stitchBatchRun } from '../core/batch/stitch';
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
import { Messenger, type Envelope } from '../shared/messenger';
import { RUN_STATUS_FILE } from '../shared/runFiles';
import type {
  CoreOp,
  CoreOpHandlers,
  CoreOps,
  FromWorker,
  ResultReply,
  WorkerErrorReply,
  WorkerInit,
  WorkerRequest,
} from './coreWorkerProtocol';

/** Worker thread entry: runs core operations for the extension host, one message per request. */

const cancelFlag = new Int32Array((workerData as WorkerInit).cancelFlag);
const isCancelled = () => Atomics.load(cancelFlag, 0) === 1;

const messenger = new Messenger<FromWorker, WorkerRequest>(
  (envelope) => parentPort!.postMessage(envelope),
  (_body, envelope) => void messenger.handle(handlers, envelope),
  {
    toReply: (value): ResultReply => ({ type: 'result', value, retire: hdf5Library.needsRestart() }),
    toErrorReply: (err): WorkerErrorReply => {
      const e = err as Error;
      const name = err instanceof UserError ? 'UserError' : err instanceof CancelledError ? 'CancelledError' : 'Error';
      return {
        type: 'error',
        name,
        message: e?.message ?? String(err),
        stack: e?.stack,
        retire: hdf5Library.needsRestart(),
      };
    },
  },
);

/** Sends progress notes about the request `envelope` to the host. */
const progressOf =
  <K extends CoreOp>(envelope: Envelope<WorkerRequest<K>>) =>
  (value: CoreOps[K]['progress']) =>
    messenger.progress(envelope, { type: 'progress', value });

const handlers: CoreOpHandlers = {
  readRunStatus: ({ args }) => readRunStatus(args.path),
  readRunMask: ({ args }) => readRunMask(args.path),
  readRunRecords: ({ args }) => readRunRecords(args.runDir),
  maskCandidates: ({ args }) => maskCandidates(args.runFolder, args.remembered),
  planSalvage: ({ args }) => planSalvage(args),
  salvage: ({ args }, envelope) => salvageRun(args, { onProgress: progressOf(envelope), isCancelled }),
  merge: ({ args }, envelope) => {
    const progress = progressOf(envelope);
    return mergeRuns(args, {
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
    });
  },
  writeRunMask: ({ args }) => writeRunMask(args.template, args.dest, args.enabled),
  planRerun: ({ args }) => planRerun(args),
  prepareRerun: ({ args }) => prepareRerun(args),
  checkRun: ({ args }) => checkRun(args.runDir, { mask: args.mask }),
  readFailLog: ({ args }) => readFailLog(args.runDir),
  readBatchRunStatus: async ({ args }) => {
    const status = await readBatchRunStatus(args.dir, { runningThresholdSeconds: args.runningThresholdSeconds });
    const statusFiles = Object.fromEntries(
      findBatchRun(args.dir).batches.map((b) => [b.name, path.join(b.outputDir, RUN_STATUS_FILE)]),
    );
    return { ...status, statusFiles };
  },
  readBatchRunGrid: ({ args }) => readBatchRunGrid(args.dir),
  isBatchRun: ({ args }) =>
    Promise.resolve(!fs.existsSync(path.join(args.dir, RUN_STATUS_FILE)) && looksLikeBatchRun(args.dir)),
  salvageBatchRun: ({ args }, envelope) => {
    const progress = progressOf(envelope);
    return salvageBatchRun(args, {
      isCancelled,
      onAction: (action, index, total) => progress({ action, index, total }),
    });
  },
  mergeBatchRun: ({ args }, envelope) => {
    const progress = progressOf(envelope);
    return mergeBatchRun(args, { isCancelled, onAction: (action, index, total) => progress({ action, index, total }) });
  },
  stitchBatchRun: ({ args }, envelope) => stitchBatchRun(args, { isCancelled, onProgress: progressOf(envelope) }),
};

parentPort!.on('message', (envelope: Envelope<WorkerRequest>) => messenger.receive(envelope));
