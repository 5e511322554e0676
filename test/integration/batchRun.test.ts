// A batch-split run in the runs tree (one node, totals, problem batches first) and the batch-run
// commands (Stitch, Salvage, Run Reruns Locally, Merge) compared with what the core (pyddt-batch) does
// to an identical copy built outside the workspace.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { mergeBatchRun, type BatchMergeAction } from '../../src/core/batch/batchMerge';
import { salvageBatchRun, type BatchSalvageResult } from '../../src/core/batch/batchSalvage';
import { stitchBatchRun, type StitchResult } from '../../src/core/batch/stitch';
import { readRunMask } from '../../src/core/runMask';
import { makeFullDomainBatchRun } from '../helpers/batchRuns';
import { hashTree, tempDir } from '../helpers/files';
import { FIXTURE_INPUTS, STANDIN } from '../helpers/rerunWorkspace';
import { verifyMergedFile } from '../helpers/values';
import { activateExtension, waitFor, workspace, type ExtensionApi } from './util';

/** dvmdostem's working directory: the stand-in model and the inputs the fixture's config_record.js names. */
function makeWorkdir(): string {
  const wd = path.join(tempDir('batch-ext-workdir'), 'dvm-dos-tem');
  for (const p of FIXTURE_INPUTS) {
    const full = path.join(wd, p);
    if (p.endsWith('/')) fs.mkdirSync(full, { recursive: true });
    else {
      fs.mkdirSync(path.dirname(full), { recursive: true });
      fs.writeFileSync(full, '');
    }
  }
  fs.symlinkSync(STANDIN, path.join(wd, 'dvmdostem'));
  return wd;
}

/** Every file's content hash below `dir`, by relative path (modification times left out). */
const contents = (dir: string) =>
  Object.fromEntries(Object.entries(hashTree(dir)).map(([k, v]) => [k, v.split(' ')[0]]));

/** Every file below `dir` (relative paths). */
const filesBelow = (dir: string) => Object.keys(hashTree(dir)).sort();

const enabledCells = async (mask: string) => {
  const m = await readRunMask(mask);
  return [...m.enabled.keys()].filter((i) => m.enabled[i]);
};

describe('a batch run in VS Code (runs tree, Stitch / Salvage / Run Reruns Locally / Merge Batch Run)', function () {
  this.timeout(180000);
  let api: ExtensionApi;
  let dir: string;
  let ref: string;
  let wd: string;
  const rel = (s: string, from: string) => s.split(from).join('BATCH_DIR');

  before(async () => {
    const ws = workspace();
    ({ api } = await activateExtension());
    wd = makeWorkdir();
    dir = await makeFullDomainBatchRun(path.join(ws.dir, 'regionA'), undefined, { mpirun: false });
    ref = await makeFullDomainBatchRun(path.join(tempDir('batch-ext-ref'), 'regionA'), undefined, { mpirun: false });
  });

  after(async () => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    await vscode.commands.executeCommand('dvmdostem.refreshRuns');
  });

  const batchItems = async () => {
    await vscode.commands.executeCommand('dvmdostem.refreshRuns');
    return api.batchRunItems(dir);
  };

  it("shows the batch run as one node with the domain's totals; its batch folders are not listed as runs", async () => {
    const item = await waitFor(batchItems, `the batch run ${dir} in the runs tree`, {
      describe: () => api.listBatchRuns(),
    });
    assert.equal(item.label, 'regionA — 5 batches · 6 ok · 2 failed · 2 timed out · 2 never written');
    assert.equal(item.description, 'full-domain batches');
    const batchRuns = await api.listBatchRuns();
    assert.deepEqual(
      batchRuns.map((b) => b.folder),
      [dir],
    );
    assert.deepEqual(batchRuns[0].totals, { success: 6, fail: 2, timeout: 2, masked: 88, unwritten: 2, other: 0 });
    const inside = (await api.listRuns()).map((r) => r.folder).filter((f) => f.startsWith(dir + path.sep));
    assert.deepEqual(inside, [], 'batch-N/output folders must not be listed as runs');
    assert.deepEqual(
      api.runFolders().filter((f) => f.startsWith(dir + path.sep)),
      [],
    );
  });

  it('lists the batches with problems first (failures, then not started), the complete ones in one line', async () => {
    const item = (await batchItems())!;
    assert.deepEqual(
      item.children.map((c) => `${c.label} | ${c.description}`),
      [
        'batch-10 | failures · 2 ok · 1 failed',
        'batch-12 | failures · 1 failed · 2 timed out',
        'batch-11 | not started · 2 never written',
        '2 complete batches | ',
      ],
    );
  });

  it('Stitch Batch Run writes what the core writes for the same batch run, byte for byte', async () => {
    const out = path.join(tempDir('batch-ext-stitched'), 'stitched');
    const refOut = path.join(tempDir('batch-ext-stitched-ref'), 'stitched');
    const result = await vscode.commands.executeCommand<StitchResult>(
      'dvmdostem.stitchBatchRun',
      vscode.Uri.file(dir),
      {
        outputDir: out,
      },
    );
    assert.ok(result, 'dvmdostem.stitchBatchRun returned undefined although its output folder was given');
    const expected = await stitchBatchRun({ batchDir: ref, outputDir: refOut });
    assert.deepEqual(result.counts, expected.counts);
    assert.deepEqual(result.files, expected.files);
    assert.deepEqual(contents(out), contents(refOut));
  });

  it('Salvage Batch Run prepares what pyddt-batch salvage prepares (same rounds, masks, scripts)', async () => {
    const result = await vscode.commands.executeCommand<BatchSalvageResult>(
      'dvmdostem.salvageBatchRun',
      vscode.Uri.file(dir),
      { workdir: wd, skipConfirm: true },
    );
    assert.ok(result, 'dvmdostem.salvageBatchRun returned undefined although every option was given');
    const expected = await salvageBatchRun({ batchDir: ref, workdir: wd });
    assert.equal(rel(JSON.stringify(result.actions), dir), rel(JSON.stringify(expected.actions), ref));
    assert.deepEqual(filesBelow(dir), filesBelow(ref));
    for (const batch of ['batch-10', 'batch-12']) {
      const mask = (d: string) => path.join(d, batch, 'rescue-1', 'run-mask-failed.nc');
      assert.deepEqual(await enabledCells(mask(dir)), await enabledCells(mask(ref)), batch);
      assert.deepEqual(
        contents(path.join(dir, batch, 'rescue-1', 'backup')),
        contents(path.join(dir, batch, 'output')),
      );
    }
    for (const script of ['submit-reruns.sh', 'run-reruns-locally.sh']) {
      const text = (d: string) => rel(fs.readFileSync(path.join(d, script), 'utf8'), d);
      assert.equal(text(dir), text(ref), script);
    }
  });

  it('Run Reruns Locally runs the queued reruns as a task', async () => {
    const r = await vscode.commands.executeCommand<{ exitCode?: number }>(
      'dvmdostem.runBatchRerunsLocally',
      vscode.Uri.file(dir),
    );
    assert.ok(r, 'dvmdostem.runBatchRerunsLocally returned undefined');
    assert.equal(r.exitCode, 0);
    const local = spawnSync('bash', [path.join(ref, 'run-reruns-locally.sh')], { encoding: 'utf8' });
    assert.equal(local.status, 0, local.stdout + local.stderr);
    for (const batch of ['batch-10', 'batch-12'])
      assert.ok(fs.existsSync(path.join(dir, batch, 'rescue-1', 'rerun', 'output', 'run_status.nc')), batch);
  });

  it("Merge Batch Run merges each finished rerun into its batch's output as pyddt-batch merge does", async () => {
    const pre10 = hashTree(path.join(dir, 'batch-10', 'output'));
    const actions = await vscode.commands.executeCommand<BatchMergeAction[]>(
      'dvmdostem.mergeBatchRun',
      vscode.Uri.file(dir),
      { skipConfirm: true },
    );
    assert.ok(actions, 'dvmdostem.mergeBatchRun returned undefined');
    const expected = await mergeBatchRun({ batchDir: ref });
    assert.equal(rel(JSON.stringify(actions), dir), rel(JSON.stringify(expected), ref));
    assert.deepEqual(hashTree(path.join(dir, 'batch-10', 'output-before-rescue-1')), pre10);
    const cells: Record<string, string[]> = { 'batch-10': ['1,2'], 'batch-12': ['6,4', '7,9', '9,6'] };
    for (const [batch, rerun] of Object.entries(cells)) {
      const round = path.join(dir, batch, 'rescue-1');
      for (const f of fs.readdirSync(path.join(dir, batch, 'output')).filter((n) => n.endsWith('.nc'))) {
        const problems = await verifyMergedFile(
          path.join(round, 'backup', f),
          path.join(round, 'rerun', 'output', f),
          path.join(dir, batch, 'output', f),
          new Set(rerun),
        );
        assert.deepEqual(problems, [], `${batch}/output/${f}`);
      }
    }
    // The tree now shows the merged batches as complete; the stand-in has no data for batch-11's cells.
    await waitFor(
      async () => {
        const item = await batchItems();
        return item?.children.map((c) => `${c.label} | ${c.description}`).join('\n') ===
          ['batch-11 | failures · 2 failed', '4 complete batches | '].join('\n')
          ? item
          : undefined;
      },
      'the merged batches shown as complete',
      { describe: () => api.batchRunItems(dir) },
    );
  });

  it("follows a batch's run_status.nc by itself (no refresh command): the node's children change", async () => {
    // As if batch-11's job were started again: its output is emptied, its run_status.nc gone.
    fs.rmSync(path.join(dir, 'batch-11', 'output', 'run_status.nc'));
    await waitFor(
      async () =>
        (await api.batchRunItems(dir))?.children.some(
          (c) => c.label === 'batch-11' && c.description === 'not started · 2 never written',
        ),
      'batch-11 shown as not started after its run_status.nc went away',
      { describe: () => api.batchRunItems(dir) },
    );
  });
});
