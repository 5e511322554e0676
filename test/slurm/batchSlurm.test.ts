import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeFullDomainBatchRun } from '../helpers/batchRuns';
import { repoRoot, tempDir } from '../helpers/files';
import { makeWorkdir, STANDIN } from '../helpers/rerunWorkspace';
import { jobState, run, startSlurm } from '../helpers/slurm';

/**
 * A real SLURM (scripts/slurm-local.sh): `pyddt-batch salvage` writes submit-reruns.sh, which submits
 * every batch's rerun with sbatch and records the job ids; run twice, it submits nothing twice. When
 * the jobs are done, `pyddt-batch merge` completes the batches and `status` exits 0.
 */

const WAIT_MS = 240_000;

describe('SLURM: pyddt-batch salvage → submit-reruns.sh → merge on a real one-node cluster', () => {
  let stopSlurm = () => {};
  before(() => {
    stopSlurm = startSlurm();
  });
  after(() => stopSlurm());

  it('submits each rerun once, records the job ids, and the merged batch run is complete', async () => {
    const dir = await makeFullDomainBatchRun(path.join(tempDir('batch-slurm'), 'batch-run'), [
      {
        number: 3,
        cells: [
          [0, 0],
          [0, 5],
        ],
        from: 'clean',
      },
      {
        number: 10,
        cells: [
          [1, 2],
          [2, 7],
        ],
        from: 'original',
      },
      {
        number: 12,
        cells: [
          [6, 4],
          [9, 6],
        ],
        from: 'original',
      },
    ]);
    const ws = makeWorkdir(tempDir('batch-slurm-wd'));
    const cli = path.join(repoRoot, 'dist', 'pyddt-batch.js');
    // The batches' own jobs name partition t2small (a cluster's); this cluster's is debug.
    const salvage = run(process.execPath, [
      cli,
      'salvage',
      dir,
      '--workdir',
      ws.workdir,
      '--dvmdostem',
      STANDIN,
      '--partition',
      'debug',
      '--time',
      '10:00',
    ]);
    assert.equal(salvage.code, 0, salvage.stderr);

    const submit = run('bash', [path.join(dir, 'submit-reruns.sh')], tempDir('submit-from'));
    assert.equal(submit.code, 0, submit.stderr);
    const ids = [...submit.stdout.matchAll(/^(batch-\d+): submitted job (\d+)$/gm)].map((m) => [m[1], m[2]]);
    assert.deepEqual(
      ids.map(([b]) => b),
      ['batch-10', 'batch-12'],
    );
    const jobsFile = () => fs.readFileSync(path.join(dir, 'rerun-jobs.txt'), 'utf8').trim().split('\n');
    assert.deepEqual(
      jobsFile().map((l) => l.split(' ').slice(0, 2)),
      ids,
    );

    const again = run('bash', [path.join(dir, 'submit-reruns.sh')]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^batch-10: already submitted/m);
    assert.doesNotMatch(again.stdout, /submitted job/);
    assert.equal(jobsFile().length, 2);

    const deadline = Date.now() + WAIT_MS;
    for (const [batch, id] of ids) {
      let state = jobState(id).state;
      while (
        !/^(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE|PREEMPTED|UNKNOWN)/.test(
          state,
        )
      ) {
        if (Date.now() > deadline) {
          for (const [, j] of ids) run('scancel', [j]);
          assert.fail(`job ${id} (${batch}) did not finish within ${WAIT_MS / 1000} s (state ${state})`);
        }
        await new Promise((r) => setTimeout(r, 500));
        state = jobState(id).state;
      }
      const log = path.join(dir, batch, 'rescue-1', 'rerun', `slurm-${id}.out`);
      assert.match(state, /^(COMPLETED|UNKNOWN)/, fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : `no log ${log}`);
      assert.match(fs.readFileSync(log, 'utf8'), /stand-in dvmdostem: done, \d+ cells succeeded, 0 failed/);
    }

    const merge = run(process.execPath, [cli, 'merge', dir]);
    assert.equal(merge.code, 0, merge.stderr);
    assert.match(merge.stdout, /✓ 2 batches merged/);
    const status = run(process.execPath, [cli, 'status', dir, '--json']);
    assert.equal(status.code, 0, status.stdout);
    assert.deepEqual((JSON.parse(status.stdout) as { totals: Record<string, number> }).totals, {
      success: 6,
      fail: 0,
      timeout: 0,
      masked: 94,
      unwritten: 0,
      other: 0,
    });
  });
});
