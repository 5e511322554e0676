import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors';
import { planRerun, prepareRerun, type PrepareRerunOptions, type RerunPlan } from '../rerun';
import { readRunMask, writeRunMask } from '../runMask';
import { readRunStatus } from '../runStatus';
import { planSalvage, salvageRun } from '../salvage';
import { findBatchRun, namingBatch, type BatchFolder } from './batchRun';
import { readBatchRunStatus, type BatchStatus } from './batchStatus';
import { writeRerunScripts, type QueuedRerun } from './rerunScripts';
import { isMerged, isPrepared, latestRound, rescueRound, type RescueRound } from './rescueRounds';
import { RUN_STATUS_FILE } from '../../shared/runFiles';

/**
 * Salvage of a batch-split run, batch by batch: for each batch with failed or never-written cells, a
 * rescue round (backup of its output, a mask of those cells, a rerun prepared with the batch's own
 * slurm_runner.sh as template); a batch that never started is resubmitted as it is (its job runs its
 * whole mask). Complete batches are not touched. Ends with BATCH_DIR/submit-reruns.sh (sbatch, job ids
 * recorded) and BATCH_DIR/run-reruns-locally.sh. Interrupted, it resumes where it stopped.
 */

export type RerunSettings = Pick<
  PrepareRerunOptions,
  'workdir' | 'dvmdostem' | 'cellTimelimit' | 'mpiRanks' | 'partition' | 'time' | 'account'
>;

export interface BatchSalvageOptions extends RerunSettings {
  batchDir: string;
  dryRun?: boolean;
  runningThresholdSeconds?: number;
}

export type BatchSalvageAction =
  | { batch: string; action: 'complete' | 'running' }
  /** A rescue round was prepared now (or finished after an interruption). */
  | { batch: string; action: 'prepared'; round: number; cells: number; rerunDir: string; warnings: string[] }
  /** A prepared round waits for its rerun or its merge. */
  | { batch: string; action: 'waiting'; round: number; rerunDir: string }
  /** Never started: its own slurm_runner.sh is queued again. */
  | { batch: string; action: 'resubmit'; cells: number; movedAside?: string };

export interface BatchSalvageResult {
  batchDir: string;
  dryRun: boolean;
  actions: BatchSalvageAction[];
  submitScript?: string;
  localScript?: string;
}

export async function salvageBatchRun(
  opts: BatchSalvageOptions,
  hooks: { onAction?: (a: BatchSalvageAction, index: number, total: number) => void; isCancelled?: () => boolean } = {},
): Promise<BatchSalvageResult> {
  const run = findBatchRun(opts.batchDir);
  const status = await readBatchRunStatus(opts.batchDir, { runningThresholdSeconds: opts.runningThresholdSeconds });
  const byName = new Map(status.batches.map((b) => [b.name, b]));
  const actions: BatchSalvageAction[] = [];
  const queue: QueuedRerun[] = [];
  let workdir = opts.workdir;
  const resubmits: { batch: BatchFolder; index: number }[] = [];
  for (const [index, batch] of run.batches.entries()) {
    if (hooks.isCancelled?.())
      throw new UserError('stopped; batches done so far are kept and a new salvage resumes from there');
    const s = byName.get(batch.name)!;
    const action = await namingBatch(batch, () => salvageOne(batch, s, opts));
    if (action.action === 'prepared' || action.action === 'waiting') {
      const round = rescueRound(batch, action.round);
      const plan = fs.existsSync(round.rerunDir) ? await planOf(round) : undefined;
      if (plan) workdir ??= plan.workdir;
      queue.push({
        name: batch.name,
        kind: 'rerun',
        slurmScript: path.join(round.rerunDir, 'slurm_runner.sh'),
        runScript: path.join(round.rerunDir, 'run.sh'),
        outputDir: round.rerunOutput,
      });
    }
    if (action.action === 'resubmit') resubmits.push({ batch, index: queue.length });
    actions.push(action);
    hooks.onAction?.(action, index, run.batches.length);
  }
  for (const { batch, index } of resubmits.reverse()) {
    if (!batch.slurmScript)
      throw new UserError(`${batch.name}: never started, and has no slurm_runner.sh to submit again`);
    queue.splice(index, 0, {
      name: batch.name,
      kind: 'resubmit',
      slurmScript: batch.slurmScript,
      outputDir: batch.outputDir,
    });
  }
  const result: BatchSalvageResult = { batchDir: run.dir, dryRun: opts.dryRun === true, actions };
  if (queue.length && !opts.dryRun) {
    if (resubmits.length && !workdir) {
      throw new UserError(
        `${resubmits[0].batch.name}: never started; its slurm_runner.sh must be submitted from the folder dvmdostem runs in: give it with --workdir`,
      );
    }
    Object.assign(result, writeRerunScripts(run.dir, queue, workdir ?? run.dir));
  }
  return result;
}

async function salvageOne(batch: BatchFolder, s: BatchStatus, opts: BatchSalvageOptions): Promise<BatchSalvageAction> {
  const latest = latestRound(batch);
  const open = latest && !isMerged(latest) ? latest : undefined;
  if (open && isPrepared(open))
    return { batch: batch.name, action: 'waiting', round: open.number, rerunDir: open.rerunDir };
  if (s.state === 'complete' || s.state === 'running') return { batch: batch.name, action: s.state };
  if (s.state === 'not-started') return resubmit(batch, s, opts.dryRun === true);
  const round = open ?? rescueRound(batch, (latest?.number ?? 0) + 1);
  const failed = s.counts.fail + s.counts.timeout + s.counts.unwritten + s.counts.masked + s.counts.other;
  const settings: PrepareRerunOptions = {
    ...pickSettings(opts),
    runDir: round.backupDir,
    rerunDir: round.rerunDir,
    mask: round.newMask,
    slurmTemplate: batch.slurmScript,
    jobName: rerunJobName(batch),
  };
  if (opts.dryRun) {
    // Checked as if the round's folder were the backup and the rerun (they do not exist yet), and the
    // rerun against the run as it is now.
    await planSalvage({
      outputDir: batch.outputDir,
      backupDir: round.dir,
      originalMask: batch.maskPath,
      newMask: round.newMask,
      force: true,
    });
    const plan = await planRerun({ ...settings, runDir: batch.outputDir, rerunDir: round.dir, mask: batch.maskPath });
    return {
      batch: batch.name,
      action: 'prepared',
      round: round.number,
      cells: failed,
      rerunDir: round.rerunDir,
      warnings: plan.warnings,
    };
  }
  if (!fs.existsSync(round.backupDir)) {
    // What the rerun needs (config_record.js, working directory, program) is checked before the
    // backup, so a batch that cannot be rerun gets no half-made round.
    await planRerun({ ...settings, runDir: batch.outputDir, rerunDir: round.dir, mask: batch.maskPath });
  }
  fs.mkdirSync(round.dir, { recursive: true });
  if (!fs.existsSync(round.backupDir)) {
    await salvageRun({
      outputDir: batch.outputDir,
      backupDir: round.backupDir,
      originalMask: batch.maskPath,
      newMask: round.newMask,
      force: true,
    });
  } else if (!fs.existsSync(round.newMask)) {
    await writeFailedMask(batch, round);
  }
  const plan = await prepareRerun(settings);
  return {
    batch: batch.name,
    action: 'prepared',
    round: round.number,
    cells: plan.cells,
    rerunDir: round.rerunDir,
    warnings: plan.warnings,
  };
}

/** Salvage stopped after its backup appeared and before its mask did: the mask, from the backup. */
async function writeFailedMask(batch: BatchFolder, round: RescueRound): Promise<void> {
  const status = await readRunStatus(path.join(round.backupDir, RUN_STATUS_FILE));
  const mask = await readRunMask(batch.maskPath);
  const enabled = mask.enabled.map((e, i) => (e && !(status.status[i] > 0) ? 1 : 0));
  await writeRunMask(batch.maskPath, round.newMask, enabled);
}

function resubmit(batch: BatchFolder, s: BatchStatus, dryRun: boolean): BatchSalvageAction {
  const action: BatchSalvageAction = { batch: batch.name, action: 'resubmit', cells: s.enabled };
  // dvmdostem deletes its output_dir at start-up: keep whatever a killed job left there.
  if (fs.existsSync(batch.outputDir) && fs.readdirSync(batch.outputDir).length > 0) {
    let aside = `${batch.outputDir}-before-resubmit`;
    for (let k = 2; fs.existsSync(aside); k++) aside = `${batch.outputDir}-before-resubmit-${k}`;
    if (!dryRun) fs.renameSync(batch.outputDir, aside);
    action.movedAside = aside;
  }
  return action;
}

async function planOf(round: RescueRound): Promise<RerunPlan | undefined> {
  try {
    return await planRerun({
      runDir: round.backupDir,
      rerunDir: path.join(round.dir, '.plan-only'),
      mask: round.newMask,
    });
  } catch {
    return undefined;
  }
}

function pickSettings(o: RerunSettings): RerunSettings {
  const { workdir, dvmdostem, cellTimelimit, mpiRanks, partition, time, account } = o;
  return { workdir, dvmdostem, cellTimelimit, mpiRanks, partition, time, account };
}

/** The batch job's own name marked as a rerun: `ddt-batch-7` → `ddt-batch-7-rerun`. */
export function rerunJobName(batch: BatchFolder): string {
  let name = batch.name;
  if (batch.slurmScript) {
    const m = /^#SBATCH\s+(?:--job-name[= ]|-J\s*)["']?([^"'\s]+)/m.exec(fs.readFileSync(batch.slurmScript, 'utf8'));
    if (m) name = m[1];
  }
  return `${name}-rerun`;
}
