import type * as vscode from 'vscode';
import { StatusGridPanel } from '../statusGridPanel';
import type { GridCommandDeps } from './gridPanelDeps';
import { uriFromArg } from './pickers';

/**
 * Reveal Cell (from a failed cell in the runs tree): opens the run's grid panel and selects the cell at
 * (row, col); returns the run folder, or undefined when the arguments are not a folder and two integers.
 */
export function revealCellCommand(
  deps: Pick<GridCommandDeps, 'extensionUri' | 'gridDeps'>,
  arg?: unknown,
  row?: unknown,
  col?: unknown,
): vscode.Uri | undefined {
  const folder = uriFromArg(arg);
  if (!folder || !Number.isSafeInteger(row) || !Number.isSafeInteger(col)) return undefined;
  const panel = StatusGridPanel.show(deps.extensionUri, folder, deps.gridDeps);
  panel.revealCell(row as number, col as number);
  return folder;
}
