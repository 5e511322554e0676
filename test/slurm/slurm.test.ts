import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readRunStatus } from '../../src/core/runStatus';
import { fixture, FIXTURE_FAILED_CELLS, repoRoot, tempDir } from '../helpers/files';
import { makeWorkdir, STANDIN } from '../helpers/rerunWorkspace';
import { jobState, run, startSlurm } from '../helpers/slurm';

/**
 * A real SLURM: scripts/slurm-local.sh brings up a one-node cluster (or reuses a running one), the
 * generated slurm_runner.sh is submitted with sbatch, and the rerun folder the job wrote is checked.
 * When SLURM cannot start, the test fails with the script's reason.
 */

const WAIT_MS = 180_000;

describe('SLURM: the generated slurm_runner.sh runs the rerun as a real job', () => {
  let stopSlurm = () => {};
  before(() => {
    stopSlurm = startSlurm();
  });
  after(() => stopSlurm());

  it('sbatch slurm_runner.sh: the job writes the rerun output and its log into a folder with a hostile name', async () => {
    const ws = makeWorkdir(tempDir('slurm'));
    const rerunDir = path.join(ws.workdir, `rerun 'q' "d" $(touch PWNED) %1`);
    const jobName = `pyddt-test-${process.pid}`;
    fs.copyFileSync(fixture.rerunMask, path.join(ws.workdir, 'masks', 'rerun-mask-A.nc'));
    const prep = run(
      process.execPath,
      [
        path.join(repoRoot, 'dist', 'pyddt-rerun.js'),
        'ORIGINAL-A',
        rerunDir,
        '--mask',
        'masks/rerun-mask-A.nc',
        '--dvmdostem',
        STANDIN,
        '--job-name',
        jobName,
        '--time',
        '10:00',
      ],
      ws.workdir,
    );
    assert.equal(prep.code, 0, prep.stderr);
    const submit = run('sbatch', ['--parsable', path.join(rerunDir, 'slurm_runner.sh')], tempDir('submit'));
    assert.equal(submit.code, 0, `sbatch failed: ${submit.stderr}`);
    const id = submit.stdout.trim().split(';')[0];
    assert.match(id, /^\d+$/);

    const deadline = Date.now() + WAIT_MS;
    let s = jobState(id);
    while (
      !/^(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE|PREEMPTED|UNKNOWN)/.test(
        s.state,
      )
    ) {
      if (Date.now() > deadline) {
        run('scancel', [id]);
        assert.fail(`job ${id} did not finish within ${WAIT_MS / 1000} s (state ${s.state}): ${s.text}`);
      }
      await new Promise((r) => setTimeout(r, 500));
      s = jobState(id);
    }
    const log = path.join(rerunDir, `slurm-${id}.out`);
    const logText = fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : `(no log at ${log})`;
    assert.equal(s.state, 'COMPLETED', `job ${id}: ${s.text}\n${logText}`);
    assert.match(s.text, new RegExp(`JobName=${jobName}\\b`));
    assert.match(logText, /stand-in dvmdostem: done, 4 cells succeeded, 0 failed\n/);

    const status = await readRunStatus(path.join(rerunDir, 'output', 'run_status.nc'));
    for (const [r, c] of FIXTURE_FAILED_CELLS) assert.equal(status.status[r * 10 + c], 100, `cell (${r}, ${c})`);
    assert.equal(status.counts.success, 4);
    assert.equal(spawnSync('find', [ws.workdir, '-name', 'PWNED'], { encoding: 'utf8' }).stdout, '');
  });
});
