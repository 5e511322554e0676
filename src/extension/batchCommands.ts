import * as vscode from 'vscode';
import type { BatchRunSummary } from './batchTree';
import type { CoreClient } from './coreClient';
import type { RunsTreeProvider } from './runsTree';
import { mergeBatchRunCommand, type MergeBatchRunArgs } from './commands/mergeBatchRun';
import { runBatchRerunsLocallyCommand } from './commands/runBatchRerunsLocally';
import { salvageBatchRunCommand, type SalvageBatchRunArgs } from './commands/salvageBatchRun';
import { stitchBatchRunCommand, type StitchBatchRunArgs } from './commands/stitchBatchRun';
import { submitBatchRerunsCommand } from './commands/submitBatchReruns';

/** The batch runs as the tree lists them (for the integration tests, through `activate`). */
export interface BatchRunApi {
  listBatchRuns(): Promise<BatchRunSummary[]>;
  /** A batch run's tree item and its children's items, as the tree shows them. */
  batchRunItems(
    folder: string,
  ): Promise<{ label: string; description: string; children: { label: string; description: string }[] } | undefined>;
}

/** Registers the batch-run commands (each in its own file under commands/). */
export function registerBatchRunCommands(
  context: vscode.ExtensionContext,
  deps: { core: CoreClient; log: vscode.LogOutputChannel; tree: RunsTreeProvider; afterWrite(): void },
): BatchRunApi {
  const { core, log, tree } = deps;
  const commandDeps = { core, log, afterWrite: () => deps.afterWrite(), listBatchRuns: () => tree.listBatchRuns() };
  const register = (id: string, fn: (arg?: unknown, options?: never) => unknown) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, fn));
  register('dvmdostem.salvageBatchRun', (arg?: unknown, options?: SalvageBatchRunArgs) =>
    salvageBatchRunCommand(commandDeps, arg, options),
  );
  register('dvmdostem.submitBatchReruns', (arg?: unknown) => submitBatchRerunsCommand(commandDeps, arg));
  register('dvmdostem.runBatchRerunsLocally', (arg?: unknown) => runBatchRerunsLocallyCommand(commandDeps, arg));
  register('dvmdostem.mergeBatchRun', (arg?: unknown, options?: MergeBatchRunArgs) =>
    mergeBatchRunCommand(commandDeps, arg, options),
  );
  register('dvmdostem.stitchBatchRun', (arg?: unknown, options?: StitchBatchRunArgs) =>
    stitchBatchRunCommand(commandDeps, arg, options),
  );
  return {
    listBatchRuns: () => tree.listBatchRuns(),
    batchRunItems: (folder) => tree.batchRunItems(folder),
  };
}
