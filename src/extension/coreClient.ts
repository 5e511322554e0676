import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import { CancelledError, UserError } from '../core/errors';
import type { CoreOp, CoreOps, WorkerInit, WorkerReply, WorkerRequest } from './coreWorkerProtocol';

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  progress?(p: unknown): void;
}

/** One worker thread running the core; started on first use, so activation stays cheap. */
class CoreWorker {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  readonly cancelFlag = new SharedArrayBuffer(4);

  constructor(private readonly script: string, private readonly log: vscode.LogOutputChannel) {}

  call<K extends CoreOp>(op: K, args: CoreOps[K]['args'], progress?: (p: CoreOps[K]['progress']) => void): Promise<CoreOps[K]['result']> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, progress: progress as (p: unknown) => void });
      worker.postMessage({ id, op, args } satisfies WorkerRequest<K>);
    });
  }

  cancel(): void {
    Atomics.store(new Int32Array(this.cancelFlag), 0, 1);
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script, { workerData: { cancelFlag: this.cancelFlag } satisfies WorkerInit, stderr: true });
    worker.stderr.on('data', (d: Buffer) => this.log.debug(`[core worker] ${d.toString().trimEnd()}`));
    worker.on('message', (reply: WorkerReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      if (reply.kind === 'progress') return p.progress?.(reply.value);
      this.pending.delete(reply.id);
      if (reply.kind === 'result') return p.resolve(reply.value);
      const { name, message, stack } = reply.error;
      const err = name === 'UserError' ? new UserError(message) : name === 'CancelledError' ? new CancelledError() : new Error(message);
      if (stack) err.stack = stack;
      p.reject(err);
    });
    const failAll = (err: Error) => {
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      this.worker = undefined;
    };
    worker.on('error', (err) => failAll(err));
    worker.on('exit', (code) => failAll(new Error(`the core worker stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }

  dispose(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }
}

/**
 * The extension's access to the core. Reads share one long-lived worker; each salvage or merge gets
 * its own worker, so cancelling one (cooperatively, between 8 MiB chunks) never disturbs the others.
 */
export class CoreClient implements vscode.Disposable {
  private readonly script: string;
  private reader: CoreWorker | undefined;

  constructor(extensionUri: vscode.Uri, private readonly log: vscode.LogOutputChannel) {
    this.script = path.join(extensionUri.fsPath, 'dist', 'coreWorker.js');
  }

  read<K extends 'readRunStatus' | 'readRunMask' | 'planSalvage'>(op: K, args: CoreOps[K]['args']): Promise<CoreOps[K]['result']> {
    this.reader ??= new CoreWorker(this.script, this.log);
    return this.reader.call(op, args);
  }

  /** Runs a writing operation in a worker of its own; `token` cancels it and its partial output. */
  async write<K extends 'salvage' | 'merge' | 'writeRunMask'>(
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
