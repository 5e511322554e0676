// dvmdostem.merge with options (no prompts): a merged folder with all 10 cells successful.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { FIXTURE_ENABLED_CELLS, FIXTURE_FAILED_CELLS, hashTree } from '../helpers/files';
import { verifyMergedFile } from '../helpers/values';
import { readRunStatus } from '../../src/core/runStatus';
import { activateExtension, treeChanges, tryCommand, waitForRuns, workspace, type ExtensionApi } from './util';

describe('dvmdostem.merge (options, no prompts)', () => {
  let api: ExtensionApi;
  let ws: ReturnType<typeof workspace>;
  let merged: string;
  let inputsBefore: { output: Record<string, string>; rerun: Record<string, string> };

  before(async () => {
    ws = workspace();
    ({ api } = await activateExtension());
    merged = path.join(ws.dir, 'merged');
    inputsBefore = { output: hashTree(ws.output), rerun: hashTree(ws.rerun) };
  });

  it('writes the merged folder and returns a result object', async () => {
    const result = await vscode.commands.executeCommand('dvmdostem.merge', vscode.Uri.file(ws.output), {
      rerunDir: ws.rerun,
      outputDir: merged,
    });
    assert.ok(result, 'dvmdostem.merge returned undefined (cancelled?) although every option was given');
    assert.ok(fs.existsSync(path.join(merged, 'run_status.nc')), `no run_status.nc in ${merged}`);
  });

  it('has a run_status.nc with 10 successes (every enabled cell) and 90 masked', async () => {
    const status = await readRunStatus(path.join(merged, 'run_status.nc'));
    assert.equal(status.counts.success, 10);
    assert.equal(status.counts.masked, 90);
    for (const [r, c] of FIXTURE_ENABLED_CELLS)
      assert.ok(status.status[r * 10 + c] > 0, `cell (${r},${c}) is not a success`);
  });

  it('has every NetCDF file, with the rerun values at the rerun cells and the salvaged values elsewhere', async () => {
    const ncFiles = fs
      .readdirSync(ws.output)
      .filter((f) => f.endsWith('.nc'))
      .sort();
    assert.deepEqual(
      fs
        .readdirSync(merged)
        .filter((f) => f.endsWith('.nc'))
        .sort(),
      ncFiles,
    );
    const rerunCells = new Set(FIXTURE_FAILED_CELLS.map(([r, c]) => `${r},${c}`));
    for (const f of ncFiles) {
      const problems = await verifyMergedFile(
        path.join(ws.output, f),
        path.join(ws.rerun, f),
        path.join(merged, f),
        rerunCells,
      );
      assert.deepEqual(problems, [], f);
    }
  });

  it('leaves both inputs untouched and no staging folder behind', () => {
    assert.deepEqual(treeChanges(inputsBefore.output, hashTree(ws.output)), []);
    assert.deepEqual(treeChanges(inputsBefore.rerun, hashTree(ws.rerun)), []);
    const leftovers = fs.readdirSync(ws.dir).filter((f) => f.startsWith('.'));
    assert.deepEqual(leftovers, [], 'hidden staging folders left in the workspace');
  });

  it('lists the merged folder as a run with 10 successes after a refresh', async () => {
    const runs = await waitForRuns(api, (rs) => rs.some((r) => r.folder === merged), 'the merged folder in listRuns()');
    const m = runs.find((r) => r.folder === merged)!;
    assert.equal(m.counts.success, 10);
    assert.equal(m.counts.fail ?? 0, 0);
    assert.equal(m.counts.timeout ?? 0, 0);
  });

  it('refuses to merge into an existing folder and writes nothing', async () => {
    const before = hashTree(merged);
    const { settled, value, error } = await tryCommand('dvmdostem.merge', [
      vscode.Uri.file(ws.output),
      { rerunDir: ws.rerun, outputDir: merged },
    ]);
    assert.deepEqual(treeChanges(before, hashTree(merged)), []);
    assert.ok(
      settled,
      'dvmdostem.merge did not return within 15 s after refusing (it waits for the user to dismiss its error notification)',
    );
    assert.ok(
      error || value === undefined,
      `a merge into an existing folder reported success: ${JSON.stringify(value)}`,
    );
  });
});
