import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { displayPath, findRunFolders, findWorkspaceFiles } from '../runDiscovery';

/** A command argument as VS Code passes it: a Uri (explorer, editor), a tree node, or a path string. */
export function uriFromArg(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string' && arg) return vscode.Uri.file(arg);
  const folder = (arg as { folder?: unknown } | undefined)?.folder;
  if (folder instanceof vscode.Uri) return folder;
  const resourceUri = (arg as { resourceUri?: unknown } | undefined)?.resourceUri;
  if (resourceUri instanceof vscode.Uri) return resourceUri;
  return undefined;
}

const BROWSE = '$(folder-opened) Browse…';

/** Quick pick of the workspace's run folders, plus Browse…; undefined when dismissed. */
export async function pickRunFolder(
  title: string,
  placeHolder: string,
  exclude: vscode.Uri[] = [],
): Promise<vscode.Uri | undefined> {
  const runs = (await findRunFolders()).filter((r) => !exclude.some((e) => e.fsPath === r.fsPath));
  const items: (vscode.QuickPickItem & { uri?: vscode.Uri })[] = runs.map((uri) => ({
    label: displayPath(uri),
    description: uri.fsPath,
    uri,
  }));
  items.push({ label: BROWSE });
  const picked = await vscode.window.showQuickPick(items, {
    title,
    placeHolder,
    matchOnDescription: true,
    ignoreFocusOut: true,
  });
  if (!picked) return undefined;
  if (picked.uri) return picked.uri;
  const chosen = await vscode.window.showOpenDialog({
    title,
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    openLabel: 'Select Run Folder',
  });
  return chosen?.[0];
}

/** Quick pick of run-mask*.nc files in the workspace, plus Browse…. */
export async function pickRunMask(title: string): Promise<vscode.Uri | undefined> {
  const masks = await findWorkspaceFiles('**/run-mask*.nc');
  const items: (vscode.QuickPickItem & { uri?: vscode.Uri })[] = masks
    .sort((a, b) => a.fsPath.localeCompare(b.fsPath))
    .map((uri) => ({ label: path.basename(uri.fsPath), description: displayPath(uri), uri }));
  items.push({ label: BROWSE });
  const picked = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: 'The run-mask.nc the run was made with',
    ignoreFocusOut: true,
  });
  if (!picked) return undefined;
  if (picked.uri) return picked.uri;
  const chosen = await vscode.window.showOpenDialog({
    title,
    canSelectFiles: true,
    canSelectMany: false,
    filters: { NetCDF: ['nc'] },
    openLabel: 'Select Run-Mask',
  });
  return chosen?.[0];
}

/** `base`, or `base-2`, `base-3`, … (before the extension) — the first that does not exist. */
export function unusedPath(base: string): string {
  if (!fs.existsSync(base)) return base;
  const ext = path.extname(base);
  const stem = base.slice(0, base.length - ext.length);
  for (let i = 2; ; i++) {
    const candidate = `${stem}-${i}${ext}`;
    if (!fs.existsSync(candidate)) return candidate;
  }
}

/** Expands a folder pattern such as "${folder}-backup" next to `folder`. */
export function pathFromPattern(pattern: string, folder: vscode.Uri): string {
  const name = path.basename(folder.fsPath);
  const expanded = pattern.replace(/\$\{folder\}/g, name);
  return path.isAbsolute(expanded) ? expanded : path.join(path.dirname(folder.fsPath), expanded);
}

/** Input box for a path that must not exist yet. */
export function askNewPath(
  title: string,
  prompt: string,
  value: string,
  allowEmptyFolder = false,
): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title,
    prompt,
    value,
    valueSelection: [value.length - path.basename(value).length, value.length],
    ignoreFocusOut: true,
    validateInput: (v) => {
      if (!v.trim()) return 'Enter a path';
      if (!path.isAbsolute(v)) return 'Enter an absolute path';
      if (!fs.existsSync(v)) return undefined;
      if (allowEmptyFolder && fs.statSync(v).isDirectory() && fs.readdirSync(v).length === 0) return undefined;
      return `${v} already exists; choose a new path (nothing is ever overwritten)`;
    },
  });
}

/** Quick pick of the reruns prepared in this workspace (newest first), plus Browse…. */
export async function pickRerunFolder(
  title: string,
  reruns: { rerunDir: string; runDir: string }[],
): Promise<vscode.Uri | undefined> {
  const items: (vscode.QuickPickItem & { uri?: vscode.Uri })[] = [...reruns]
    .reverse()
    .filter((r) => fs.existsSync(r.rerunDir))
    .map((r) => ({
      label: path.basename(r.rerunDir),
      description: r.rerunDir,
      detail: `Rerun of ${r.runDir}`,
      uri: vscode.Uri.file(r.rerunDir),
    }));
  items.push({ label: BROWSE });
  const picked = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: 'The rerun folder (made by Prepare Rerun)',
    ignoreFocusOut: true,
  });
  if (!picked) return undefined;
  if (picked.uri) return picked.uri;
  const chosen = await vscode.window.showOpenDialog({
    title,
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    openLabel: 'Select Rerun Folder',
  });
  return chosen?.[0];
}
