// Activation, contributions and the runs tree (through the API activate() returns).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { openNetcdf } from '../../src/core/netcdf/ncfile';
import {
  activateExtension,
  COMMANDS,
  EXTENSION_ID,
  listRuns,
  manifest,
  runFoldersOnDisk,
  waitFor,
  waitForRuns,
  workspace,
  type ExtensionApi,
} from './util';

type RunSummaryLike = Awaited<ReturnType<ExtensionApi['listRuns']>>[number];

describe('activation and the runs tree', () => {
  let api: ExtensionApi;
  let ws: ReturnType<typeof workspace>;

  before(async () => {
    ws = workspace();
    console.log(
      `    [env] ${vscode.env.appName} ${vscode.version}, uiKind=${vscode.env.uiKind === vscode.UIKind.Web ? 'Web' : 'Desktop'}, remoteName=${vscode.env.remoteName}, trusted=${vscode.workspace.isTrusted}`,
    );
  });

  it('activates on a workspace that contains a run folder and returns { listRuns() }', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not loaded`);
    ({ api } = await activateExtension());
    assert.equal(ext.isActive, true);
  });

  it('contributes the contract: view container, view, commands with their titles and category', () => {
    const c = manifest().contributes ?? {};
    const containers = (c.viewsContainers?.activitybar ?? []) as { id: string; title: string }[];
    assert.ok(
      containers.some((v) => v.id === 'dvmdostem' && v.title === 'dvmdostem'),
      `viewsContainers.activitybar: ${JSON.stringify(containers)}`,
    );
    const views = (c.views?.dvmdostem ?? []) as { id: string; name: string }[];
    assert.ok(
      views.some((v) => v.id === 'dvmdostem.runs' && v.name === 'dvmdostem Runs'),
      `views.dvmdostem: ${JSON.stringify(views)}`,
    );
    const titles: Record<string, string> = {
      'dvmdostem.salvage': 'Salvage Failed Cells…',
      'dvmdostem.merge': 'Merge Salvaged and Rerun Outputs…',
      'dvmdostem.showGrid': 'Show Run Status Grid',
      'dvmdostem.refreshRuns': 'Refresh Runs',
      'dvmdostem.revealInExplorer': 'Reveal in Explorer',
      'dvmdostem.copyPath': 'Copy Path',
      'dvmdostem.showLog': 'Show Log',
    };
    const declared = (c.commands ?? []) as { command: string; title: string; category?: string }[];
    for (const [id, title] of Object.entries(titles)) {
      const cmd = declared.find((d) => d.command === id);
      assert.ok(cmd, `contributes.commands lacks ${id}`);
      assert.equal(cmd.title, title, `${id} title`);
      assert.equal(cmd.category, 'dvmdostem', `${id} category`);
    }
  });

  it('registers every contract command in the extension host', async () => {
    const all = new Set(await vscode.commands.getCommands(true));
    const missing = COMMANDS.filter((id) => !all.has(id));
    assert.deepEqual(missing, [], `commands not registered: ${missing.join(', ')}`);
  });

  it('lists the output run with 6 success, 2 failed, 2 timeout, 90 masked cells', async () => {
    const runs = await waitForRuns(
      api,
      (rs) => rs.some((r) => r.folder === ws.output),
      'the output folder in listRuns()',
    );
    const output = runs.find((r) => r.folder === ws.output)!;
    assert.equal(output.counts.success, 6, JSON.stringify(output.raw));
    assert.equal(output.counts.fail, 2, JSON.stringify(output.raw));
    assert.equal(output.counts.timeout, 2, JSON.stringify(output.raw));
    assert.equal(output.counts.masked, 90, JSON.stringify(output.raw));
  });

  it('lists the rerun folder (4 success, 96 masked) and nothing that is not a run', async () => {
    const runs = await listRuns(api);
    const rerun = runs.find((r) => r.folder === ws.rerun);
    assert.ok(rerun, `rerun folder not listed: ${JSON.stringify(runs.map((r) => r.folder))}`);
    assert.equal(rerun.counts.success, 4);
    assert.equal(rerun.counts.masked, 96);
    assert.ok(
      !runs.some((r) => r.folder === ws.notes || r.folder === ws.dir),
      'a folder without run_status.nc is listed',
    );
  });

  it('sets the context key dvmdostem.runFolders to exactly the run folders (read through api.runFolders())', async () => {
    // Tests cannot read a context key (there is no getContext command): activate() also returns
    // runFolders(), the fsPaths the extension puts into dvmdostem.runFolders.
    assert.equal(
      typeof api.runFolders,
      'function',
      'activate() must return runFolders(): string[] (the value of the dvmdostem.runFolders context key)',
    );
    await vscode.commands.executeCommand('dvmdostem.refreshRuns');
    const expected = runFoldersOnDisk(ws.dir);
    assert.ok(expected.includes(ws.output) && expected.includes(ws.rerun));
    const actual = () => [...api.runFolders()].map((p) => path.resolve(p)).sort();
    const named = () => JSON.stringify(actual()) === JSON.stringify(expected);
    await waitFor(named, 'dvmdostem.runFolders to name the run folders on disk', { describe: actual }).catch(() => {});
    assert.deepEqual(actual(), expected);
  });
  it('follows a running batch: a rewritten run_status.nc refreshes the tree by itself and shows as running; a copied run does not', async () => {
    const live = path.join(ws.dir, 'live-run');
    fs.cpSync(ws.output, live, { recursive: true });
    try {
      const runs = await waitForRuns(api, (rs) => rs.some((r) => r.folder === live), 'the copied run in listRuns()');
      assert.notEqual(
        runs.find((r) => r.folder === live)!.raw.state,
        'running',
        'a run written once (a copy) is not running',
      );
      // What dvmdostem does after each cell: rewrite run_status.nc, here cell (1,2) now succeeded.
      const file = await openNetcdf(path.join(live, 'run_status.nc'));
      const v = file.variable('run_status')!;
      const values = file.readNumbers(v);
      values[1 * 10 + 2] = 100;
      file.writeNumbers(v, values);
      // No refresh command: the file watcher must bring the change.
      let seen: RunSummaryLike | undefined;
      await waitFor(
        async () => (seen = (await api.listRuns()).find((r) => path.resolve(r.folder) === live))?.counts?.success === 7,
        'the tree to show the rewritten run_status.nc (7 successes)',
        { describe: () => seen },
      ).catch(() => {});
      assert.equal(seen?.counts?.success, 7, `the tree did not follow the rewrite: ${JSON.stringify(seen)}`);
      assert.equal(seen?.state, 'running');
      assert.equal(seen?.counts?.fail, 1);
    } finally {
      fs.rmSync(live, { recursive: true, force: true });
      await waitForRuns(api, (rs) => !rs.some((r) => r.folder === live), 'the copied run gone from listRuns()');
    }
  });
});
