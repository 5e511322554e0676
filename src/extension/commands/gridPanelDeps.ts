import type * as vscode from 'vscode';
import type { GridPanelDeps } from '../statusGridPanel';

/** What the commands that open the status grid panel need (Show Grid, Reveal Cell, Export Grid PNG). */
export interface GridCommandDeps {
  extensionUri: vscode.Uri;
  gridDeps: GridPanelDeps;
  log: vscode.LogOutputChannel;
  activeRun: () => vscode.Uri | undefined;
}
