// Workspace Trust: the extension supports untrusted workspaces in a limited way (it reads runs and
// shows grids) and refuses to write (salvage, merge) in Restricted Mode.
//
// test/e2e/runExtensionTests.ts --restricted opens the workspace with Workspace Trust enabled and the
// folder not trusted, and sets DVMDOSTEM_E2E_SUITE=restricted; the normal run is trusted.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { hashTree } from '../helpers/files';
import { activateExtension, listRuns, manifest, treeChanges, tryCommand, workspace, type ExtensionApi } from './util';

const restricted = process.env.DVMDOSTEM_E2E_SUITE === 'restricted';

describe(`Workspace Trust (${restricted ? 'Restricted Mode' : 'trusted workspace'})`, () => {
  let ws: ReturnType<typeof workspace>;

  before(() => {
    ws = workspace();
  });

  it('declares capabilities.untrustedWorkspaces.supported = "limited" with a description', () => {
    const u = manifest().capabilities?.untrustedWorkspaces;
    assert.equal(u?.supported, 'limited', `capabilities.untrustedWorkspaces: ${JSON.stringify(u)}`);
    assert.ok(
      typeof u.description === 'string' && u.description.length > 0,
      'untrustedWorkspaces.description is required for "limited"',
    );
  });

  if (!restricted) {
    it('runs trusted in the normal suite', () => {
      assert.equal(vscode.workspace.isTrusted, true);
    });
    return;
  }

  describe('in Restricted Mode', () => {
    let api: ExtensionApi;
    const before_: { dir?: Record<string, string> } = {};

    before(async () => {
      assert.equal(
        vscode.workspace.isTrusted,
        false,
        'the runner did not manage to open the folder in Restricted Mode',
      );
      ({ api } = await activateExtension());
      before_.dir = hashTree(ws.dir);
    });

    it('still activates and lists the runs (read-only features work)', async () => {
      await vscode.commands.executeCommand('dvmdostem.refreshRuns');
      const runs = await listRuns(api);
      const output = runs.find((r) => r.folder === ws.output);
      assert.ok(output, `output not listed in Restricted Mode: ${JSON.stringify(runs.map((r) => r.folder))}`);
      assert.equal(output.counts.success, 6);
    });

    it('refuses dvmdostem.salvage: no backup, no mask', async () => {
      const backupDir = path.join(ws.dir, 'output-backup');
      const newMask = path.join(ws.dir, 'rerun-mask.nc');
      const { settled, value, error } = await tryCommand('dvmdostem.salvage', [
        vscode.Uri.file(ws.output),
        {
          originalMask: ws.mask,
          backupDir,
          newMask,
          skipConfirm: true,
        },
      ]);
      assert.equal(fs.existsSync(backupDir), false, 'a backup was written in Restricted Mode');
      assert.equal(fs.existsSync(newMask), false, 'a mask was written in Restricted Mode');
      assert.ok(settled, 'dvmdostem.salvage did not return within 15 s in Restricted Mode');
      assert.ok(error || value === undefined, `salvage reported success in Restricted Mode: ${JSON.stringify(value)}`);
    });

    it('refuses dvmdostem.merge: no merged folder', async () => {
      const merged = path.join(ws.dir, 'merged');
      const { settled, value, error } = await tryCommand('dvmdostem.merge', [
        vscode.Uri.file(ws.output),
        { rerunDir: ws.rerun, outputDir: merged },
      ]);
      assert.equal(fs.existsSync(merged), false, 'a merged folder was written in Restricted Mode');
      assert.ok(settled, 'dvmdostem.merge did not return within 15 s in Restricted Mode');
      assert.ok(error || value === undefined, `merge reported success in Restricted Mode: ${JSON.stringify(value)}`);
    });

    it('refuses dvmdostem.prepareRerun: no rerun folder', async () => {
      const rerunDir = path.join(ws.dir, 'output-rerun');
      const { settled, value, error } = await tryCommand('dvmdostem.prepareRerun', [
        vscode.Uri.file(ws.output),
        { mask: ws.mask, rerunDir, workdir: ws.dir, skipConfirm: true },
      ]);
      assert.equal(fs.existsSync(rerunDir), false, 'a rerun folder was written in Restricted Mode');
      assert.ok(settled, 'dvmdostem.prepareRerun did not return within 15 s in Restricted Mode');
      assert.ok(error || value === undefined, `prepareRerun succeeded in Restricted Mode: ${JSON.stringify(value)}`);
    });

    it('refuses dvmdostem.runRerun and dvmdostem.submitRerun: the scripts do not run', async () => {
      // A rerun folder outside the workspace whose scripts would leave a mark if they ran.
      const rerunDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dvmdostem-restricted-rerun-'));
      const mark = path.join(rerunDir, 'RAN');
      for (const f of ['run.sh', 'slurm_runner.sh']) {
        fs.writeFileSync(path.join(rerunDir, f), `#!/bin/bash\ntouch '${mark}'\n`, { mode: 0o755 });
      }
      try {
        for (const id of ['dvmdostem.runRerun', 'dvmdostem.submitRerun']) {
          const { settled, value, error } = await tryCommand(id, [vscode.Uri.file(rerunDir)]);
          assert.ok(settled, `${id} did not return within 15 s in Restricted Mode`);
          assert.ok(error || value === undefined, `${id} succeeded in Restricted Mode: ${JSON.stringify(value)}`);
        }
        assert.equal(fs.existsSync(mark), false, 'a rerun script ran in Restricted Mode');
      } finally {
        fs.rmSync(rerunDir, { recursive: true, force: true });
      }
    });

    it('refuses the batch-run commands: nothing salvaged, merged, stitched, no script run', async () => {
      // A batch run outside the workspace whose scripts would leave a mark if they ran.
      const batchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dvmdostem-restricted-batch-'));
      const mark = path.join(batchDir, 'RAN');
      fs.mkdirSync(path.join(batchDir, 'batch-1'));
      for (const f of ['submit-reruns.sh', 'run-reruns-locally.sh'])
        fs.writeFileSync(path.join(batchDir, f), `#!/bin/bash\ntouch '${mark}'\n`, { mode: 0o755 });
      const stitched = path.join(batchDir, 'stitched');
      try {
        const before = hashTree(batchDir);
        const calls: [string, unknown[]][] = [
          ['dvmdostem.salvageBatchRun', [vscode.Uri.file(batchDir), { workdir: batchDir, skipConfirm: true }]],
          ['dvmdostem.mergeBatchRun', [vscode.Uri.file(batchDir), { skipConfirm: true }]],
          ['dvmdostem.stitchBatchRun', [vscode.Uri.file(batchDir), { outputDir: stitched }]],
          ['dvmdostem.submitBatchReruns', [vscode.Uri.file(batchDir)]],
          ['dvmdostem.runBatchRerunsLocally', [vscode.Uri.file(batchDir)]],
        ];
        for (const [id, args] of calls) {
          const { settled, value, error } = await tryCommand(id, args);
          assert.ok(settled, `${id} did not return within 15 s in Restricted Mode`);
          assert.ok(error || value === undefined, `${id} succeeded in Restricted Mode: ${JSON.stringify(value)}`);
        }
        assert.equal(fs.existsSync(mark), false, 'a batch-run script ran in Restricted Mode');
        assert.deepEqual(hashTree(batchDir), before, 'a batch-run command wrote in Restricted Mode');
      } finally {
        fs.rmSync(batchDir, { recursive: true, force: true });
      }
    });

    it('left every file of the workspace as it was', () => {
      assert.deepEqual(treeChanges(before_.dir!, hashTree(ws.dir)), []);
    });
  });
});
