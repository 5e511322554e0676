import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CELL_STATE_LABELS, cellState, describeCounts, type CellState } from '../shared/cellStates';
import { formatNames } from '../core/netcdf/format';
import type { RunStatus } from '../core/runStatus';
import {
  batchTreeChildren,
  batchTreeItem,
  BatchRunNode,
  summarizeBatchRun,
  unreadableBatchRun,
  type BatchRunSummary,
  type BatchTreeNode,
} from './batchTree';
import type { CoreClient } from './coreClient';
import { folderTreeItem, type FolderState } from './folderTreeItem';
import { RUN_STATUS_FILE } from '../shared/runFiles';
import { displayPath, findBatchRunDirs, findRunFolders, isInside } from './runDiscovery';

/** What the tree (and the integration tests, through the activate API) know about one run folder. */
export interface RunSummary {
  folder: string;
  label: string;
  description: string;
  state: FolderState;
  counts?: Record<CellState, number>;
  error?: string;
}

type Node = RunNode | GroupNode | CellNode | FileNode | BatchTreeNode;

class RunNode {
  readonly kind = 'run';
  constructor(
    readonly folder: vscode.Uri,
    readonly summary: RunSummary,
    readonly status: RunStatus | undefined,
    /** fail_log.txt's reason by "row,col". */
    readonly reasons: ReadonlyMap<string, string> = new Map(),
  ) {}
}
class GroupNode {
  readonly kind = 'group';
  constructor(
    readonly run: RunNode,
    readonly group: 'cells' | 'files',
    /** The run folder's .nc files (listed when the run is expanded), for the 'files' group. */
    readonly files: vscode.Uri[] = [],
  ) {}
}
class CellNode {
  readonly kind = 'cell';
  constructor(
    readonly run: RunNode,
    readonly row: number,
    readonly col: number,
    readonly status: number,
    readonly runtime: number,
  ) {}
}
class FileNode {
  readonly kind = 'file';
  constructor(readonly uri: vscode.Uri) {}
}

const MAX_CELLS_LISTED = 500;

/** dvmdostem.runningThresholdSeconds as it applies to this run folder (folder settings win). */
function runningWindowMs(folder: vscode.Uri): number {
  return vscode.workspace.getConfiguration('dvmdostem', folder).get<number>('runningThresholdSeconds', 120) * 1000;
}

/** The "dvmdostem Runs" view: run folders with failed-cell counts, their failed cells and files. */
export class RunsTreeProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private runs: RunNode[] | undefined;
  /** Batch-split runs: one node each; their batch folders are not listed as runs. */
  private batchRuns: BatchRunNode[] = [];
  private loading: Promise<RunNode[]> | undefined;
  private readonly folderListeners = new vscode.EventEmitter<vscode.Uri[]>();
  /** run_status.nc modification time seen at the previous scan, by folder. */
  private readonly seenMtime = new Map<string, number>();
  private recheck: NodeJS.Timeout | undefined;
  /** Fires with the run folders after each scan (for the explorer context key). */
  readonly onDidFindRuns = this.folderListeners.event;

  constructor(
    private readonly core: CoreClient,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  refresh(): void {
    this.runs = undefined;
    this.loading = undefined;
    this.changed.fire(undefined);
  }

  /** Cells that did not succeed (failed, timed out, other) over every run listed, for the view's badge. */
  async failedCellCount(): Promise<number> {
    const runs = await this.load();
    return runs.reduce(
      (n, r) => n + (r.summary.counts ? r.summary.counts.fail + r.summary.counts.timeout + r.summary.counts.other : 0),
      this.batchRuns.reduce((n, b) => n + (b.summary.totals ? b.summary.totals.fail + b.summary.totals.timeout : 0), 0),
    );
  }

  async listBatchRuns(): Promise<BatchRunSummary[]> {
    await this.load();
    return this.batchRuns.map((b) => b.summary);
  }

  /** A batch run's tree item and its children's items (label, description), as the tree shows them. */
  async batchRunItems(
    folder: string,
  ): Promise<{ label: string; description: string; children: { label: string; description: string }[] } | undefined> {
    await this.load();
    const node = this.batchRuns.find((b) => b.folder.fsPath === folder);
    if (!node) return undefined;
    const text = (v: unknown) => (typeof v === 'string' ? v : '');
    const item = this.getTreeItem(node);
    const children = (await this.getChildren(node)).map((c) => this.getTreeItem(c));
    return {
      label: text(item.label),
      description: text(item.description),
      children: children.map((c) => ({ label: text(c.label), description: text(c.description) })),
    };
  }

  /** Whether the tree lists `folder` as a batch run. */
  isBatchRun(folder: vscode.Uri): boolean {
    return this.batchRuns.some((b) => b.folder.fsPath === folder.fsPath);
  }

  /** The batch run a file (a batch's run_status.nc) belongs to, if any. */
  batchRunOf(file: string): vscode.Uri | undefined {
    return this.batchRuns.find((b) => isInside(file, b.folder.fsPath))?.folder;
  }

  /**
   * run_status.nc files of the batches that may still change (not complete) of the batch runs
   * listed: what the poller looks at where file events do not arrive (complete batches are not polled).
   */
  batchStatusFilesToPoll(): string[] {
    return this.batchRuns.flatMap((b) =>
      (b.status?.batches ?? []).filter((x) => x.state !== 'complete').map((x) => b.status!.statusFiles[x.name]),
    );
  }

  async listRuns(): Promise<RunSummary[]> {
    return (await this.load()).map((r) => r.summary);
  }

  private load(): Promise<RunNode[]> {
    if (this.runs) return Promise.resolve(this.runs);
    this.loading ??= (async () => {
      const [allFolders, batchDirs] = await Promise.all([findRunFolders(), findBatchRunDirs()]);
      // A batch's output (and its rescue rounds) belong to their batch run's node, not to the list of runs.
      const folders = allFolders.filter((f) => !batchDirs.some((d) => isInside(f.fsPath, d.fsPath)));
      const [runs, batchRuns] = await Promise.all([
        Promise.all(folders.map((f) => this.readRun(f))),
        Promise.all(batchDirs.map((d) => this.readBatchRun(d))),
      ]);
      this.runs = runs;
      this.batchRuns = batchRuns;
      // A "running" badge must go away by itself when the batch stops writing.
      clearTimeout(this.recheck);
      if ([...runs, ...batchRuns].some((r) => r.summary.state === 'running')) {
        const window = Math.max(...[...runs, ...batchRuns].map((r) => runningWindowMs(r.folder)));
        this.recheck = setTimeout(() => this.refresh(), window + 1000);
      }
      this.folderListeners.fire(folders);
      return runs;
    })();
    return this.loading;
  }

  private async readRun(folder: vscode.Uri): Promise<RunNode> {
    const label = displayPath(folder);
    try {
      const status = await this.core.read('readRunStatus', { path: path.join(folder.fsPath, RUN_STATUS_FILE) });
      const runningWindow = runningWindowMs(folder);
      // A running batch rewrites run_status.nc after every cell: it is running when the file changed
      // since we last looked, recently. A file written once (a copy, a merge) is not a running batch.
      const previous = this.seenMtime.get(folder.fsPath);
      this.seenMtime.set(folder.fsPath, status.mtimeMs);
      const running =
        previous !== undefined && previous !== status.mtimeMs && Date.now() - status.mtimeMs < runningWindow;
      const failed = status.counts.fail + status.counts.timeout + status.counts.other;
      const state = running ? 'running' : failed > 0 ? 'failures' : 'complete';
      const reasons = failed > 0 ? await this.core.read('readFailLog', { runDir: folder.fsPath }) : [];
      const description = describeCounts(status.counts);
      const summary: RunSummary = { folder: folder.fsPath, label, description, state, counts: status.counts };
      return new RunNode(folder, summary, status, new Map(reasons.map((r) => [`${r.row},${r.col}`, r.message])));
    } catch (err) {
      const message = (err as Error).message;
      this.log.warn(`Cannot read ${path.join(folder.fsPath, RUN_STATUS_FILE)}: ${message}`);
      return new RunNode(
        folder,
        { folder: folder.fsPath, label, description: 'unreadable run_status.nc', state: 'unreadable', error: message },
        undefined,
      );
    }
  }

  private async readBatchRun(folder: vscode.Uri): Promise<BatchRunNode> {
    const name = displayPath(folder);
    try {
      const status = await this.core.read('readBatchRunStatus', {
        dir: folder.fsPath,
        runningThresholdSeconds: runningWindowMs(folder) / 1000,
      });
      for (const w of status.warnings) this.log.warn(`${folder.fsPath}: ${w}`);
      return new BatchRunNode(folder, summarizeBatchRun(folder, name, status), status);
    } catch (err) {
      const message = (err as Error).message;
      this.log.warn(`Cannot read the batch run ${folder.fsPath}: ${message}`);
      return new BatchRunNode(folder, unreadableBatchRun(folder, name, message), undefined);
    }
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) {
      const runs = await this.load();
      return [...this.batchRuns, ...runs];
    }
    if (node.kind === 'batchRun' || node.kind === 'batch' || node.kind === 'completeBatches')
      return batchTreeChildren(node);
    if (node.kind === 'run')
      return node.status
        ? [new GroupNode(node, 'cells'), new GroupNode(node, 'files', await outputFiles(node.folder))]
        : [];
    if (node.kind === 'group' && node.group === 'cells') return failedCells(node.run).slice(0, MAX_CELLS_LISTED);
    if (node.kind === 'group') return node.files.map((f) => new FileNode(f));
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case 'batchRun':
      case 'batch':
      case 'completeBatches':
        return batchTreeItem(node);
      case 'run':
        return runItem(node);
      case 'group': {
        const count = node.group === 'cells' ? failedCells(node.run).length : node.files.length;
        const item = new vscode.TreeItem(
          node.group === 'cells' ? 'Failed cells' : 'Output files',
          count ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
        );
        item.description =
          node.group === 'cells' && count > MAX_CELLS_LISTED
            ? `${count} (first ${MAX_CELLS_LISTED} listed)`
            : String(count);
        item.iconPath = new vscode.ThemeIcon(node.group === 'cells' ? 'error' : 'files');
        return item;
      }
      case 'cell': {
        const item = new vscode.TreeItem(`row ${node.row}, col ${node.col}`);
        const runtime = Number.isNaN(node.runtime) ? '' : ` · ${node.runtime} s`;
        item.description = `${CELL_STATE_LABELS[cellState(node.status)]} (${node.status})${runtime}`;
        item.iconPath = new vscode.ThemeIcon(
          cellState(node.status) === 'timeout' ? 'watch' : 'close',
          new vscode.ThemeColor('testing.iconFailed'),
        );
        item.contextValue = 'dvmdostemCell';
        item.tooltip = cellTooltip(node);
        item.command = {
          command: 'dvmdostem.revealCell',
          title: 'Show in Run Status Grid',
          arguments: [node.run.folder, node.row, node.col],
        };
        return item;
      }
      case 'file': {
        const item = new vscode.TreeItem(node.uri);
        item.contextValue = 'dvmdostemFile';
        // Opens with the editor registered for .nc files (e.g. H5Web); Reveal in Explorer is in the menu.
        item.command = { command: 'vscode.open', title: 'Open', arguments: [node.uri] };
        return item;
      }
    }
  }

  /** The failed-cell items of a run folder as the tree shows them (label, description, tooltip). */
  async failedCellItems(folder: string): Promise<{ label: string; description: string; tooltip: string }[]> {
    const run = (await this.load()).find((r) => r.folder.fsPath === folder);
    if (!run) return [];
    return failedCells(run).map((c) => {
      const item = this.getTreeItem(c);
      const text = (v: unknown) => (typeof v === 'string' ? v : '');
      return { label: text(item.label), description: text(item.description), tooltip: text(item.tooltip) };
    });
  }

  dispose(): void {
    clearTimeout(this.recheck);
    this.changed.dispose();
    this.folderListeners.dispose();
  }
}

function runItem(node: RunNode): vscode.TreeItem {
  const { summary, status } = node;
  const item = folderTreeItem(node.folder, summary, {
    expandable: !!status,
    contextValue: 'dvmdostemRun',
    completeIcon: 'pass',
  });
  const tip = new vscode.MarkdownString(undefined, false);
  tip.isTrusted = false;
  tip.supportHtml = false;
  tip.appendText(`${summary.label}\n\n`);
  if (status) {
    const c = status.counts;
    tip.appendText(
      `${c.success} succeeded, ${c.fail} failed, ${c.timeout} timed out, ${c.masked} masked / not run` +
        (c.unwritten ? `, ${c.unwritten} never written` : '') +
        (c.other ? `, ${c.other} other` : '') +
        `\nGrid ${status.grid.rows} × ${status.grid.cols}\n` +
        `run_status.nc: ${formatNames[status.format] ?? status.format}, modified ${new Date(status.mtimeMs).toLocaleString()}` +
        (summary.state === 'running' ? '\nStill running (changed recently)' : ''),
    );
  } else {
    tip.appendText(`Cannot read run_status.nc: ${summary.error}`);
  }
  item.tooltip = tip;
  return item;
}

/** A failed cell's tooltip: state and runtime, and the reason dvmdostem wrote to fail_log.txt. */
function cellTooltip(node: CellNode): string {
  const state = cellState(node.status);
  const runtime = Number.isNaN(node.runtime) ? '' : `, runtime ${node.runtime} s`;
  const reason = node.run.reasons.get(`${node.row},${node.col}`);
  const why = reason
    ? `fail_log.txt: ${reason}`
    : state === 'timeout'
      ? 'Timed out (cell_timelimit): dvmdostem writes no fail_log.txt entry for a timeout.'
      : 'No reason in fail_log.txt.';
  return `row ${node.row}, col ${node.col}: ${CELL_STATE_LABELS[state]} (${node.status})${runtime}\n${why}`;
}

function failedCells(run: RunNode): CellNode[] {
  const s = run.status;
  if (!s) return [];
  const out: CellNode[] = [];
  for (let i = 0; i < s.status.length; i++) {
    const st = cellState(s.status[i]);
    if (st === 'fail' || st === 'timeout' || st === 'other') {
      out.push(
        new CellNode(run, Math.floor(i / s.grid.cols), i % s.grid.cols, s.status[i], s.runtime ? s.runtime[i] : NaN),
      );
    }
  }
  return out;
}

async function outputFiles(folder: vscode.Uri): Promise<vscode.Uri[]> {
  try {
    return (await fs.promises.readdir(folder.fsPath, { withFileTypes: true }))
      .filter((d) => d.isFile() && d.name.endsWith('.nc'))
      .map((d) => vscode.Uri.joinPath(folder, d.name))
      .sort((a, b) => a.path.localeCompare(b.path));
  } catch {
    return [];
  }
}
