// dvmdostem.showGrid opens the Run Status webview panel for a run folder.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, waitFor, workspace } from './util';

function gridTabs(title?: string): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && /dvmdostem\.statusGrid$/.test(t.input.viewType))
    .filter((t) => !title || t.label === title);
}

describe('dvmdostem.showGrid', () => {
  let ws: ReturnType<typeof workspace>;

  before(async () => {
    ws = workspace();
    await activateExtension();
  });

  after(async () => {
    for (const t of gridTabs()) await vscode.window.tabGroups.close(t);
  });

  it('opens a webview panel (viewType dvmdostem.statusGrid) titled "Run Status: output"', async () => {
    const result = await vscode.commands.executeCommand('dvmdostem.showGrid', vscode.Uri.file(ws.output));
    assert.ok(result !== undefined, 'dvmdostem.showGrid returned undefined (cancelled?) although a folder was given');
    const all = () =>
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .map((t) => `${t.label} (${t.input instanceof vscode.TabInputWebview ? t.input.viewType : typeof t.input})`);
    await waitFor(() => gridTabs('Run Status: output').length > 0, 'the "Run Status: output" tab', { describe: all });
    assert.equal(gridTabs('Run Status: output').length, 1, `tabs: ${JSON.stringify(all())}`);
  });

  it('opens a second panel for another run', async () => {
    await vscode.commands.executeCommand('dvmdostem.showGrid', vscode.Uri.file(ws.rerun));
    const labels = () => gridTabs().map((t) => t.label);
    await waitFor(() => gridTabs('Run Status: rerun').length > 0, 'the "Run Status: rerun" tab', { describe: labels });
    assert.equal(gridTabs('Run Status: rerun').length, 1);
    assert.equal(gridTabs('Run Status: output').length, 1);
  });
});
