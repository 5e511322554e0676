import * as path from 'node:path';
import * as vscode from 'vscode';

export const RUN_STATUS_FILE = 'run_status.nc';
/** Our own hidden staging folders hold half-written runs: never list them. */
const ALWAYS_EXCLUDED = ['**/.pyddt-staging-*/**', '**/node_modules/**'];

/**
 * Glob of folders not to search: the user's `files.exclude` (passing an explicit exclude to
 * findFiles replaces it, so it is merged here), our `dvmdostem.excludeGlobs`, and staging folders.
 */
export function excludeGlob(scope?: vscode.WorkspaceFolder): string {
  const filesExclude = vscode.workspace.getConfiguration('files', scope).get<Record<string, boolean>>('exclude') ?? {};
  const extra = vscode.workspace.getConfiguration('dvmdostem', scope).get<string[]>('excludeGlobs') ?? [];
  const globs = [...Object.entries(filesExclude).filter(([, on]) => on === true).map(([g]) => g), ...extra, ...ALWAYS_EXCLUDED];
  return `{${globs.join(',')}}`;
}

/** Every folder of the workspace (all workspace folders) that holds a run_status.nc, sorted by path. */
export async function findRunFolders(): Promise<vscode.Uri[]> {
  const found = await vscode.workspace.findFiles(`**/${RUN_STATUS_FILE}`, excludeGlob());
  const folders = found.map((f) => vscode.Uri.joinPath(f, '..'));
  return folders.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
}

/** Workspace-relative path of a folder, as users see it in the Explorer. */
export function displayPath(folder: vscode.Uri): string {
  const rel = vscode.workspace.asRelativePath(folder, (vscode.workspace.workspaceFolders?.length ?? 0) > 1);
  return rel === folder.fsPath ? path.basename(folder.fsPath) || folder.fsPath : rel || path.basename(folder.fsPath);
}

/** Finds files such as run-mask*.nc in the workspace, for pickers. */
export function findWorkspaceFiles(pattern: string, max = 200): Thenable<vscode.Uri[]> {
  return vscode.workspace.findFiles(pattern, excludeGlob(), max);
}
