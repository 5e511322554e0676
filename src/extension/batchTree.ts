import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BatchRunStatus, BatchState, BatchStatus, Totals } from '../core/batch/batchStatus';
import { folderTreeItem, type FolderState } from './folderTreeItem';

/**
 * The runs tree's nodes for batch-split runs: one node per batch run, labelled with the domain's
 * totals; its children (built when expanded) are the batches with problems, then one line for all
 * complete batches. Statuses are read by the core worker (readBatchRunStatus), never here.
 */

export type BatchRunReading = BatchRunStatus & { statusFiles: Record<string, string> };

/** What the tree (and the integration tests, through the activate API) know about one batch run. */
export interface BatchRunSummary {
  folder: string;
  label: string;
  description: string;
  state: FolderState;
  layout?: BatchRunStatus['layout'];
  batches?: number;
  totals?: Totals;
  error?: string;
}

export class BatchRunNode {
  readonly kind = 'batchRun';
  constructor(
    readonly folder: vscode.Uri,
    readonly summary: BatchRunSummary,
    readonly status: BatchRunReading | undefined,
  ) {}
}
export class BatchNode {
  readonly kind = 'batch';
  constructor(
    readonly run: BatchRunNode,
    readonly batch: BatchStatus,
  ) {}
}
export class CompleteBatchesNode {
  readonly kind = 'completeBatches';
  constructor(
    readonly run: BatchRunNode,
    readonly batches: BatchStatus[],
  ) {}
}
export type BatchTreeNode = BatchRunNode | BatchNode | CompleteBatchesNode;

/** Problems first, in this order; complete batches go into one line. */
const PROBLEM_ORDER: BatchState[] = ['failures', 'not-started', 'running'];
const STATE_TEXT: Record<BatchState, string> = {
  complete: 'complete',
  failures: 'failures',
  'not-started': 'not started',
  running: 'running',
};

/** "6 ok · 2 failed · 2 timed out · 2 never written" (cells; zero counts left out). */
export function describeTotals(t: Totals): string {
  const parts: string[] = [];
  if (t.success) parts.push(`${t.success} ok`);
  if (t.fail) parts.push(`${t.fail} failed`);
  if (t.timeout) parts.push(`${t.timeout} timed out`);
  if (t.unwritten) parts.push(`${t.unwritten} never written`);
  if (t.other) parts.push(`${t.other} other`);
  return parts.join(' · ') || 'no cells run';
}

export function summarizeBatchRun(folder: vscode.Uri, name: string, s: BatchRunReading): BatchRunSummary {
  const t = s.totals;
  const state = s.batches.some((b) => b.state === 'running') ? 'running' : s.complete ? 'complete' : 'failures';
  return {
    folder: folder.fsPath,
    label: `${name} — ${s.batches.length} batches · ${describeTotals(t)}`,
    description: s.layout === 'full-domain' ? 'full-domain batches' : 'row-slice batches',
    state,
    layout: s.layout,
    batches: s.batches.length,
    totals: t,
  };
}

export function unreadableBatchRun(folder: vscode.Uri, name: string, error: string): BatchRunSummary {
  return { folder: folder.fsPath, label: name, description: 'unreadable batch run', state: 'unreadable', error };
}

/** A batch run's children: batches with problems (failures, not started, running), then the complete ones in one line. */
export function batchRunChildren(node: BatchRunNode): BatchTreeNode[] {
  const batches = node.status?.batches ?? [];
  const problems = PROBLEM_ORDER.flatMap((state) => batches.filter((b) => b.state === state)).map(
    (b) => new BatchNode(node, b),
  );
  const complete = batches.filter((b) => b.state === 'complete');
  return complete.length ? [...problems, new CompleteBatchesNode(node, complete)] : problems;
}

export function batchTreeChildren(node: BatchTreeNode): BatchTreeNode[] {
  if (node.kind === 'batchRun') return batchRunChildren(node);
  if (node.kind === 'completeBatches') return node.batches.map((b) => new BatchNode(node.run, b));
  return [];
}

export function batchTreeItem(node: BatchTreeNode): vscode.TreeItem {
  switch (node.kind) {
    case 'batchRun':
      return batchRunItem(node);
    case 'completeBatches': {
      const n = node.batches.length;
      const item = new vscode.TreeItem(`${n} complete batch${n === 1 ? '' : 'es'}`);
      item.collapsibleState = vscode.TreeItemCollapsibleState.Collapsed;
      item.iconPath = new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
      item.id = `${node.run.folder.toString()}#complete`;
      return item;
    }
    case 'batch': {
      const b = node.batch;
      const item = new vscode.TreeItem(b.name);
      item.id = `${node.run.folder.toString()}#${b.name}`;
      item.description = `${STATE_TEXT[b.state]} · ${describeTotals(b.counts)}`;
      item.iconPath = {
        complete: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
        failures: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
        'not-started': new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('problemsWarningIcon.foreground')),
        running: new vscode.ThemeIcon('sync~spin'),
      }[b.state];
      const statusFile = node.run.status?.statusFiles[b.name];
      item.tooltip =
        `${b.name}: ${STATE_TEXT[b.state]}, ${b.enabled} cells enabled\n` +
        `${b.counts.success} ok, ${b.counts.fail} failed, ${b.counts.timeout} timed out, ${b.counts.unwritten} never written` +
        (statusFile ? `\n${statusFile}` : '');
      item.contextValue = 'dvmdostemBatch';
      if (statusFile && b.state !== 'not-started') {
        const output = vscode.Uri.file(path.dirname(statusFile));
        item.resourceUri = output;
        item.command = { command: 'dvmdostem.showGrid', title: 'Show Run Status Grid', arguments: [output] };
      }
      return item;
    }
  }
}

function batchRunItem(node: BatchRunNode): vscode.TreeItem {
  const { summary, status } = node;
  const item = folderTreeItem(node.folder, summary, {
    expandable: !!status,
    contextValue: 'dvmdostemBatchRun',
    completeIcon: 'pass-filled',
  });
  if (status) {
    const byState = (s: BatchState) => status.batches.filter((b) => b.state === s).length;
    const t = status.totals;
    item.tooltip =
      `${node.folder.fsPath}\nBatch run (${summary.description}), domain ${status.grid.rows} × ${status.grid.cols}\n` +
      `Batches: ${byState('complete')} complete, ${byState('failures')} with failures, ` +
      `${byState('not-started')} not started, ${byState('running')} running\n` +
      `Cells: ${t.success} ok, ${t.fail} failed, ${t.timeout} timed out, ${t.unwritten} never written, ${t.masked} masked` +
      (status.warnings.length ? `\n${status.warnings.join('\n')}` : '');
  } else {
    item.tooltip = `${node.folder.fsPath}\nCannot read the batch run: ${summary.error ?? ''}`;
  }
  return item;
}
