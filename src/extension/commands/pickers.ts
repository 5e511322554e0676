import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { pathExists } from '../pathExists';
import { UserError } from '../../core/errors';
import { runSteps, type StepInput } from '../multiStepInput';
import { displayPath, findRunFolders, findWorkspaceFiles } from '../runDiscovery';

// The prompts the commands share, as steps of a guided input (multiStepInput.ts) or on their own.
// File system checks use fs.promises: nothing here blocks the extension host's thread.

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

/** Asks one question outside a guided input: undefined when the user cancelled. */
export async function askOnce<T>(title: string, ask: (input: StepInput) => Promise<T>): Promise<T | undefined> {
  let answer: T | undefined;
  const done = await runSteps(title, [
    async (input) => {
      answer = await ask(input);
    },
  ]);
  return done ? answer : undefined;
}

/** A path offered in a quick pick. */
export interface PathChoice {
  uri: vscode.Uri;
  label: string;
  description?: string;
  detail?: string;
}

type PathItem = vscode.QuickPickItem & { uri?: vscode.Uri };

/**
 * The one "quick pick with Browse…": `choices` then Browse…, which opens the file dialog (dismissing
 * it shows the list again). `active` (the default or the earlier answer) is selected, and listed first
 * when it is not among the choices.
 */
export async function pickPath(
  input: StepInput,
  options: {
    placeholder: string;
    choices: PathChoice[];
    active?: vscode.Uri;
    /** What the file dialog may select. */
    browse: Pick<vscode.OpenDialogOptions, 'canSelectFiles' | 'canSelectFolders' | 'filters' | 'openLabel'>;
  },
): Promise<vscode.Uri> {
  const items: PathItem[] = options.choices.map((c) => ({ ...c }));
  let active = options.active && items.find((it) => it.uri?.fsPath === options.active!.fsPath);
  if (options.active && !active) {
    active = { uri: options.active, label: displayPath(options.active), description: options.active.fsPath };
    items.unshift(active);
  }
  items.push({ label: '$(folder-opened) Browse…' });
  for (;;) {
    const picked = await input.pick({ placeholder: options.placeholder, items, active, matchOnDescription: true });
    if (picked.uri) return picked.uri;
    const chosen = await vscode.window.showOpenDialog({
      title: input.title,
      canSelectMany: false,
      canSelectFiles: false,
      canSelectFolders: false,
      ...options.browse,
    });
    if (chosen?.[0]) return chosen[0];
  }
}

/** Step: one of the workspace's run folders (folders with a run_status.nc), or Browse…. */
export async function pickRunFolderIn(
  input: StepInput,
  placeholder: string,
  { exclude = [], active }: { exclude?: vscode.Uri[]; active?: vscode.Uri } = {},
): Promise<vscode.Uri> {
  const runs = (await findRunFolders()).filter((r) => !exclude.some((e) => e.fsPath === r.fsPath));
  return pickPath(input, {
    placeholder,
    choices: runs.map((uri) => ({ uri, label: displayPath(uri), description: uri.fsPath })),
    active,
    browse: { canSelectFolders: true, openLabel: 'Select Run Folder' },
  });
}

/** Quick pick of the workspace's run folders, plus Browse…; undefined when dismissed. */
export function pickRunFolder(
  title: string,
  placeholder: string,
  exclude: vscode.Uri[] = [],
): Promise<vscode.Uri | undefined> {
  return askOnce(title, (input) => pickRunFolderIn(input, placeholder, { exclude }));
}

/** Step: one of the workspace's run-mask*.nc files, or Browse…. */
export async function pickRunMaskIn(input: StepInput, active?: vscode.Uri): Promise<vscode.Uri> {
  const masks = (await findWorkspaceFiles('**/run-mask*.nc')).sort((a, b) => a.fsPath.localeCompare(b.fsPath));
  return pickPath(input, {
    placeholder: 'The run-mask.nc the run was made with',
    choices: masks.map((uri) => ({ uri, label: path.basename(uri.fsPath), description: displayPath(uri) })),
    active,
    browse: { canSelectFiles: true, filters: { NetCDF: ['nc'] }, openLabel: 'Select Run-Mask' },
  });
}

/** Quick pick of run-mask*.nc files in the workspace, plus Browse…. */
export function pickRunMask(title: string): Promise<vscode.Uri | undefined> {
  return askOnce(title, (input) => pickRunMaskIn(input));
}

/** Quick pick of the reruns prepared in this workspace (newest first, those still there), plus Browse…. */
export async function pickRerunFolder(
  title: string,
  reruns: { rerunDir: string; runDir: string }[],
): Promise<vscode.Uri | undefined> {
  const present = await Promise.all(
    [...reruns].reverse().map(async (r) => ((await pathExists(r.rerunDir)) ? r : null)),
  );
  const choices = present
    .filter((r) => r !== null)
    .map((r) => ({
      uri: vscode.Uri.file(r.rerunDir),
      label: path.basename(r.rerunDir),
      description: r.rerunDir,
      detail: `Rerun of ${r.runDir}`,
    }));
  return askOnce(title, (input) =>
    pickPath(input, {
      placeholder: 'The rerun folder (made by Prepare Rerun)',
      choices,
      browse: { canSelectFolders: true, openLabel: 'Select Rerun Folder' },
    }),
  );
}

/**
 * The rerun folder a command acts on (its argument, else picked from the prepared reruns) and its
 * `script` (run.sh, slurm_runner.sh), which must be there. Undefined when the user cancelled.
 */
export async function rerunScriptFor(
  title: string,
  arg: unknown,
  reruns: { rerunDir: string; runDir: string }[],
  scriptName: string,
): Promise<{ rerunDir: string; script: string } | undefined> {
  const folder = uriFromArg(arg) ?? (await pickRerunFolder(title, reruns));
  if (!folder) return undefined;
  const script = path.join(folder.fsPath, scriptName);
  if (!(await pathExists(script)))
    throw new UserError(`${script}: not found (is ${folder.fsPath} a folder made by Prepare Rerun?)`);
  return { rerunDir: folder.fsPath, script };
}

/** The run folder a command acts on: its argument, else the grid in front, else asked. */
export async function runFolderFor(
  arg: unknown,
  activeRun: () => vscode.Uri | undefined,
  title: string,
  placeholder: string,
): Promise<vscode.Uri | undefined> {
  return uriFromArg(arg) ?? activeRun() ?? (await pickRunFolder(title, placeholder));
}

/** `base`, or `base-2`, `base-3`, … (before the extension) — the first that does not exist. */
export async function unusedPath(base: string): Promise<string> {
  if (!(await pathExists(base))) return base;
  const ext = path.extname(base);
  const stem = base.slice(0, base.length - ext.length);
  for (let i = 2; ; i++) {
    const candidate = `${stem}-${i}${ext}`;
    if (!(await pathExists(candidate))) return candidate;
  }
}

/** Expands a folder pattern such as "${folder}-backup" next to `folder`. */
export function pathFromPattern(pattern: string, folder: vscode.Uri): string {
  const name = path.basename(folder.fsPath);
  const expanded = pattern.replace(/\$\{folder\}/g, name);
  return path.isAbsolute(expanded) ? expanded : path.join(path.dirname(folder.fsPath), expanded);
}

/** Why `v` cannot be a new path (undefined when it can): nothing is ever overwritten. */
async function newPathProblem(v: string, allowEmptyFolder: boolean): Promise<string | undefined> {
  if (!v.trim()) return 'Enter a path';
  if (!path.isAbsolute(v)) return 'Enter an absolute path';
  const stat = await fs.promises.stat(v).catch(() => undefined);
  if (!stat) return undefined;
  if (allowEmptyFolder && stat.isDirectory() && (await fs.promises.readdir(v)).length === 0) return undefined;
  return `${v} already exists; choose a new path (nothing is ever overwritten)`;
}

/** Step: an input box for a path that must not exist yet (or an empty folder), its file name selected. */
export function askNewPathIn(
  input: StepInput,
  prompt: string,
  value: string,
  allowEmptyFolder = false,
): Promise<string> {
  return input.input({
    prompt,
    value,
    valueSelection: [value.length - path.basename(value).length, value.length],
    validate: (v) => newPathProblem(v, allowEmptyFolder),
  });
}

/** Input box for a path that must not exist yet. */
export function askNewPath(
  title: string,
  prompt: string,
  value: string,
  allowEmptyFolder = false,
): Promise<string | undefined> {
  return askOnce(title, (input) => askNewPathIn(input, prompt, value, allowEmptyFolder));
}
