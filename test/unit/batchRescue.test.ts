import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { readBatchRunStatus } from '../../src/core/batch/batchStatus';
import { mergeRuns } from '../../src/core/merge';
import { readRunMask } from '../../src/core/runMask';
import { batchCli, cellIndex, makeDvmdostemHome, makeFullDomainBatchRun } from '../helpers/batchRuns';
import { assertCopyOf, hashTree, tempDir } from '../helpers/files';
import { verifyMergedFile } from '../helpers/values';

const enabledCells = async (mask: string) => {
  const m = await readRunMask(mask);
  return [...m.enabled.keys()].filter((i) => m.enabled[i]);
};

describe('pyddt-batch salvage, reruns, merge: a full-domain batch run rescued until its batches ran every cell', () => {
  let dir: string;
  let wd: string;
  let before0: Record<string, string>;
  const batchTree = (name: string) => hashTree(path.join(dir, name));

  before(async () => {
    dir = await makeFullDomainBatchRun(path.join(tempDir('batch-rescue'), 'batch-run'), undefined, { mpirun: false });
    wd = await makeDvmdostemHome();
    before0 = hashTree(dir);
  });

  it('--dry-run says what it would do and writes nothing', () => {
    const r = batchCli(['salvage', dir, '--dry-run', '--workdir', wd]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\[1\/5\] batch-3: complete, not touched/);
    assert.match(r.stdout, /\[3\/5\] batch-10: would prepare rescue 1: 1 cells to rerun/);
    assert.match(
      r.stdout,
      /\[4\/5\] batch-11: never started: its own slurm_runner\.sh is queued again for its 2 cells/,
    );
    assert.match(r.stdout, /\[5\/5\] batch-12: would prepare rescue 1: 3 cells to rerun/);
    assert.deepEqual(hashTree(dir), before0);
  });

  it('salvages each batch with failures into a rescue round, leaves complete batches alone, writes the two scripts', async () => {
    const r = batchCli(['salvage', dir, '--workdir', wd]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      batchTree('batch-3'),
      Object.fromEntries(
        Object.entries(before0)
          .filter(([k]) => k.startsWith('batch-3/'))
          .map(([k, v]) => [k.slice(8), v]),
      ),
    );
    assert.ok(!fs.existsSync(path.join(dir, 'batch-9', 'rescue-1')));
    // The backup is the batch's output, byte for byte; the output itself is untouched.
    assertCopyOf(path.join(dir, 'batch-10', 'rescue-1', 'backup'), path.join(dir, 'batch-10', 'output'));
    assert.deepEqual(await enabledCells(path.join(dir, 'batch-10', 'rescue-1', 'run-mask-failed.nc')), [
      cellIndex(1, 2),
    ]);
    assert.deepEqual(await enabledCells(path.join(dir, 'batch-12', 'rescue-1', 'run-mask-failed.nc')), [
      cellIndex(6, 4),
      cellIndex(7, 9),
      cellIndex(9, 6),
    ]);
    // The rerun's job script comes from the batch's own: same #SBATCH lines, the job name marked as a rerun, its config.
    const slurm = fs.readFileSync(path.join(dir, 'batch-10', 'rescue-1', 'rerun', 'slurm_runner.sh'), 'utf8');
    assert.match(slurm, /^#SBATCH --job-name="ddt-batch-10-rerun"$/m);
    assert.match(slurm, /^#SBATCH -p t2small$/m);
    assert.match(slurm, /^#SBATCH --time=02:00:00$/m);
    assert.match(slurm, /^ulimit -s unlimited$/m);
    assert.match(
      slurm,
      new RegExp(`-f ${path.join(dir, 'batch-10', 'rescue-1', 'rerun', 'config.js').replace(/[.]/g, '\\.')} `),
    );
    const submit = fs.readFileSync(path.join(dir, 'submit-reruns.sh'), 'utf8');
    const order = [...submit.matchAll(/^submit (\S+) (\S+)/gm)].map((m) => `${m[1]} ${path.relative(dir, m[2])}`);
    assert.deepEqual(order, [
      'batch-10 batch-10/rescue-1/rerun/slurm_runner.sh',
      'batch-11 batch-11/slurm_runner.sh',
      'batch-12 batch-12/rescue-1/rerun/slurm_runner.sh',
    ]);
    assert.ok(fs.statSync(path.join(dir, 'run-reruns-locally.sh')).mode & 0o100);
  });

  it('salvaging again (resumed after an interruption) prepares only what is missing, never a second round', () => {
    const backupBefore = hashTree(path.join(dir, 'batch-12', 'rescue-1', 'backup'));
    // As if stopped before batch-12's rerun folder appeared.
    fs.rmSync(path.join(dir, 'batch-12', 'rescue-1', 'rerun'), { recursive: true });
    const r = batchCli(['salvage', dir, '--workdir', wd]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /batch-10: rescue 1 already prepared/);
    assert.match(r.stdout, /batch-12: rescue 1: 3 cells to rerun, prepared/);
    assert.ok(fs.existsSync(path.join(dir, 'batch-12', 'rescue-1', 'rerun', 'run.sh')));
    assert.deepEqual(hashTree(path.join(dir, 'batch-12', 'rescue-1', 'backup')), backupBefore);
    assert.ok(!fs.existsSync(path.join(dir, 'batch-10', 'rescue-2')));
  });

  it('merge before the reruns ran reports them and changes nothing', () => {
    const snapshot = hashTree(dir);
    const r = batchCli(['merge', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /batch-10: rescue 1 not merged: its rerun has not run/);
    assert.match(r.stdout, /✓ 0 batches merged; 2 waiting for their rerun/);
    assert.deepEqual(hashTree(dir), snapshot);
  });

  it("runs the reruns locally, then merge puts each merged result at the batch's output, keeping the pre-rescue output", async () => {
    const pre10 = hashTree(path.join(dir, 'batch-10', 'output'));
    const local = spawnSync('bash', [path.join(dir, 'run-reruns-locally.sh')], { encoding: 'utf8' });
    assert.equal(local.status, 0, local.stdout + local.stderr);
    const r = batchCli(['merge', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /batch-10: rescue 1 merged into its output \(3 cells successful\)/);
    assert.match(r.stdout, /batch-12: rescue 1 merged into its output \(3 cells successful\)/);
    assert.deepEqual(hashTree(path.join(dir, 'batch-10', 'output-before-rescue-1')), pre10);
    const round = path.join(dir, 'batch-10', 'rescue-1');
    for (const f of fs.readdirSync(path.join(dir, 'batch-10', 'output')).filter((n) => n.endsWith('.nc'))) {
      const problems = await verifyMergedFile(
        path.join(round, 'backup', f),
        path.join(round, 'rerun', 'output', f),
        path.join(dir, 'batch-10', 'output', f),
        new Set(['1,2']),
      );
      assert.deepEqual(problems, [], f);
    }
    const s = await readBatchRunStatus(dir);
    assert.deepEqual(
      s.batches.map((b) => `${b.name} ${b.state}`),
      ['batch-3 complete', 'batch-9 complete', 'batch-10 complete', 'batch-11 failures', 'batch-12 complete'],
    );
    // The stand-in model has no data for batch-11's cells: they fail, which status reports.
    assert.deepEqual(s.totals, { success: 10, fail: 2, timeout: 0, masked: 88, unwritten: 0, other: 0 });
  });

  it('merging again changes nothing; a second salvage opens round 2 only for the batch still failing', () => {
    const snapshot = hashTree(dir);
    const m = batchCli(['merge', dir]);
    assert.equal(m.code, 0, m.stderr);
    assert.match(m.stdout, /✓ 0 batches merged/);
    assert.deepEqual(hashTree(dir), snapshot);
    const s = batchCli(['salvage', dir, '--workdir', wd]);
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout, /batch-11: rescue 1: 2 cells to rerun/);
    assert.match(s.stdout, /batch-10: complete, not touched/);
    assert.ok(!fs.existsSync(path.join(dir, 'batch-10', 'rescue-2')));
  });

  it('a merge stopped after the merged folder was written finishes with the two renames', async () => {
    const d = await makeFullDomainBatchRun(
      path.join(tempDir('batch-resume'), 'batch-run'),
      [
        {
          number: 4,
          cells: [
            [1, 2],
            [0, 0],
          ],
          from: 'original',
        },
      ],
      { mpirun: false },
    );
    assert.equal(batchCli(['salvage', d, '--workdir', wd]).code, 0);
    const round = path.join(d, 'batch-4', 'rescue-1');
    const run = spawnSync('bash', [path.join(round, 'rerun', 'run.sh')], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    await mergeRuns({
      salvagedDir: path.join(round, 'backup'),
      rerunDir: path.join(round, 'rerun', 'output'),
      outputDir: path.join(round, 'merged'),
    });
    const merged = hashTree(path.join(round, 'merged'));
    fs.renameSync(path.join(d, 'batch-4', 'output'), path.join(d, 'batch-4', 'output-before-rescue-1'));
    const r = batchCli(['merge', d]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /batch-4: rescue 1 merged/);
    assert.deepEqual(hashTree(path.join(d, 'batch-4', 'output')), merged);
    assert.ok(!fs.existsSync(path.join(round, 'merged')));
  });
  it('a batch that cannot be rerun (no config_record.js) is named, and gets no half-made rescue round', async () => {
    const d = await makeFullDomainBatchRun(path.join(tempDir('batch-norecord'), 'batch-run'), [
      { number: 2, cells: [[1, 2]], from: 'original' },
    ]);
    fs.rmSync(path.join(d, 'batch-2', 'output', 'config_record.js'));
    const before = hashTree(d);
    const r = batchCli(['salvage', d, '--workdir', wd]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^pyddt-batch salvage: error: batch-2: .*batch-2\/output\/config_record\.js: config_record\.js not found/,
    );
    assert.deepEqual(hashTree(d), before);
  });
});
