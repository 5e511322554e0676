// Submit Rerun to SLURM for real, in the extension host: scripts/slurm-local.sh brings up a one-node
// SLURM (or reuses a running one); dvmdostem.submitRerun runs sbatch through a `dvmdostem` task and returns
// the job id; the job runs the stand-in model, and the rerun's output appears in the runs tree by itself
// (no refresh asked for) while the view is visible. When SLURM cannot start, the test fails with the reason.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readConfigRecord } from '../../src/core/configRecord';
import type { RerunPlan } from '../../src/core/rerun';
import { recordedInputs } from '../../src/core/rerun/workdir';
import type { SubmitResult } from '../../src/extension/commands/submitRerun';
import { FIXTURE_FAILED_CELLS, repoRoot } from '../helpers/files';
import { run, startSlurm } from '../helpers/slurm';
import { activateExtension, listRuns, sleep, workspace, type ExtensionApi } from './util';

const WAIT_MS = 180_000;

describe('Submit Rerun to SLURM (a real one-node SLURM)', function () {
  this.timeout(WAIT_MS + 60_000);
  let api: ExtensionApi;
  let ws: ReturnType<typeof workspace>;
  let stopSlurm = () => {};
  const standin = path.join(repoRoot, 'test', 'standin', 'dvmdostem');
  let p: { backup: string; newMask: string; rerunDir: string; workdir: string };
  let plan: RerunPlan;

  before(async () => {
    stopSlurm = startSlurm();
    ws = workspace();
    ({ api } = await activateExtension());
    p = {
      backup: path.join(ws.dir, 'slurm-backup'),
      newMask: path.join(ws.dir, 'slurm-mask-failed.nc'),
      rerunDir: path.join(ws.dir, 'slurm rerun "d" %1'),
      workdir: path.join(ws.dir, 'slurm-model'),
    };
    for (const input of recordedInputs((await readConfigRecord(ws.output)).config)) {
      const target = path.join(p.workdir, input.value);
      fs.mkdirSync(input.key.endsWith('_dir') ? target : path.dirname(target), { recursive: true });
      if (!input.key.endsWith('_dir')) fs.writeFileSync(target, '');
    }
    assert.ok(
      await vscode.commands.executeCommand('dvmdostem.salvage', vscode.Uri.file(ws.output), {
        originalMask: ws.mask,
        backupDir: p.backup,
        newMask: p.newMask,
        skipConfirm: true,
      }),
    );
    plan = (await vscode.commands.executeCommand<RerunPlan>('dvmdostem.prepareRerun', vscode.Uri.file(p.backup), {
      mask: p.newMask,
      rerunDir: p.rerunDir,
      workdir: p.workdir,
      dvmdostem: standin,
      time: '10:00',
      skipConfirm: true,
    }))!;
    assert.ok(plan, 'prepareRerun returned undefined');
  });

  after(() => stopSlurm());

  it('submits slurm_runner.sh through a task and returns the job id sbatch gave', async () => {
    await vscode.commands.executeCommand('workbench.view.extension.dvmdostem');
    const result = await vscode.commands.executeCommand<SubmitResult>(
      'dvmdostem.submitRerun',
      vscode.Uri.file(p.rerunDir),
    );
    assert.ok(result, 'dvmdostem.submitRerun returned undefined (sbatch failed? see the log)');
    assert.match(result.jobId ?? '', /^\d+$/);
    const job = run('scontrol', ['show', 'job', '-o', result.jobId!]);
    const q = run('squeue', ['-h', '-j', result.jobId!, '-o', '%i']);
    assert.ok(
      job.code === 0 || q.stdout.trim() === result.jobId,
      `SLURM does not know job ${result.jobId}: ${job.stderr}`,
    );
    const kept = api.reruns().find((r) => r.rerunDir === p.rerunDir);
    assert.equal(
      kept?.jobId,
      result.jobId,
      `the job id is not kept in workspaceState: ${JSON.stringify(api.reruns())}`,
    );
  });

  it('the job’s output shows up in the runs tree by itself, with the rerun cells successful', async () => {
    assert.ok(api.polling().active, 'the runs view is visible but nothing is polled');
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const rerun = (await listRuns(api)).find((r) => r.folder === plan.outputDir);
      if (rerun && rerun.counts.success === FIXTURE_FAILED_CELLS.length) break;
      if (Date.now() > deadline) {
        const logs = fs
          .readdirSync(p.rerunDir)
          .filter((f) => f.startsWith('slurm-'))
          .map((f) => fs.readFileSync(path.join(p.rerunDir, f), 'utf8'));
        assert.fail(
          `the rerun output is not in the tree with ${FIXTURE_FAILED_CELLS.length} successes after ${WAIT_MS / 1000} s: ` +
            `${JSON.stringify(rerun?.counts)}; job log: ${logs.join('\n') || '(none)'}`,
        );
      }
      await sleep(500);
    }
  });

  it('offers Merge once the job has no cell left to run (noticed without any command)', async () => {
    const deadline = Date.now() + 60_000;
    while (!api.reruns().find((r) => r.rerunDir === p.rerunDir)?.mergeOffered) {
      if (Date.now() > deadline)
        assert.fail(`Merge was not offered for ${p.rerunDir}: ${JSON.stringify(api.reruns())}`);
      await sleep(500);
    }
  });
});
