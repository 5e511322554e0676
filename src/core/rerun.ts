import * as fs from 'node:fs';
import * as path from 'node:path';
import { readConfigRecord } from './configRecord';
import { asUserError, UserError } from './errors';
import { describeGrid, sameGrid } from './grid';
import { isSameOrInside, requireFolder, requireNewFolder } from './paths';
import { rerunArgs } from './rerun/commandLine';
import { DEFAULT_JOB_NAME, runScript, slurmScript, type ScriptInput } from './rerun/scripts';
import { hasControlChars } from './rerun/shellQuote';
import { chooseWorkdir, ioSection } from './rerun/workdir';
import { readRunMask } from './runMask';
import { readRunStatus } from './runStatus';
import { STATUS_CODES } from '../shared/cellStates';
import { RUN_STATUS_FILE } from '../shared/runFiles';
import { publishFolder, removeQuietly, removeStaleStaging, stagingPath } from './staging';
import { WriteBehind } from './writeBehind';

/**
 * Prepares (never runs) a rerun of the cells enabled in a mask, from what dvmdostem recorded in
 * RUN_DIR/config_record.js: RERUN_DIR gets config.js, run-mask.nc, run.sh and slurm_runner.sh. The
 * rerun writes into RERUN_DIR/output, a new folder, because dvmdostem deletes its output_dir at start-up.
 */

export interface PrepareRerunOptions {
  runDir: string;
  rerunDir: string;
  mask: string;
  workdir?: string;
  dvmdostem?: string;
  cellTimelimit?: number;
  mpiRanks?: number;
  partition?: string;
  time?: string;
  account?: string;
  jobName?: string;
  /** An existing slurm_runner.sh to use as template (its other #SBATCH and set-up lines are kept). */
  slurmTemplate?: string;
  dryRun?: boolean;
}

export interface RerunPlan {
  rerunDir: string;
  /** rerunDir/output: the rerun's output_dir. */
  outputDir: string;
  configPath: string;
  maskPath: string;
  runScript: string;
  slurmScript: string;
  workdir: string;
  workdirInferred: boolean;
  /** How the working directory was found, for messages. */
  workdirHow: string;
  /** The command line the scripts run (without mpirun). */
  program: string;
  args: string[];
  mpiRanks?: number;
  /** Cells enabled in the mask. */
  cells: number;
  /** Enabled cells whose status in runDir's run_status.nc is -5. */
  timedOutCells: number;
  /** The limit the rerun config uses (undefined when none). */
  cellTimelimit?: number;
  /** The limit the original run used (undefined when none). */
  originalCellTimelimit?: number;
  /** MPI ranks of the original run when it recorded more than one. */
  originalProcessCount?: number;
  /** Things the user should know that do not stop the rerun. */
  warnings: string[];
}

export const RERUN_FILES = {
  config: 'config.js',
  mask: 'run-mask.nc',
  run: 'run.sh',
  slurm: 'slurm_runner.sh',
  output: 'output',
} as const;

/** Everything prepareRerun writes, computed and checked first. */
interface RerunContents {
  plan: RerunPlan;
  config: Record<string, unknown>;
  scripts: ScriptInput;
}

async function buildRerun(o: PrepareRerunOptions): Promise<RerunContents> {
  const runDir = path.resolve(o.runDir);
  const rerunDir = path.resolve(o.rerunDir);
  const mask = path.resolve(o.mask);
  requireFolder(runDir, 'run folder');
  if (isSameOrInside(rerunDir, runDir))
    throw new UserError(`${rerunDir}: the rerun folder must not be inside the run folder ${runDir}`);
  if (isSameOrInside(runDir, rerunDir))
    throw new UserError(`${rerunDir}: the rerun folder must not contain the run folder ${runDir}`);
  requireNewFolder(rerunDir, 'rerun folder', true);
  // sbatch reads #SBATCH lines itself; a line break in the log path cannot be written there.
  if (hasControlChars(rerunDir))
    throw new UserError(
      `${JSON.stringify(rerunDir)}: the rerun folder's name holds a line break or control character, ` +
        'which an #SBATCH line cannot hold; choose another name',
    );
  for (const [name, value] of [
    ['--partition', o.partition],
    ['--time', o.time],
    ['--account', o.account],
    ['--job-name', o.jobName],
  ] as const) {
    if (value !== undefined && (value === '' || hasControlChars(value)))
      throw new UserError(`${name} ${JSON.stringify(value)}: expected a non-empty value on one line`);
  }
  if (o.cellTimelimit !== undefined && !(Number.isFinite(o.cellTimelimit) && o.cellTimelimit >= 0)) {
    throw new UserError(`--cell-timelimit ${o.cellTimelimit}: expected seconds (0 for no limit)`);
  }
  if (o.mpiRanks !== undefined && !(Number.isInteger(o.mpiRanks) && o.mpiRanks >= 1))
    throw new UserError(`--mpi-ranks ${o.mpiRanks}: expected a whole number of at least 1`);

  const record = await readConfigRecord(runDir);
  const io = ioSection(record.config);
  if (!io)
    throw new UserError(
      `${record.file}: original_config has no IO section (expected IO.output_dir, IO.runmask_file, …)`,
    );

  const statusPath = path.join(runDir, RUN_STATUS_FILE);
  const status = await readRunStatus(statusPath);
  const runMask = await readRunMask(mask);
  if (!sameGrid(runMask.grid, status.grid))
    throw new UserError(
      `${mask}: the mask's grid is ${describeGrid(runMask.grid)}, but ${statusPath} is ${describeGrid(status.grid)}`,
    );
  let cells = 0;
  let timedOutCells = 0;
  for (let i = 0; i < runMask.enabled.length; i++) {
    if (!runMask.enabled[i]) continue;
    cells++;
    if (status.status[i] === STATUS_CODES.timeout) timedOutCells++;
  }
  if (cells === 0)
    throw new UserError(`${mask}: the mask enables no cells (variable run is 0 everywhere); nothing to rerun`);

  const wd = chooseWorkdir(runDir, record.file, record.config, o.workdir);
  const warnings: string[] = [];
  const program = o.dvmdostem !== undefined ? path.resolve(o.dvmdostem) : record.argv[0];
  if (o.dvmdostem !== undefined && !fs.existsSync(program))
    throw new UserError(`${program}: dvmdostem program not found (--dvmdostem)`);
  if (o.dvmdostem === undefined && program.includes('/') && !fs.existsSync(path.resolve(wd.workdir, program))) {
    warnings.push(`the recorded program ${program} is not found from ${wd.workdir}; give it with --dvmdostem`);
  }

  const outputDir = path.join(rerunDir, RERUN_FILES.output);
  const configPath = path.join(rerunDir, RERUN_FILES.config);
  const maskPath = path.join(rerunDir, RERUN_FILES.mask);
  const config = structuredClone(record.config);
  const newIo = ioSection(config)!;
  newIo.runmask_file = maskPath;
  // dvmdostem appends file names to output_dir: keep the trailing separator.
  newIo.output_dir = outputDir + path.sep;
  const settings = (config.model_settings ??= {}) as Record<string, unknown>;
  const recordedLimit =
    typeof settings.cell_timelimit === 'number' && settings.cell_timelimit > 0 ? settings.cell_timelimit : undefined;
  if (o.cellTimelimit !== undefined) settings.cell_timelimit = o.cellTimelimit;
  const cellTimelimit =
    o.cellTimelimit !== undefined ? (o.cellTimelimit > 0 ? o.cellTimelimit : undefined) : recordedLimit;
  if (record.processCount && record.processCount > 1 && !o.mpiRanks)
    warnings.push(
      `the original run used ${record.processCount} MPI processes; this rerun runs serially unless --mpi-ranks is given`,
    );

  const args = rerunArgs(record.argv.slice(1), configPath);
  let slurmTemplate: string | undefined;
  if (o.slurmTemplate !== undefined) {
    try {
      slurmTemplate = fs.readFileSync(o.slurmTemplate, 'utf8');
    } catch (err) {
      throw asUserError(err, `reading the SLURM template ${o.slurmTemplate}`);
    }
  }
  const scripts: ScriptInput = {
    rerunDir,
    runDir,
    workdir: wd.workdir,
    program,
    args,
    cells,
    mpiRanks: o.mpiRanks,
    partition: o.partition,
    time: o.time,
    account: o.account,
    jobName: o.jobName ?? DEFAULT_JOB_NAME,
    slurmTemplate,
  };
  const plan: RerunPlan = {
    rerunDir,
    outputDir,
    configPath,
    maskPath,
    runScript: path.join(rerunDir, RERUN_FILES.run),
    slurmScript: path.join(rerunDir, RERUN_FILES.slurm),
    workdir: wd.workdir,
    workdirInferred: wd.inferred,
    workdirHow: wd.how,
    program,
    args,
    mpiRanks: o.mpiRanks,
    cells,
    timedOutCells,
    cellTimelimit,
    originalCellTimelimit: recordedLimit,
    originalProcessCount: record.processCount,
    warnings,
  };
  return { plan, config, scripts };
}

/** Checks everything a rerun needs and says what it would write; writes nothing. */
export async function planRerun(o: PrepareRerunOptions): Promise<RerunPlan> {
  return (await buildRerun(o)).plan;
}

/** Checks, then writes RERUN_DIR (staged next to it and renamed: complete or not at all). */
export async function prepareRerun(o: PrepareRerunOptions): Promise<RerunPlan> {
  const { plan, config, scripts } = await buildRerun(o);
  if (o.dryRun) return plan;
  removeStaleStaging(plan.rerunDir);
  const staged = stagingPath(plan.rerunDir, 'rerun');
  const disk = new WriteBehind();
  try {
    fs.mkdirSync(staged);
    fs.writeFileSync(path.join(staged, RERUN_FILES.config), JSON.stringify(config, null, 2) + '\n');
    fs.copyFileSync(path.resolve(o.mask), path.join(staged, RERUN_FILES.mask));
    fs.writeFileSync(path.join(staged, RERUN_FILES.run), runScript(scripts), { mode: 0o755 });
    fs.writeFileSync(path.join(staged, RERUN_FILES.slurm), slurmScript(scripts), { mode: 0o755 });
    for (const name of [RERUN_FILES.config, RERUN_FILES.mask, RERUN_FILES.run, RERUN_FILES.slurm])
      disk.finished(path.join(staged, name));
    await disk.settle(staged);
    publishFolder(staged, plan.rerunDir);
  } catch (err) {
    await disk.settle().catch(() => undefined);
    removeQuietly(staged);
    throw asUserError(err, `preparing the rerun in ${plan.rerunDir}`);
  }
  return plan;
}
