// Shared helpers of the extension-host suites (runs inside the extension host, with the real `vscode`).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CellState } from '../../src/core/runStatus';
import type { DvmdostemApi } from '../../src/extension/extension';
import type { RunSummary } from '../../src/extension/runsTree';

/** Repository root (out/test/integration -> repo). */
export const repoRoot = (() => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'esbuild.mjs'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find the repository root above ${__dirname}`);
    dir = up;
  }
  return dir;
})();

const repoManifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
export const EXTENSION_ID = `${repoManifest.publisher}.${repoManifest.name}`;

/** The manifest VS Code actually loaded for the extension under test. */
export function manifest(): any {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not loaded in this VS Code`);
  return ext.packageJSON;
}

/** The contract's command ids (docs/ARCHITECTURE.md). */
export const COMMANDS = [
  'dvmdostem.salvage',
  'dvmdostem.merge',
  'dvmdostem.showGrid',
  'dvmdostem.refreshRuns',
  'dvmdostem.revealInExplorer',
  'dvmdostem.copyPath',
  'dvmdostem.showLog',
] as const;

/** The cells of the fixture (row, col). */
export const FAILED_CELLS: [number, number][] = [[1, 2], [6, 4], [7, 9], [9, 6]];
export const ENABLED_CELLS: [number, number][] = [[0, 0], [0, 5], [1, 2], [2, 7], [3, 3], [4, 8], [5, 1], [6, 4], [7, 9], [9, 6]];

/** The workspace the runner opened (test/e2e/harness.ts createWorkspace). */
export function workspace() {
  const folders = vscode.workspace.workspaceFolders;
  assert.ok(folders && folders.length === 1, `expected one workspace folder, got ${folders?.length ?? 0}`);
  const dir = folders[0].uri.fsPath;
  const ws = {
    dir,
    output: path.join(dir, 'output'),
    rerun: path.join(dir, 'rerun'),
    mask: path.join(dir, 'run-mask.nc'),
    notes: path.join(dir, 'notes'),
  };
  for (const p of [ws.output, ws.rerun, ws.mask]) assert.ok(fs.existsSync(p), `workspace is not the test fixture copy: ${p} missing`);
  return ws;
}

/** What `activate()` returns (typed from the extension's source: an API change breaks this compile). */
export type ExtensionApi = DvmdostemApi;

export async function activateExtension(): Promise<{ ext: vscode.Extension<ExtensionApi>; api: ExtensionApi }> {
  const ext = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not loaded in this VS Code (development extension path wrong or manifest invalid)`);
  const api = await ext.activate();
  assert.ok(api && typeof api.listRuns === 'function', `activate() must return { listRuns() }; got ${api === undefined ? 'undefined' : JSON.stringify(Object.keys(api))}`);
  return { ext, api };
}

/** A run as listed by `listRuns()`, with its folder normalised and its counts required. */
export interface RunView {
  folder: string;
  counts: Record<CellState, number>;
  raw: RunSummary;
}

export function viewRun(raw: RunSummary): RunView {
  assert.ok(typeof raw.folder === 'string' && raw.folder, `RunSummary has no folder: ${JSON.stringify(raw)}`);
  assert.ok(raw.counts, `RunSummary of ${raw.folder} has no counts (state ${raw.state}, error ${raw.error ?? '-'})`);
  return { folder: path.resolve(raw.folder), counts: raw.counts, raw };
}

export async function listRuns(api: ExtensionApi): Promise<RunView[]> {
  const runs = await api.listRuns();
  assert.ok(Array.isArray(runs), 'listRuns() must resolve to an array');
  return runs.map(viewRun);
}

/** Refreshes the tree (contract command) and waits until `pred(runs)` holds. */
export async function waitForRuns(api: ExtensionApi, pred: (runs: RunView[]) => boolean, what: string, timeoutMs = 20000): Promise<RunView[]> {
  const deadline = Date.now() + timeoutMs;
  let runs: RunView[] = [];
  for (;;) {
    await vscode.commands.executeCommand('dvmdostem.refreshRuns');
    runs = await listRuns(api);
    if (pred(runs)) return runs;
    if (Date.now() > deadline) {
      assert.fail(`${what}: runs listed after ${timeoutMs} ms: ${JSON.stringify(runs.map((r) => ({ folder: r.folder, counts: r.counts })))}`);
    }
    await sleep(300);
  }
}

/** Folders below `dir` (depth ≤ 3, hidden ones skipped) that hold a run_status.nc: what the tree should list. */
export function runFoldersOnDisk(dir: string, depth = 3): string[] {
  const out: string[] = [];
  const walk = (d: string, level: number) => {
    if (fs.existsSync(path.join(d, 'run_status.nc'))) out.push(d);
    if (level >= depth) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory() && !e.name.startsWith('.')) walk(path.join(d, e.name), level + 1);
    }
  };
  walk(dir, 0);
  return out.sort();
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs a command that is expected to refuse (show an error and return undefined, or throw). Scripts
 * and tests call commands with options precisely so that nothing waits for a user: a command that
 * stays pending (e.g. awaiting the choice on its error notification) is reported as `settled: false`.
 */
export async function tryCommand<T>(id: string, args: unknown[], settleMs = 15000): Promise<{ settled: boolean; value?: T; error?: Error }> {
  const run = vscode.commands.executeCommand<T>(id, ...args).then(
    (value) => ({ settled: true, value }),
    (error: Error) => ({ settled: true, error }),
  );
  const timeout = new Promise<{ settled: false }>((resolve) => setTimeout(() => resolve({ settled: false }), settleMs));
  return Promise.race([run, timeout]);
}

/** What changed between two hashTree() snapshots: added, removed and modified paths (empty = identical). */
export function treeChanges(before: Record<string, string>, after: Record<string, string>): string[] {
  const out: string[] = [];
  for (const k of Object.keys(after)) if (!(k in before)) out.push(`added ${k}`);
  for (const k of Object.keys(before)) {
    if (!(k in after)) out.push(`removed ${k}`);
    else if (before[k] !== after[k]) out.push(`modified ${k}`);
  }
  return out.sort();
}
