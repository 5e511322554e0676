// dvmdostem.exclude ({ "glob": true }, like files.exclude) together with the user's files.exclude
// holding a {a,b} group, set in the workspace folder's own settings, in the real extension host.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, waitForRuns, workspace, type ExtensionApi } from './util';

describe('settings', () => {
  let api: ExtensionApi;
  let ws: ReturnType<typeof workspace>;
  let folder: vscode.WorkspaceFolder;

  before(async () => {
    ws = workspace();
    ({ api } = await activateExtension());
    folder = vscode.workspace.workspaceFolders![0];
  });

  after(async () => {
    await vscode.workspace
      .getConfiguration('dvmdostem', folder.uri)
      .update('exclude', undefined, vscode.ConfigurationTarget.WorkspaceFolder);
    await vscode.workspace
      .getConfiguration('files', folder.uri)
      .update('exclude', undefined, vscode.ConfigurationTarget.WorkspaceFolder);
    await waitForRuns(api, (runs) => runs.some((r) => r.folder === ws.rerun), 'the rerun folder listed again');
  });

  it('a folder excluded with dvmdostem.exclude is not listed; files.exclude with a {a,b} group still applies and breaks nothing', async () => {
    await waitForRuns(
      api,
      (runs) => runs.some((r) => r.folder === ws.rerun) && runs.some((r) => r.folder === ws.output),
      'both runs listed first',
    );
    await vscode.workspace
      .getConfiguration('files', folder.uri)
      .update('exclude', { '**/*.{tmp,bak}': true, '**/.git': true }, vscode.ConfigurationTarget.WorkspaceFolder);
    await vscode.workspace
      .getConfiguration('dvmdostem', folder.uri)
      .update('exclude', { '**/rerun': true }, vscode.ConfigurationTarget.WorkspaceFolder);
    const runs = await waitForRuns(
      api,
      (rs) => !rs.some((r) => r.folder === ws.rerun),
      'the rerun folder no longer listed',
    );
    assert.ok(
      runs.some((r) => r.folder === ws.output),
      `the output run is still listed: ${JSON.stringify(runs.map((r) => r.folder))}`,
    );
  });

  it('setting the pattern to false lists the folder again', async () => {
    await vscode.workspace
      .getConfiguration('dvmdostem', folder.uri)
      .update('exclude', { '**/rerun': false }, vscode.ConfigurationTarget.WorkspaceFolder);
    await waitForRuns(api, (rs) => rs.some((r) => r.folder === ws.rerun), 'the rerun folder listed again');
  });
});
