import * as vscode from 'vscode';
import { uriFromArg } from './pickers';

/** Reveal in Explorer (runs tree items): shows the item's file or folder in the Explorer. */
export async function revealInExplorerCommand(arg?: unknown): Promise<void> {
  const uri = uriFromArg(arg);
  if (uri) await vscode.commands.executeCommand('revealInExplorer', uri);
}

/** Copy Path (runs tree items): puts the item's file-system path on the clipboard. */
export async function copyPathCommand(arg?: unknown): Promise<void> {
  const uri = uriFromArg(arg);
  if (uri) await vscode.env.clipboard.writeText(uri.fsPath);
}
