import * as vscode from 'vscode';

/** How a run folder or a batch run stands, as the runs tree shows it. */
export type FolderState = 'complete' | 'failures' | 'running' | 'unreadable';

/**
 * The tree item of a run folder or a batch run: its label and counts, expandable once its status was
 * read, an icon per state (`completeIcon`: runs and batch runs differ there).
 */
export function folderTreeItem(
  folder: vscode.Uri,
  summary: { label: string; description: string; state: FolderState },
  opts: { expandable: boolean; contextValue: string; completeIcon: string },
): vscode.TreeItem {
  const item = new vscode.TreeItem(
    summary.label,
    opts.expandable ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
  );
  item.id = folder.toString();
  item.description = summary.description;
  item.resourceUri = folder;
  item.contextValue = opts.contextValue;
  item.iconPath = {
    complete: new vscode.ThemeIcon(opts.completeIcon, new vscode.ThemeColor('testing.iconPassed')),
    failures: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
    running: new vscode.ThemeIcon('sync~spin'),
    unreadable: new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')),
  }[summary.state];
  return item;
}
