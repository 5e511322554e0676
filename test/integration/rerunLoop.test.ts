// The whole rescue loop in the extension host, with options so nothing waits for a user: salvage →
// Prepare Rerun (pointing --dvmdostem at the test stand-in model, test/standin/dvmdostem) → Run Rerun as a
// `dvmdostem` task → Merge (which runs the completeness check) → complete. Plus the contract of the new
// commands, the task type and the walkthrough.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { FIXTURE_FAILED_CELLS, hashFile, hashTree, repoRoot } from '../helpers/files';
import type { CheckReport } from '../../src/core/check';
import { readConfigRecord } from '../../src/core/configRecord';
import type { RerunPlan } from '../../src/core/rerun';
import { recordedInputs } from '../../src/core/rerun/workdir';
import { readRunMask } from '../../src/core/runMask';
import { readRunStatus } from '../../src/core/runStatus';
import type { MergeCommandResult } from '../../src/extension/commands/merge';
import type { RerunTaskResult } from '../../src/extension/commands/runRerun';
import {
  activateExtension,
  manifest,
  treeChanges,
  tryCommand,
  waitForRuns,
  workspace,
  type ExtensionApi,
} from './util';

const NEW_COMMANDS: Record<string, string> = {
  'dvmdostem.prepareRerun': 'Prepare Rerun…',
  'dvmdostem.runRerun': 'Run Rerun',
  'dvmdostem.submitRerun': 'Submit Rerun to SLURM',
  'dvmdostem.checkRun': 'Check Run Completeness',
};

/** The parts of package.json `contributes` these tests read. */
interface Contributes {
  commands?: { command: string; title: string; category?: string }[];
  taskDefinitions?: { type: string; required?: string[]; properties?: Record<string, unknown> }[];
  walkthroughs?: { steps: { id: string; description: string; media: { markdown?: string } }[] }[];
}
const contributes = () => (manifest() as { contributes: Contributes }).contributes;

describe('rescue loop: salvage → prepare rerun → run it as a task → merge → check', () => {
  let api: ExtensionApi;
  let ws: ReturnType<typeof workspace>;
  const standin = path.join(repoRoot, 'test', 'standin', 'dvmdostem');
  let p: { backup: string; newMask: string; rerunDir: string; merged: string; workdir: string };
  let outputBefore: Record<string, string>;
  let plan: RerunPlan;

  before(async () => {
    ws = workspace();
    ({ api } = await activateExtension());
    p = {
      backup: path.join(ws.dir, 'loop-backup'),
      newMask: path.join(ws.dir, 'loop-mask-failed.nc'),
      rerunDir: path.join(ws.dir, "loop rerun $(touch PWNED) 'q'"),
      merged: path.join(ws.dir, 'loop-merged'),
      workdir: path.join(ws.dir, 'model'),
    };
    // The folder dvmdostem was started in: the recorded inputs exist there (the stand-in checks that,
    // as dvmdostem's start-up does; it reads none of them).
    const record = await readConfigRecord(ws.output);
    for (const input of recordedInputs(record.config)) {
      const target = path.join(p.workdir, input.value);
      if (input.key.endsWith('_dir')) fs.mkdirSync(target, { recursive: true });
      else {
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, '');
      }
    }
    outputBefore = hashTree(ws.output);
    assert.ok(
      fs.existsSync(path.join(repoRoot, 'out', 'test', 'standin', 'dvmdostem.js')),
      'the stand-in model is not compiled (npm run compile-tests)',
    );
  });

  it('contributes Prepare Rerun, Run Rerun, Submit to SLURM and Check Run, all registered', async () => {
    const declared = contributes().commands ?? [];
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const [id, title] of Object.entries(NEW_COMMANDS)) {
      const cmd = declared.find((d) => d.command === id);
      assert.ok(cmd, `contributes.commands lacks ${id}`);
      assert.equal(cmd.title, title);
      assert.equal(cmd.category, 'dvmdostem');
      assert.ok(registered.has(id), `${id} is not registered`);
    }
  });

  it('contributes the dvmdostem task type and a walkthrough whose steps have working buttons', async () => {
    const c = contributes();
    const def = (c.taskDefinitions ?? []).find((d) => d.type === 'dvmdostem');
    assert.ok(def, 'no taskDefinitions entry of type dvmdostem');
    // A task runs a prepared rerun folder (rerunDir) or a salvaged batch run's scripts (batchDir).
    assert.deepEqual(def.required, ['action']);
    assert.deepEqual(Object.keys(def.properties ?? {}).sort(), ['action', 'batchDir', 'rerunDir']);
    const steps = c.walkthroughs?.[0]?.steps ?? [];
    assert.deepEqual(
      steps.map((s) => s.id),
      ['find', 'salvage', 'rerun', 'merge'],
    );
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const s of steps) {
      const links = [...s.description.matchAll(/\]\(command:([\w.]+)\)/g)].map((m) => m[1]);
      assert.ok(links.length > 0, `walkthrough step ${s.id} has no command button`);
      for (const l of links)
        assert.ok(registered.has(l), `walkthrough step ${s.id} links to ${l}, which is not registered`);
      assert.ok(
        s.media.markdown && fs.existsSync(path.join(repoRoot, s.media.markdown)),
        `step ${s.id}: media ${s.media.markdown} missing`,
      );
    }
  });

  it('salvages the output folder', async () => {
    const result = await vscode.commands.executeCommand('dvmdostem.salvage', vscode.Uri.file(ws.output), {
      originalMask: ws.mask,
      backupDir: p.backup,
      newMask: p.newMask,
      skipConfirm: true,
    });
    assert.ok(result, 'salvage returned undefined');
    assert.ok(fs.existsSync(p.newMask));
  });

  it('prepares the rerun: config.js, a copy of the mask, run.sh, slurm_runner.sh; inputs untouched', async () => {
    const backupBefore = hashTree(p.backup);
    const maskBefore = hashFile(p.newMask);
    const result = await vscode.commands.executeCommand<RerunPlan>(
      'dvmdostem.prepareRerun',
      vscode.Uri.file(p.backup),
      {
        mask: p.newMask,
        rerunDir: p.rerunDir,
        workdir: p.workdir,
        dvmdostem: standin,
        skipConfirm: true,
      },
    );
    assert.ok(result, 'dvmdostem.prepareRerun returned undefined although every option was given');
    plan = result;
    assert.equal(plan.rerunDir, p.rerunDir);
    assert.equal(plan.cells, FIXTURE_FAILED_CELLS.length);
    assert.equal(plan.timedOutCells, 2, 'the fixture has two timed-out cells among the failed ones');
    const config = JSON.parse(fs.readFileSync(path.join(p.rerunDir, 'config.js'), 'utf8')) as {
      IO: { runmask_file: string; output_dir: string };
    };
    assert.equal(config.IO.runmask_file, path.join(p.rerunDir, 'run-mask.nc'));
    assert.equal(path.resolve(config.IO.output_dir), path.join(p.rerunDir, 'output'));
    assert.equal(
      hashFile(path.join(p.rerunDir, 'run-mask.nc')),
      maskBefore,
      'run-mask.nc is not a byte copy of the mask',
    );
    for (const f of ['run.sh', 'slurm_runner.sh']) assert.ok(fs.existsSync(path.join(p.rerunDir, f)), `${f} missing`);
    assert.deepEqual(treeChanges(backupBefore, hashTree(p.backup)), [], 'the run folder changed');
    assert.equal(hashFile(p.newMask), maskBefore, 'the mask changed');
  });

  it('provides the rerun’s run and submit tasks (type dvmdostem)', async () => {
    const tasks = await vscode.tasks.fetchTasks({ type: 'dvmdostem' });
    const ours = tasks
      .filter((t) => t.definition.rerunDir === p.rerunDir)
      .map((t) => String(t.definition.action))
      .sort();
    assert.deepEqual(ours, ['run', 'submit'], JSON.stringify(tasks.map((t) => t.definition)));
  });

  it('runs the rerun as a task: exit 0, the enabled cells succeed, and the rerun shows in the runs tree', async () => {
    const result = await vscode.commands.executeCommand<RerunTaskResult>(
      'dvmdostem.runRerun',
      vscode.Uri.file(p.rerunDir),
    );
    assert.ok(result, 'dvmdostem.runRerun returned undefined');
    assert.equal(result.exitCode, 0, `run.sh exited with ${result.exitCode}`);
    assert.equal(
      fs.existsSync(path.join(ws.dir, 'PWNED')) || fs.existsSync(path.join(p.workdir, 'PWNED')),
      false,
      'a $(…) in the folder name was executed',
    );
    const status = await readRunStatus(path.join(plan.outputDir, 'run_status.nc'));
    const mask = await readRunMask(path.join(p.rerunDir, 'run-mask.nc'));
    for (let i = 0; i < mask.enabled.length; i++) {
      if (mask.enabled[i])
        assert.ok(status.status[i] > 0, `enabled cell ${i} did not succeed in the rerun (${status.status[i]})`);
      else assert.equal(status.status[i], 0, `cell ${i} is not enabled but was run`);
    }
    assert.ok(result.check, 'no completeness check after the task ended');
    assert.equal(result.check.complete, true, JSON.stringify(result.check.cells));
    assert.equal(
      api.reruns().find((r) => r.rerunDir === p.rerunDir)?.mergeOffered,
      true,
      'Merge was not offered once the rerun had no cell left',
    );
    await waitForRuns(
      api,
      (rs) => rs.some((r) => r.folder === plan.outputDir && r.counts.success === FIXTURE_FAILED_CELLS.length),
      'the rerun output in the tree',
    );
  });

  it('merges the salvaged run with the rerun and checks it: complete, every enabled cell successful', async () => {
    const backupBefore = hashTree(p.backup);
    const result = await vscode.commands.executeCommand<MergeCommandResult>(
      'dvmdostem.merge',
      vscode.Uri.file(p.backup),
      { rerunDir: plan.outputDir, outputDir: p.merged },
    );
    assert.ok(result, 'merge returned undefined');
    const check: CheckReport | undefined = result.check;
    assert.ok(check, 'no completeness check after the merge');
    assert.equal(check.complete, true, `merged run not complete: ${JSON.stringify(check.cells)}`);
    assert.equal(check.totals.success, 10);
    assert.deepEqual(check.cells, []);
    assert.deepEqual(treeChanges(backupBefore, hashTree(p.backup)), [], 'the salvaged run changed');
    assert.deepEqual(treeChanges(outputBefore, hashTree(ws.output)), [], 'the original output folder changed');
  });

  it('Check Run Completeness on the salvaged run lists its failed cells with fail_log.txt’s reasons', async () => {
    const report = await vscode.commands.executeCommand<CheckReport>('dvmdostem.checkRun', vscode.Uri.file(p.backup));
    assert.ok(report);
    assert.equal(report.complete, false);
    assert.deepEqual(report.cells.map((c) => [c.row, c.col]).sort(), [...FIXTURE_FAILED_CELLS].sort());
    const c12 = report.cells.find((c) => c.row === 1 && c.col === 2)!;
    assert.equal(c12.reason, 'Problem with initial parameter files!');
  });

  it('refuses to prepare into an existing non-empty folder and writes nothing', async () => {
    const before = hashTree(p.rerunDir);
    const { settled, value, error } = await tryCommand('dvmdostem.prepareRerun', [
      vscode.Uri.file(p.backup),
      { mask: p.newMask, rerunDir: p.rerunDir, workdir: p.workdir, dvmdostem: standin, skipConfirm: true },
    ]);
    assert.ok(settled, 'prepareRerun did not return after refusing');
    assert.ok(
      error || value === undefined,
      `prepareRerun into a non-empty folder reported success: ${JSON.stringify(value)}`,
    );
    assert.deepEqual(treeChanges(before, hashTree(p.rerunDir)), []);
  });
});
