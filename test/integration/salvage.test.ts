// dvmdostem.salvage with options (no prompts): backup + new mask of the failed cells.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { assertCopyOf, FIXTURE_FAILED_CELLS, hashFile, hashTree } from '../helpers/files';
import { readRunMask } from '../../src/core/runMask';
import { activateExtension, treeChanges, tryCommand, waitForRuns, workspace, type ExtensionApi } from './util';

describe('dvmdostem.salvage (options, no prompts)', () => {
  let api: ExtensionApi;
  let ws: ReturnType<typeof workspace>;
  let backupDir: string;
  let newMask: string;
  let outputBefore: Record<string, string>;
  let maskBefore: string;

  before(async () => {
    ws = workspace();
    ({ api } = await activateExtension());
    backupDir = path.join(ws.dir, 'output-backup');
    newMask = path.join(ws.dir, 'rerun-mask.nc');
    outputBefore = hashTree(ws.output);
    maskBefore = hashFile(ws.mask);
  });

  it('writes the backup and the new mask and returns a result object', async () => {
    const result = await vscode.commands.executeCommand('dvmdostem.salvage', vscode.Uri.file(ws.output), {
      originalMask: ws.mask,
      backupDir,
      newMask,
      skipConfirm: true,
    });
    assert.ok(result, 'dvmdostem.salvage returned undefined (cancelled?) although every option was given');
    assert.ok(fs.existsSync(backupDir), `no backup at ${backupDir}`);
    assert.ok(fs.existsSync(newMask), `no new mask at ${newMask}`);
  });

  it('backs the output folder up byte for byte (modification times kept)', () => {
    assertCopyOf(backupDir, ws.output);
  });

  it('writes a mask that enables exactly the failed cells (1,2), (6,4), (7,9), (9,6)', async () => {
    const mask = await readRunMask(newMask);
    assert.deepEqual(mask.grid, { ...mask.grid, rows: 10, cols: 10 });
    const enabled: [number, number][] = [];
    for (let i = 0; i < mask.enabled.length; i++) if (mask.enabled[i]) enabled.push([Math.floor(i / 10), i % 10]);
    assert.deepEqual(enabled, FIXTURE_FAILED_CELLS);
  });

  it('leaves the output folder and the original mask untouched', () => {
    assert.deepEqual(treeChanges(outputBefore, hashTree(ws.output)), []);
    assert.equal(hashFile(ws.mask), maskBefore);
  });

  it('lists the backup as a run after a refresh (same counts as the output)', async () => {
    const runs = await waitForRuns(api, (rs) => rs.some((r) => r.folder === backupDir), 'the backup in listRuns()');
    const backup = runs.find((r) => r.folder === backupDir)!;
    assert.equal(backup.counts.success, 6);
    assert.equal(backup.counts.fail, 2);
    assert.equal(backup.counts.timeout, 2);
  });

  it('refuses to salvage into an existing backup folder and writes nothing', async () => {
    const otherMask = path.join(ws.dir, 'rerun-mask-2.nc');
    const before = hashTree(backupDir);
    const { settled, value, error } = await tryCommand('dvmdostem.salvage', [
      vscode.Uri.file(ws.output),
      {
        originalMask: ws.mask,
        backupDir,
        newMask: otherMask,
        skipConfirm: true,
      },
    ]);
    assert.equal(fs.existsSync(otherMask), false, 'a mask was written although the salvage was refused');
    assert.deepEqual(treeChanges(before, hashTree(backupDir)), []);
    assert.ok(
      settled,
      'dvmdostem.salvage did not return within 15 s after refusing (it waits for the user to dismiss its error notification)',
    );
    assert.ok(
      error || value === undefined,
      `a salvage into an existing backup folder reported success: ${JSON.stringify(value)}`,
    );
  });
});
