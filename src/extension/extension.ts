import * as path from 'node:path';
import * as vscode from 'vscode';
import { registerBatchRunCommands, type BatchRunApi } from './batchCommands';
import { CoreClient } from './coreClient';
import { checkRunCommand, type CheckRunArgs } from './commands/checkRun';
import { exportFailedCellsCommand, writeGridPng, type ExportArgs } from './commands/exports';
import { exportGridPngCommand } from './commands/exportGridPng';
import { mergeCommand, type MergeArgs } from './commands/merge';
import { copyPathCommand, revealInExplorerCommand } from './commands/pathActions';
import { prepareRerunCommand, type PrepareRerunArgs } from './commands/prepareRerun';
import { revealCellCommand } from './commands/revealCell';
import { runRerunCommand } from './commands/runRerun';
import { salvageCommand, type SalvageArgs } from './commands/salvage';
import { showGridCommand } from './commands/showGrid';
import { submitRerunCommand } from './commands/submitRerun';
import { refreshRunsCommand, showLogCommand } from './commands/viewActions';
import { loadBatchGridData } from './batchGridSource';
import { writeMaskForCells } from './commands/writeMask';
import { loadGridData, RunMaskRegistry } from './gridSource';
import { RUN_STATUS_FILE } from '../shared/runFiles';
import { RerunCompletion } from './rerunCompletion';
import { RerunRegistry, type KnownRerun } from './rerunRegistry';
import { existingDirs, registerTaskProvider } from './rerunTasks';
import { RunStatusPoller } from './runStatusPoller';
import { RunsTreeProvider, type RunSummary } from './runsTree';
import { registerStatusGridSerializer, StatusGridPanel, type GridPanelDeps } from './statusGridPanel';
import { putClisOnTerminalPath } from './terminalPath';
import { notificationText } from '../shared/plainText';

/** What `activate` returns: used by the integration tests (and other extensions). */
export interface DvmdostemApi {
  listRuns(): Promise<RunSummary[]>;
  runFolders(): string[];
  /** The failed-cell items the tree shows for a run folder (label, description, tooltip). */
  failedCellItems(folder: string): Promise<{ label: string; description: string; tooltip: string }[]>;
  /** Whether run_status.nc files are being polled now, and how many polls ran so far. */
  polling(): { active: boolean; polls: number };
  /** The reruns prepared in this workspace as kept in workspaceState, with their SLURM job ids. */
  reruns(): (KnownRerun & { jobId?: string })[];
}

const BATCH_GRID_COMMANDS: Record<string, string | undefined> = {
  'dvmdostem.salvage': 'dvmdostem.salvageBatchRun',
  'dvmdostem.merge': 'dvmdostem.mergeBatchRun',
};

/** What `activate` returns: the tests' view of runs, reruns and batch runs. */
export type DvmdostemFullApi = DvmdostemApi & BatchRunApi;

/** Wires the tree, commands, watcher and panel together; behaviour lives in the modules. */
export function activate(context: vscode.ExtensionContext): DvmdostemFullApi {
  const log = vscode.window.createOutputChannel('dvmdostem', { log: true });
  const core = new CoreClient(context.extensionUri, log);
  const tree = new RunsTreeProvider(core, log);
  const masks = new RunMaskRegistry(context.workspaceState);
  const reruns = new RerunRegistry(context.workspaceState);
  const completion = new RerunCompletion(core, reruns, log);
  void putClisOnTerminalPath(context, log);
  let runFolders: string[] = [];

  const view = vscode.window.createTreeView('dvmdostem.runs', { treeDataProvider: tree, showCollapseAll: true });
  tree.onDidFindRuns((folders) => {
    runFolders = folders.map((f) => f.fsPath);
    // Explorer menus test `resourcePath in dvmdostem.runFolders`.
    void vscode.commands.executeCommand('setContext', 'dvmdostem.runFolders', [
      ...new Set([...runFolders, ...folders.map((f) => f.path)]),
    ]);
    void tree.failedCellCount().then((n) => {
      view.badge =
        n > 0
          ? { value: n, tooltip: `${n} failed or timed-out cell${n === 1 ? '' : 's'} in the runs listed` }
          : undefined;
    });
  });

  let refreshTimer: NodeJS.Timeout | undefined;
  const refreshSoon = () => {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => tree.refresh(), 400);
  };
  // dvmdostem rewrites run_status.nc after every cell: the tree follows a running batch.
  const watcher = vscode.workspace.createFileSystemWatcher(`**/${RUN_STATUS_FILE}`);
  const statusChanged = (file: vscode.Uri) => {
    refreshSoon();
    batchStatusChanged(file.fsPath);
    completion.statusChanged(file.fsPath);
  };
  watcher.onDidCreate(statusChanged);
  watcher.onDidChange(statusChanged);
  watcher.onDidDelete(refreshSoon);

  // Where file events never arrive (NFS, Remote-SSH): poll known run_status.nc files while shown.
  const poller = new RunStatusPoller(
    () => [
      ...runFolders.map((f) => path.join(f, RUN_STATUS_FILE)),
      ...StatusGridPanel.all().map((p) => path.join(p.runFolder.fsPath, RUN_STATUS_FILE)),
      ...completion.pendingStatusFiles(),
      ...tree.batchStatusFilesToPoll(),
    ],
    () => view.visible || StatusGridPanel.all().some((p) => p.panel.visible),
    (file) => {
      log.debug(`Polling: ${file} changed`);
      refreshSoon();
      StatusGridPanel.get(vscode.Uri.file(path.dirname(file)))?.runStatusChanged();
      batchStatusChanged(file);
      completion.statusChanged(file);
    },
  );
  poller.update();
  const onJobId = (rerunDir: string, jobId: string) => {
    void reruns.rememberJob(rerunDir, jobId);
    log.info(`SLURM job ${jobId} submitted for ${rerunDir}`);
    void vscode.window.showInformationMessage(
      notificationText(
        `SLURM job ${jobId} submitted for ${path.basename(rerunDir)}. The runs view follows its output while it is ` +
          'shown; Merge is offered when no cell is left to run.',
      ),
    );
    poller.update();
  };

  const gridDeps: GridPanelDeps = {
    loadGrid: async (folder) =>
      (await core.read('isBatchRun', { dir: folder.fsPath }))
        ? loadBatchGridData(core, folder)
        : loadGridData(core, masks, folder, log),
    writeMaskForCells: (folder, cells) => writeMaskForCells({ core, masks, log }, folder, cells),
    runCommand: async (command, folder) => {
      // A batch run's grid: its toolbar's Salvage… / Merge… are the batch-run commands.
      const batch = tree.isBatchRun(folder) ? BATCH_GRID_COMMANDS[command] : undefined;
      await vscode.commands.executeCommand(batch ?? command, folder);
    },
    writePng: (folder, png, dest) => writeGridPng({ log }, folder, png, dest),
    log,
  };

  const activeRun = () => StatusGridPanel.active()?.runFolder;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- VS Code passes command arguments untyped
  const cmd = (id: string, fn: (...args: any[]) => unknown) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, fn));
  const rememberMask = (folder: string, mask: string) => masks.remember(folder, mask);
  const defaultMask = async (runFolder: string) =>
    (await core.read('maskCandidates', { runFolder, remembered: masks.remembered(runFolder) }))[0];
  const rememberSalvage = (backupDir: string, newMask: string) => reruns.rememberSalvage(backupDir, newMask);
  cmd('dvmdostem.salvage', (arg?: unknown, options?: SalvageArgs) =>
    salvageCommand(
      { core, log, activeRun, defaultMask, afterWrite: refreshSoon, rememberMask, rememberSalvage },
      arg,
      options,
    ),
  );
  cmd('dvmdostem.merge', (arg?: unknown, options?: MergeArgs) =>
    mergeCommand({ core, log, afterWrite: refreshSoon }, arg, options),
  );
  cmd('dvmdostem.prepareRerun', (arg?: unknown, options?: PrepareRerunArgs) =>
    prepareRerunCommand(
      { core, log, registry: reruns, activeRun, afterWrite: refreshSoon, rememberMask },
      arg,
      options,
    ),
  );
  cmd('dvmdostem.runRerun', (arg?: unknown) =>
    runRerunCommand({ log, registry: reruns, completion, onJobId, afterWrite: refreshSoon }, arg),
  );
  cmd('dvmdostem.submitRerun', (arg?: unknown) => submitRerunCommand({ log, registry: reruns, onJobId }, arg));
  cmd('dvmdostem.checkRun', (arg?: unknown, options?: CheckRunArgs) =>
    checkRunCommand({ core, log, activeRun }, arg, options),
  );
  const grid = { extensionUri: context.extensionUri, gridDeps, log, activeRun };
  cmd('dvmdostem.showGrid', (arg?: unknown) => showGridCommand(grid, arg));
  cmd('dvmdostem.exportFailedCells', (arg?: unknown, options?: ExportArgs) =>
    exportFailedCellsCommand({ core, masks, log, activeRun }, arg, options),
  );
  cmd('dvmdostem.exportGridPng', (arg?: unknown, options?: ExportArgs) => exportGridPngCommand(grid, arg, options));
  cmd('dvmdostem.revealCell', (arg?: unknown, row?: unknown, col?: unknown) => revealCellCommand(grid, arg, row, col));
  cmd('dvmdostem.refreshRuns', () => refreshRunsCommand({ tree }));
  cmd('dvmdostem.revealInExplorer', revealInExplorerCommand);
  cmd('dvmdostem.copyPath', copyPathCommand);
  cmd('dvmdostem.showLog', () => showLogCommand({ log }));

  // Batch-split runs: Salvage / Submit Reruns / Run Reruns Locally / Merge / Stitch Batch Run.
  const batchApi = registerBatchRunCommands(context, { core, log, tree, afterWrite: refreshSoon });
  // A batch's run_status.nc changed: its batch run's grid follows (the tree is refreshed anyway).
  function batchStatusChanged(file: string): void {
    const batchRun = tree.batchRunOf(file);
    if (batchRun) StatusGridPanel.get(batchRun)?.runStatusChanged();
  }

  context.subscriptions.push(
    poller,
    view.onDidChangeVisibility(() => poller.update()),
    StatusGridPanel.onDidChangeVisibility(() => poller.update()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('dvmdostem.pollIntervalSeconds')) poller.update();
    }),
    registerTaskProvider(() => existingDirs(reruns.reruns().map((r) => r.rerunDir)), onJobId),
  );
  context.subscriptions.push(log, core, tree, view, watcher, registerStatusGridSerializer(context, gridDeps), {
    dispose: () => {
      clearTimeout(refreshTimer);
      StatusGridPanel.disposeAll();
    },
  });

  // Scan once now, so the view's badge counts the failed cells before the view is ever opened.
  void tree.listRuns().catch((err: unknown) => log.warn(`Looking for runs failed: ${(err as Error).message}`));

  return {
    listRuns: () => tree.listRuns(),
    runFolders: () => [...runFolders],
    failedCellItems: (folder) => tree.failedCellItems(folder),
    polling: () => ({ active: poller.active, polls: poller.pollCount }),
    reruns: () => reruns.reruns().map((r) => ({ ...r, jobId: reruns.job(r.rerunDir) })),
    ...batchApi,
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
