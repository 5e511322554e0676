// Live runs tree where file-watch events never arrive (NFS, Remote-SSH): the extension polls the mtime of
// known run_status.nc files while the runs view is visible. Here a folder is excluded from file watching
// (files.watcherExclude), its run_status.nc is replaced, and the tree must show the new counts without any
// refresh; a watcher of the test's own proves no file event arrived for it.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, listRuns, sleep, waitForRuns, workspace, type ExtensionApi } from './util';

describe('polling run_status.nc while the runs view is visible', () => {
  let api: ExtensionApi;
  let ws: ReturnType<typeof workspace>;
  let polled: string;
  const events: string[] = [];
  let testWatcher: vscode.FileSystemWatcher;
  const user = () => vscode.workspace.getConfiguration();

  before(async () => {
    ws = workspace();
    ({ api } = await activateExtension());
    // User settings (not the workspace's .vscode/): nothing is written into the workspace.
    await user().update('files.watcherExclude', { '**/polled/**': true }, vscode.ConfigurationTarget.Global);
    await user().update('dvmdostem.pollIntervalSeconds', 1, vscode.ConfigurationTarget.Global);
    polled = path.join(ws.dir, 'polled');
    fs.mkdirSync(polled);
    fs.copyFileSync(path.join(ws.output, 'run_status.nc'), path.join(polled, 'run_status.nc'));
    testWatcher = vscode.workspace.createFileSystemWatcher('**/run_status.nc');
    for (const ev of [testWatcher.onDidChange, testWatcher.onDidCreate, testWatcher.onDidDelete])
      ev((u) => events.push(u.fsPath));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  after(async () => {
    testWatcher.dispose();
    await user().update('dvmdostem.pollIntervalSeconds', undefined, vscode.ConfigurationTarget.Global);
    await user().update('files.watcherExclude', undefined, vscode.ConfigurationTarget.Global);
  });

  it('does not poll while neither the runs view nor a grid is visible', async () => {
    await vscode.commands.executeCommand('workbench.view.explorer');
    await sleep(500);
    assert.equal(api.polling().active, false, 'polling is on although nothing showing runs is visible');
  });

  it('polls while the runs view is visible', async () => {
    await vscode.commands.executeCommand('workbench.view.extension.dvmdostem');
    const deadline = Date.now() + 10000;
    while (!api.polling().active && Date.now() < deadline) await sleep(200);
    assert.equal(api.polling().active, true, 'the runs view is visible but nothing is polled');
  });

  it('shows a run_status.nc rewritten without file events: new counts, no refresh asked for', async () => {
    const runs = await waitForRuns(api, (rs) => rs.some((r) => r.folder === polled), 'the polled folder in listRuns()');
    assert.equal(runs.find((r) => r.folder === polled)!.counts.fail, 2);
    // Let a poll record the current file, then replace it as dvmdostem does (write, rename over).
    const polls = api.polling().polls;
    while (api.polling().polls < polls + 2) await sleep(200);
    events.length = 0;
    const staged = path.join(polled, 'run_status.nc.tmp');
    fs.copyFileSync(path.join(ws.rerun, 'run_status.nc'), staged);
    fs.renameSync(staged, path.join(polled, 'run_status.nc'));
    const future = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(polled, 'run_status.nc'), future, future);

    const deadline = Date.now() + 20000;
    let counts: Record<string, number> | undefined;
    for (;;) {
      counts = (await listRuns(api)).find((r) => r.folder === polled)?.counts;
      if (counts && counts.fail === 0 && counts.success === 4) break;
      if (Date.now() > deadline)
        assert.fail(
          `the tree still shows ${JSON.stringify(counts)} for ${polled} 20 s after its run_status.nc changed`,
        );
      await sleep(300);
    }
    const seen = events.filter((e) => e.startsWith(polled));
    assert.deepEqual(seen, [], 'file events arrived for the excluded folder: this test did not exercise polling');
  });

  it('stops polling when the runs view is hidden again', async () => {
    await vscode.commands.executeCommand('workbench.view.explorer');
    const deadline = Date.now() + 10000;
    while (api.polling().active && Date.now() < deadline) await sleep(200);
    assert.equal(api.polling().active, false);
  });
});
