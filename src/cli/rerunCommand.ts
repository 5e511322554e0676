import { prepareRerun, type RerunPlan } from '../core/rerun';
import { shQuote } from '../core/rerun/shellQuote';
import { UsageError, type CommandSpec } from './args';
import { runCli, type Io } from './runCli';

export const rerunSpec: CommandSpec = {
  prog: 'pyddt-rerun',
  description:
    'Prepare (never run) a rerun of the cells enabled in MASK, from what dvmdostem recorded in RUN_DIR/config_record.js. ' +
    'RERUN_DIR gets config.js, run-mask.nc, run.sh and slurm_runner.sh; the rerun writes into RERUN_DIR/output.',
  positionals: [
    { name: 'run_dir', help: "The run's output folder, or its salvage backup (has config_record.js and run_status.nc)" },
    { name: 'rerun_dir', help: 'Folder to prepare the rerun in (must not exist, or be empty)' },
  ],
  options: [
    { name: 'mask', metavar: 'MASK', required: true, help: 'Run-mask of the cells to rerun (e.g. the one pyddt-salvage wrote)' },
    { name: 'workdir', metavar: 'D', help: 'Folder dvmdostem was started in (default: inferred from the recorded paths)' },
    { name: 'dvmdostem', metavar: 'PATH', help: 'dvmdostem program to run (default: the recorded one)' },
    { name: 'cell-timelimit', metavar: 'S', help: 'Set model_settings.cell_timelimit (seconds, 0 for none) in the rerun config' },
    { name: 'mpi-ranks', metavar: 'N', help: 'Run dvmdostem under mpirun -n N' },
    { name: 'partition', metavar: 'P', help: 'SLURM partition for slurm_runner.sh' },
    { name: 'time', metavar: 'T', help: 'SLURM time limit for slurm_runner.sh (e.g. 2:00:00)' },
    { name: 'account', metavar: 'A', help: 'SLURM account for slurm_runner.sh' },
    { name: 'job-name', metavar: 'J', help: 'SLURM job name (default: dvmdostem-rerun)' },
    { name: 'verbose', short: 'v', help: 'Print detailed information' },
  ],
};

function number(options: Record<string, string | boolean | undefined>, name: string, integer: boolean): number | undefined {
  const raw = options[name];
  if (typeof raw !== 'string') return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`argument --${name}: expected ${integer ? 'a whole number' : 'a number of seconds'}, got '${raw}'`);
  }
  return n;
}

const limitText = (s: number | undefined) => (s === undefined ? 'no limit' : `${s} s`);

export function runRerunCli(argv: string[], io: Io): Promise<number> {
  return runCli(rerunSpec, argv, io, async ({ positionals, options }) => {
    const verbose = options.verbose === true;
    const str = (name: string) => options[name] as string | undefined;
    const mpiRanks = number(options, 'mpi-ranks', true);
    if (mpiRanks === 0) throw new UsageError('argument --mpi-ranks: expected at least 1');
    const plan = await prepareRerun({
      runDir: positionals.run_dir,
      rerunDir: positionals.rerun_dir,
      mask: str('mask')!,
      workdir: str('workdir'),
      dvmdostem: str('dvmdostem'),
      cellTimelimit: number(options, 'cell-timelimit', false),
      mpiRanks,
      partition: str('partition'),
      time: str('time'),
      account: str('account'),
      jobName: str('job-name'),
    });
    printPlan(plan, io, verbose, options['cell-timelimit'] !== undefined);
  });
}

function printPlan(plan: RerunPlan, io: Io, verbose: boolean, limitGiven: boolean): void {
  io.out(`✓ Rerun prepared in: ${plan.rerunDir}`);
  io.out(`  Number of cells to rerun: ${plan.cells}`);
  if (plan.timedOutCells) {
    const was = limitText(plan.originalCellTimelimit);
    io.out(
      limitGiven
        ? `  Note: ${plan.timedOutCells} of these cells timed out in the original run (cell_timelimit ${was}); the rerun uses ${limitText(plan.cellTimelimit)}`
        : `  Note: ${plan.timedOutCells} of these cells timed out in the original run; the rerun keeps cell_timelimit = ${was} ` +
            '(the same limit usually times out again: use --cell-timelimit to change it)',
    );
  }
  for (const w of plan.warnings) io.out(`  Warning: ${w}`);
  if (verbose) {
    io.out(`  Working directory: ${plan.workdir} (${plan.workdirHow})`);
    io.out(`  Command: ${[...(plan.mpiRanks ? ['mpirun', '-n', String(plan.mpiRanks)] : []), plan.program, ...plan.args].map(shQuote).join(' ')}`);
    io.out(`  Config: ${plan.configPath} (IO.runmask_file and IO.output_dir changed${limitGiven ? ', model_settings.cell_timelimit set' : ''})`);
    io.out(`  Rerun output folder: ${plan.outputDir}`);
  }
  io.out(`  Run it here: bash ${shQuote(plan.runScript)}`);
  io.out(`  Or on SLURM: sbatch ${shQuote(plan.slurmScript)}`);
}
