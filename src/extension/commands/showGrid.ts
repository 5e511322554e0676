import type * as vscode from 'vscode';
import { StatusGridPanel } from '../statusGridPanel';
import type { GridCommandDeps } from './gridPanelDeps';
import { runFolderFor } from './pickers';

/** Show Run Status Grid: opens (or focuses) the grid panel of a run; returns the run folder shown. */
export async function showGridCommand(deps: GridCommandDeps, arg?: unknown): Promise<vscode.Uri | undefined> {
  const folder = await runFolderFor(arg, deps.activeRun, 'Show Run Status Grid', 'Which run?');
  if (folder) StatusGridPanel.show(deps.extensionUri, folder, deps.gridDeps);
  return folder;
}
