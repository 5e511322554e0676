import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { readBatchRunStatus } from '../../src/core/batch/batchStatus';
import { readRunMask } from '../../src/core/runMask';
import { readRunStatus } from '../../src/core/runStatus';
import { batchCli, makeDvmdostemHome, makeRowSliceBatchRun } from '../helpers/batchRuns';
import { assertCopyOf, hashTree, tempDir } from '../helpers/files';
import { verifyMergedFile } from '../helpers/values';

/**
 * The rescue loop on the other layout in real use, `bp batch split`: batch_N is row N % 10 of the
 * fixture (its real files cut to 1 × 10), with its input/, config/config.js and output/. The fixture's
 * failed cells sit in rows 1, 6, 7 and 9; batch_11 (row 1 again) never started.
 */
describe('pyddt-batch salvage, reruns, merge: a row-slice batch run (bp batch split) rescued row by row', () => {
  let dir: string;
  let wd: string;
  let before0: Record<string, string>;
  const rescued = ['batch_1', 'batch_6', 'batch_7', 'batch_9'];

  before(async () => {
    dir = await makeRowSliceBatchRun(path.join(tempDir('batch-rows-rescue'), 'batch-run'), {
      rows: 12,
      outputs: true,
      neverStarted: [11],
      mpirun: false,
    });
    wd = await makeDvmdostemHome();
    before0 = hashTree(dir);
  });

  it('salvages the rows with failures: a backup of the row, a one-row mask of its failed cells, a rerun from its own job script', async () => {
    const r = batchCli(['salvage', dir, '--workdir', wd]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /batch_0: complete, not touched/);
    assert.match(r.stdout, /batch_11: never started: its own slurm_runner\.sh is queued again for its 1 cells/);
    for (const b of rescued) {
      assertCopyOf(path.join(dir, b, 'rescue-1', 'backup'), path.join(dir, b, 'output'));
      const slurm = fs.readFileSync(path.join(dir, b, 'rescue-1', 'rerun', 'slurm_runner.sh'), 'utf8');
      assert.match(slurm, new RegExp(`^#SBATCH --job-name="ddt-${b}-rerun"$`, 'm'));
    }
    // Row 1's failed cell is column 2 of that row; the new mask is one row, like the batch's own.
    const mask = await readRunMask(path.join(dir, 'batch_1', 'rescue-1', 'run-mask-failed.nc'));
    assert.deepEqual(mask.grid, { rows: 1, cols: 10 });
    assert.deepEqual(
      [...mask.enabled.keys()].filter((i) => mask.enabled[i]),
      [2],
    );
    for (const b of ['batch_0', 'batch_2', 'batch_8', 'batch_10'])
      assert.ok(!fs.existsSync(path.join(dir, b, 'rescue-1')), `${b} has no failure but was salvaged`);
    const unchanged = Object.keys(before0).filter((k) => hashTree(dir)[k] !== before0[k]);
    assert.deepEqual(unchanged, [], 'salvage changed files that were there before');
  });

  it('after the reruns, merge puts every rescued row back complete: rerun cells from the rerun, the rest from the backup, bit for bit', async () => {
    const local = spawnSync('bash', [path.join(dir, 'run-reruns-locally.sh')], { encoding: 'utf8' });
    assert.equal(local.status, 0, local.stdout + local.stderr);
    const r = batchCli(['merge', dir]);
    assert.equal(r.code, 0, r.stderr);
    for (const b of rescued) {
      assert.match(r.stdout, new RegExp(`${b}: rescue 1 merged into its output`));
      const round = path.join(dir, b, 'rescue-1');
      const rerunStatus = await readRunStatus(path.join(round, 'rerun', 'output', 'run_status.nc'));
      const rerunCells = new Set(
        [...rerunStatus.status.keys()].filter((i) => rerunStatus.status[i] !== 0).map((i) => `0,${i}`),
      );
      assert.equal(rerunCells.size, 1, `${b}: the rerun ran one cell`);
      const names = fs.readdirSync(path.join(dir, b, 'output')).filter((n) => n.endsWith('.nc'));
      assert.equal(names.length, 22, `${b}: every NetCDF file of the row is in the merged output`);
      for (const f of names) {
        const problems = await verifyMergedFile(
          path.join(round, 'backup', f),
          path.join(round, 'rerun', 'output', f),
          path.join(dir, b, 'output', f),
          rerunCells,
        );
        assert.deepEqual(problems, [], `${b}/output/${f}`);
      }
      assertCopyOf(path.join(dir, b, 'output-before-rescue-1'), path.join(round, 'backup'));
    }
    const s = await readBatchRunStatus(dir);
    assert.equal(s.layout, 'row-slices');
    assert.deepEqual(s.grid, { rows: 12, cols: 10 });
    // Ten cells of rows 0–9 and batch_10/11's three (rows 0 and 1 again): all successful now.
    assert.deepEqual(s.totals, { success: 13, fail: 0, timeout: 0, masked: 107, unwritten: 0, other: 0 });
    assert.equal(s.complete, true);
  });
});
