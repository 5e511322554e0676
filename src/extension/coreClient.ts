import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type * as vscode from 'vscode';
import { CancelledError, UserError } from '../core/errors';
import { Messenger, type Envelope } from '../shared/messenger';
import type {
  CoreOp,
  CoreOps,
  FromWorker,
  ProgressNote,
  ResultReply,
  WorkerErrorReply,
  WorkerInit,
  WorkerRequest,
} from './coreWorkerProtocol';

/** One worker thread and the requests it has not answered yet. */
interface Thread {
  worker: Worker;
  /** Requests and their replies (src/shared/messenger.ts). */
  messenger: Messenger<WorkerRequest, FromWorker>;
  /** Set when the worker asked to be replaced: it gets no new work and stops once idle. */
  retired?: string;
}

type WorkerLog = Pick<vscode.LogOutputChannel, 'debug' | 'warn'>;

/**
 * Runs core operations in a worker thread, started on first use (activation stays cheap). A worker
 * whose HDF5 library can no longer be trusted (it says so with `retire` on a reply) gets no new work:
 * the next request starts a fresh one, so one damaged file never stops later reads.
 */
export class CoreWorker {
  private thread: Thread | undefined;
  /** Every running thread, retired ones still finishing included. */
  private readonly threads = new Set<Thread>();
  private threadsStarted = 0;
  readonly cancelFlag = new SharedArrayBuffer(4);

  constructor(
    private readonly script: string,
    private readonly log: WorkerLog,
  ) {}

  /** How many worker threads this has started (a retired or crashed one is replaced). */
  get started(): number {
    return this.threadsStarted;
  }

  call<K extends CoreOp>(
    op: K,
    args: CoreOps[K]['args'],
    progress?: (p: CoreOps[K]['progress']) => void,
  ): Promise<CoreOps[K]['result']> {
    const thread = (this.thread ??= this.start());
    const onProgress =
      progress && ((note: FromWorker) => progress((note as ProgressNote<CoreOps[K]['progress']>).value));
    return thread.messenger
      .request<ResultReply>({ type: op, args } as WorkerRequest<K> as WorkerRequest, onProgress)
      .then((reply) => reply.value as CoreOps[K]['result']);
  }

  cancel(): void {
    Atomics.store(new Int32Array(this.cancelFlag), 0, 1);
  }

  private start(): Thread {
    const worker = new Worker(this.script, {
      workerData: { cancelFlag: this.cancelFlag } satisfies WorkerInit,
      stderr: true,
    });
    this.threadsStarted++;
    const messenger = new Messenger<WorkerRequest, FromWorker>(
      (envelope) => worker.postMessage(envelope),
      () => undefined, // the worker sends nothing but replies
      { toError: errorFromWorker },
    );
    const thread: Thread = { worker, messenger };
    this.threads.add(thread);
    worker.stderr.on('data', (d: Buffer) => this.log.debug(`[core worker] ${d.toString().trimEnd()}`));
    worker.on('message', (envelope: Envelope<FromWorker>) => {
      const body = envelope.body;
      const retire = envelope.inReplyTo !== undefined && body.type !== 'progress' ? body.retire : undefined;
      if (retire && !thread.retired) this.retire(thread, retire);
      messenger.receive(envelope);
      if (thread.retired && messenger.pendingCount === 0) void worker.terminate();
    });
    const failAll = (err: Error) => {
      messenger.dispose(err);
      if (this.thread === thread) this.thread = undefined;
    };
    worker.on('error', (err) => failAll(err));
    worker.on('exit', (code) => {
      this.threads.delete(thread);
      failAll(new Error(`the core worker stopped (exit code ${code})`));
    });
    return thread;
  }

  private retire(thread: Thread, reason: string): void {
    thread.retired = reason;
    if (this.thread === thread) this.thread = undefined;
    this.log.warn(`Core worker replaced by a fresh one for the next request: ${reason}`);
  }

  dispose(): void {
    for (const t of this.threads) void t.worker.terminate();
    this.thread = undefined;
  }
}

function errorFromWorker({ name, message, stack }: WorkerErrorReply): Error {
  const err =
    name === 'UserError'
      ? new UserError(message)
      : name === 'CancelledError'
        ? new CancelledError()
        : new Error(message);
  if (stack) err.stack = stack;
  return err;
}

/**
 * The extension's access to the core. Reads share one long-lived worker; each salvage or merge gets
 * its own worker, so cancelling one (cooperatively, between 8 MiB chunks) never disturbs the others.
 */
export class CoreClient implements vscode.Disposable {
  private readonly script: string;
  private reader: CoreWorker | undefined;

  constructor(
    extensionUri: Pick<vscode.Uri, 'fsPath'>,
    private readonly log: WorkerLog,
  ) {
    this.script = path.join(extensionUri.fsPath, 'dist', 'coreWorker.js');
  }

  read<
    K extends
      | 'readRunStatus'
      | 'readRunMask'
      | 'readRunRecords'
      | 'maskCandidates'
      | 'planSalvage'
      | 'planRerun'
      | 'checkRun'
      | 'readFailLog'
      | 'readBatchRunStatus'
      | 'readBatchRunGrid'
      | 'isBatchRun',
  >(op: K, args: CoreOps[K]['args']): Promise<CoreOps[K]['result']> {
    this.reader ??= new CoreWorker(this.script, this.log);
    return this.reader.call(op, args);
  }

  /** Runs a writing operation in a worker of its own; `token` cancels it and its partial output. */
  async write<
    K extends
      'salvage' | 'merge' | 'writeRunMask' | 'prepareRerun' | 'salvageBatchRun' | 'mergeBatchRun' | 'stitchBatchRun',
  >(
    op: K,
    args: CoreOps[K]['args'],
    progress?: (p: CoreOps[K]['progress']) => void,
    token?: vscode.CancellationToken,
  ): Promise<CoreOps[K]['result']> {
    const worker = new CoreWorker(this.script, this.log);
    const sub = token?.onCancellationRequested(() => worker.cancel());
    try {
      const result = await worker.call(op, args, progress);
      return result;
    } finally {
      sub?.dispose();
      worker.dispose();
    }
  }

  dispose(): void {
    this.reader?.dispose();
  }
}
