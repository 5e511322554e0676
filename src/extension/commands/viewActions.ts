import type * as vscode from 'vscode';

/** What the runs view's own actions act on: the tree and the extension's log. */
export interface ViewActionDeps {
  tree: { refresh(): void };
  log: vscode.LogOutputChannel;
}

/** Refresh (runs view title bar, empty-view link): looks for run folders again. */
export function refreshRunsCommand(deps: Pick<ViewActionDeps, 'tree'>): void {
  deps.tree.refresh();
}

/** Show Log: brings the dvmdostem output channel forward without taking the focus. */
export function showLogCommand(deps: Pick<ViewActionDeps, 'log'>): void {
  deps.log.show(true);
}
