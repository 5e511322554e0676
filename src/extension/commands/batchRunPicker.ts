import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BatchRunSummary } from '../batchTree';
import type { CoreClient } from '../coreClient';
import { uriFromArg } from './pickers';

/** What the batch-run commands share: the core, the log, the batch runs the tree lists, a refresh. */
export interface BatchCommandDeps {
  core: CoreClient;
  log: vscode.LogOutputChannel;
  listBatchRuns(): Promise<BatchRunSummary[]>;
  afterWrite(): void;
}

/**
 * The batch run a command works on: the argument (a tree node, a Uri or a path), else a quick pick of
 * the batch runs the tree lists; undefined when dismissed or there is none.
 */
export async function batchRunFromArg(
  deps: BatchCommandDeps,
  title: string,
  arg: unknown,
): Promise<vscode.Uri | undefined> {
  const given = uriFromArg(arg);
  if (given) return given;
  const runs = (await deps.listBatchRuns()).filter((r) => r.state !== 'unreadable');
  if (!runs.length) {
    void vscode.window.showInformationMessage(
      `${title}: no batch run (a folder of batch-N/ or batch_N/ folders) in this workspace.`,
    );
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    runs.map((r) => ({ label: path.basename(r.folder), description: r.label, detail: r.folder, folder: r.folder })),
    { title, placeHolder: 'Which batch run?' },
  );
  return picked ? vscode.Uri.file(picked.folder) : undefined;
}

/** Progress of a batch-by-batch operation: one step per batch, with what was done to it. */
export function batchProgress(progress: vscode.Progress<{ message?: string; increment?: number }>) {
  let reported = 0;
  return (index: number, total: number, message: string) => {
    const pct = (100 * (index + 1)) / total;
    progress.report({ message: `${index + 1}/${total} ${message}`, increment: pct - reported });
    reported = pct;
  };
}
