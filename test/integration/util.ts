// Shared helpers of the extension-host suites (runs inside the extension host, with the real `vscode`).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CellState } from '../../src/shared/cellStates';
import type { DvmdostemFullApi } from '../../src/extension/extension';
import type { RunSummary } from '../../src/extension/runsTree';
import { repoRoot } from '../helpers/files';

const repoManifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
export const EXTENSION_ID = `${repoManifest.publisher}.${repoManifest.name}`;

/** The manifest VS Code actually loaded for the extension under test. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- package.json as VS Code loaded it, untyped
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
  for (const p of [ws.output, ws.rerun, ws.mask])
    assert.ok(fs.existsSync(p), `workspace is not the test fixture copy: ${p} missing`);
  return ws;
}

/** What `activate()` returns (typed from the extension's source: an API change breaks this compile). */
export type ExtensionApi = DvmdostemFullApi;

export async function activateExtension(): Promise<{ ext: vscode.Extension<ExtensionApi>; api: ExtensionApi }> {
  const ext = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
  assert.ok(
    ext,
    `${EXTENSION_ID} is not loaded in this VS Code (development extension path wrong or manifest invalid)`,
  );
  const api = await ext.activate();
  assert.ok(
    api && typeof api.listRuns === 'function',
    `activate() must return { listRuns() }; got ${api === undefined ? 'undefined' : JSON.stringify(Object.keys(api))}`,
  );
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

/**
 * Waits for a state: resolves with the first truthy value of `check()` (looked at again every
 * `interval` ms), or fails after `timeoutMs` naming `what` and, through `describe`, what was there
 * instead. Tests wait with this for what they need (a tab open, a run listed, a file written), never
 * for a fixed time.
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  what: string,
  options: { timeoutMs?: number; interval?: number; describe?: () => unknown } = {},
): Promise<NonNullable<T>> {
  const { timeoutMs = 20000, interval = 200, describe } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const instead = describe ? `; instead: ${JSON.stringify(await describe())}` : '';
      const error = lastError ? `; last error: ${(lastError as Error).message}` : '';
      assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}${instead}${error}`);
    }
    await sleep(interval);
  }
}

/** Refreshes the tree (contract command) and waits until `pred(runs)` holds. */
export async function waitForRuns(
  api: ExtensionApi,
  pred: (runs: RunView[]) => boolean,
  what: string,
  timeoutMs = 20000,
): Promise<RunView[]> {
  let runs: RunView[] = [];
  return waitFor(
    async () => {
      await vscode.commands.executeCommand('dvmdostem.refreshRuns');
      runs = await listRuns(api);
      return pred(runs) ? runs : undefined;
    },
    `${what} (runs listed)`,
    { timeoutMs, interval: 300, describe: () => runs.map((r) => ({ folder: r.folder, counts: r.counts })) },
  );
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

/** A pause between two looks at a state (see waitFor); never a wait on its own. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * What the window shows, as far as the extension host can tell (printed when a test fails, next to
 * the runner's screenshot): the editor tabs of every group, the active one, the workspace's top level.
 */
export function describeWindow(): string {
  const kind = (t: vscode.Tab) =>
    t.input instanceof vscode.TabInputWebview
      ? `webview ${t.input.viewType}`
      : t.input instanceof vscode.TabInputText
        ? 'text'
        : 'other';
  const tabs = vscode.window.tabGroups.all.map((g) =>
    g.tabs.map((t) => `${t.isActive && g.isActive ? '*' : ''}${t.label} (${kind(t)})`),
  );
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const entries = folder && fs.existsSync(folder) ? fs.readdirSync(folder).sort() : [];
  return [
    `editor tabs by group: ${JSON.stringify(tabs)}`,
    `active editor: ${vscode.window.activeTextEditor?.document.uri.fsPath ?? '(none)'}`,
    `workspace ${folder ?? '(none)'}: ${JSON.stringify(entries)}`,
  ].join('\n');
}

let failedTests = 0;

/**
 * Says what the window showed when a test failed (index.ts calls this from a root afterEach hook).
 * Under test/e2e/runExtensionTests.ts (DVMDOSTEM_E2E_SCREENSHOTS = a path prefix under test-results/)
 * it also asks the runner, which drives the browser, for a screenshot and waits until the file is
 * there, so the picture shows the window as the failed test left it, before the next test runs.
 */
export async function reportFailedTest(title: string): Promise<void> {
  const prefix = process.env.DVMDOSTEM_E2E_SCREENSHOTS;
  const shot = prefix ? `${prefix}-FAILED-${++failedTests}.png` : undefined;
  console.log(`[integration] FAILED ${JSON.stringify(title)}; the window showed:\n${describeWindow()}`);
  if (!shot) return;
  console.log(`[integration] screenshot requested: ${shot}`);
  await waitFor(() => fs.existsSync(shot), `the runner's screenshot ${shot}`, { timeoutMs: 20000 }).catch(() => {
    console.log(`[integration] no screenshot came: ${shot}`);
  });
}

/**
 * Runs a command that is expected to refuse (show an error and return undefined, or throw). Scripts
 * and tests call commands with options precisely so that nothing waits for a user: a command that
 * stays pending (e.g. awaiting the choice on its error notification) is reported as `settled: false`.
 */
export async function tryCommand<T>(
  id: string,
  args: unknown[],
  settleMs = 15000,
): Promise<{ settled: boolean; value?: T; error?: Error }> {
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
