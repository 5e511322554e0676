import * as path from 'node:path';
import * as vscode from 'vscode';
import { combineGlobs, enabledPatterns, matchesAny } from '../core/globs';
import { RUN_STATUS_FILE } from '../shared/runFiles';

// Re-exported for the extension modules that import it from here (runsTree.ts, extension.ts, gridSource.ts).

/** Our own hidden staging folders hold half-written runs: never list them. */
const ALWAYS_EXCLUDED = ['**/.pyddt-staging-*/**', '**/node_modules/**'];

/**
 * Patterns of files and folders not to search, for one workspace folder (each folder's own settings):
 * the user's `files.exclude` (passing an explicit exclude to findFiles replaces it, so it is merged
 * here), our `dvmdostem.exclude` (and the older `dvmdostem.excludeGlobs` array), and staging folders.
 */
export function excludePatterns(scope?: vscode.WorkspaceFolder): string[] {
  const files = enabledPatterns(vscode.workspace.getConfiguration('files', scope).get('exclude'));
  const ours = vscode.workspace.getConfiguration('dvmdostem', scope);
  return [
    ...files,
    ...enabledPatterns(ours.get('exclude')),
    ...enabledPatterns(ours.get('excludeGlobs')),
    ...ALWAYS_EXCLUDED,
  ];
}

/** The exclude patterns as one glob for findFiles (user patterns with `{a,b}` groups are expanded). */
export function excludeGlob(scope?: vscode.WorkspaceFolder): string {
  return combineGlobs(excludePatterns(scope));
}

/** Every folder of the workspace (all workspace folders) that holds a run_status.nc, sorted by path. */
export async function findRunFolders(): Promise<vscode.Uri[]> {
  const roots = vscode.workspace.workspaceFolders ?? [];
  const perRoot = await Promise.all(
    roots.map(async (root) => {
      const patterns = excludePatterns(root);
      const found = await vscode.workspace.findFiles(
        new vscode.RelativePattern(root, `**/${RUN_STATUS_FILE}`),
        combineGlobs(patterns),
      );
      // Checked again against every pattern: a glob the combined exclude could not express still applies.
      return found.filter((f) => !matchesAny(path.relative(root.uri.fsPath, f.fsPath), patterns));
    }),
  );
  const folders = perRoot.flat().map((f) => vscode.Uri.joinPath(f, '..'));
  return folders.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
}

const BATCH_FOLDER = /^batch[-_]\d+$/;

/**
 * Every batch-split run of the workspace: folders whose `batch-N/config.js` (full-domain) or
 * `batch_N/config/config.js` (row slices) subfolders exist, found by those configs, sorted by path.
 */
export async function findBatchRunDirs(): Promise<vscode.Uri[]> {
  const roots = vscode.workspace.workspaceFolders ?? [];
  const perRoot = await Promise.all(
    roots.map(async (root) => {
      const patterns = excludePatterns(root);
      const found = await vscode.workspace.findFiles(
        new vscode.RelativePattern(root, '**/{batch-*/config.js,batch_*/config/config.js}'),
        combineGlobs(patterns),
      );
      return found
        .filter((f) => !matchesAny(path.relative(root.uri.fsPath, f.fsPath), patterns))
        .map((f) => path.dirname(f.fsPath))
        .map((d) => (path.basename(d) === 'config' ? path.dirname(d) : d))
        .filter((d) => BATCH_FOLDER.test(path.basename(d)))
        .map((d) => path.dirname(d));
    }),
  );
  return [...new Set(perRoot.flat())].sort((a, b) => a.localeCompare(b)).map((d) => vscode.Uri.file(d));
}

/** Whether `p` is `dir` or inside it. */
export function isInside(p: string, dir: string): boolean {
  const rel = path.relative(dir, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
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
