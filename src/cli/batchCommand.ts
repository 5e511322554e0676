import { readBatchRunStatus, type BatchRunStatus, type Totals } from '../core/batch/batchStatus';
import { stitchBatchRun } from '../core/batch/stitch';
import { salvageBatchRun, type BatchSalvageAction } from '../core/batch/batchSalvage';
import { mergeBatchRun, type BatchMergeAction } from '../core/batch/batchMerge';
import { UserError } from '../core/errors';
import { describeCounts } from '../shared/cellStates';
import type { CommandSpec, ParsedArgs } from './args';
import { EXIT, runCli, versionLine, type Io } from './runCli';

/** `pyddt-batch SUBCOMMAND …`: see, rescue and stitch a batch-split dvmdostem run. */

const PROG = 'pyddt-batch';

const statusSpec: CommandSpec = {
  prog: `${PROG} status`,
  description:
    'Show the cells of every batch of a batch-split run by state; exit 0 only when every enabled cell succeeded.',
  positionals: [{ name: 'batch_dir', help: 'Folder holding the batch-N/ (or batch_N/) folders' }],
  options: [{ name: 'json', help: 'Print one JSON object instead of a table' }],
};

const stitchSpec: CommandSpec = {
  prog: `${PROG} stitch`,
  description: 'Stitch the outputs of full-domain batches into one run folder for the whole domain.',
  positionals: [
    { name: 'batch_dir', help: 'Folder holding the batch-N/ folders' },
    { name: 'output_dir', help: 'Where the stitched run folder is written (must not exist, or be empty)' },
  ],
  options: [{ name: 'verbose', short: 'v', help: 'Print each file as it is stitched' }],
};

const salvageSpec: CommandSpec = {
  prog: `${PROG} salvage`,
  description:
    'For every batch with failed or never-written cells: back up its output, write a mask of those cells and prepare a rerun; then write submit-reruns.sh and run-reruns-locally.sh.',
  positionals: [{ name: 'batch_dir', help: 'Folder holding the batch-N/ (or batch_N/) folders' }],
  options: [
    { name: 'dry-run', help: 'Print what would be done and write nothing' },
    {
      name: 'workdir',
      metavar: 'WORKDIR',
      help: "Folder dvmdostem was started in (default: inferred from each batch's config_record.js)",
    },
    { name: 'dvmdostem', metavar: 'PROGRAM', help: 'dvmdostem program to run (default: the recorded one)' },
    { name: 'cell-timelimit', metavar: 'SECONDS', help: 'model_settings.cell_timelimit of the reruns (0: no limit)' },
    { name: 'mpi-ranks', metavar: 'N', help: 'Run the reruns with mpirun -n N (default: serially)' },
    { name: 'partition', metavar: 'PARTITION', help: "SLURM partition of the reruns (default: the batch's own)" },
    { name: 'time', metavar: 'TIME', help: "SLURM time limit of the reruns (default: the batch's own)" },
    { name: 'account', metavar: 'ACCOUNT', help: 'SLURM account of the reruns' },
  ],
};

const mergeSpec: CommandSpec = {
  prog: `${PROG} merge`,
  description: "Merge every finished rerun into its batch's output folder (the pre-rescue output is kept renamed).",
  positionals: [{ name: 'batch_dir', help: 'Folder holding the batch-N/ (or batch_N/) folders' }],
  options: [],
};

const SUBCOMMANDS: Record<string, { spec: CommandSpec; run: (argv: string[], io: Io) => Promise<number> }> = {
  status: { spec: statusSpec, run: runStatus },
  salvage: { spec: salvageSpec, run: runSalvage },
  merge: { spec: mergeSpec, run: runMerge },
  stitch: { spec: stitchSpec, run: runStitch },
};

export async function runBatchCli(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  const usage = `usage: ${PROG} [-h] {${Object.keys(SUBCOMMANDS).join(',')}} ...`;
  if (sub === '-h' || sub === '--help') {
    io.out(usage);
    io.out('');
    for (const [name, { spec }] of Object.entries(SUBCOMMANDS)) io.out(`  ${name.padEnd(8)}${spec.description}`);
    return EXIT.ok;
  }
  if (sub === '--version') {
    io.out(versionLine(PROG));
    return EXIT.ok;
  }
  const command = sub === undefined ? undefined : SUBCOMMANDS[sub];
  if (!command) {
    io.err(usage);
    io.err(
      `${PROG}: error: ${sub === undefined ? 'a subcommand is required' : `invalid choice: '${sub}'`} (choose from ${Object.keys(SUBCOMMANDS).join(', ')})`,
    );
    return EXIT.usage;
  }
  return command.run(rest, io);
}

/** Runs a subcommand whose body decides the exit code (0 or 1) without an error message. */
async function runWithCode(
  spec: CommandSpec,
  argv: string[],
  io: Io,
  body: (args: ParsedArgs) => Promise<number>,
): Promise<number> {
  let code: number = EXIT.ok;
  const rc = await runCli(spec, argv, io, async (args) => {
    code = await body(args);
  });
  return rc !== EXIT.ok ? rc : code;
}

function runStatus(argv: string[], io: Io): Promise<number> {
  return runWithCode(statusSpec, argv, io, async ({ positionals, options }) => {
    const status = await readBatchRunStatus(positionals.batch_dir);
    if (options.json === true) io.out(JSON.stringify(statusJson(status), null, 2));
    else printStatus(status, io);
    return status.complete ? EXIT.ok : EXIT.failure;
  });
}

function statusJson(s: BatchRunStatus) {
  return {
    dir: s.dir,
    layout: s.layout,
    grid: s.grid,
    totals: s.totals,
    complete: s.complete,
    batches: s.batches.map((b) => ({ name: b.name, state: b.state, enabled: b.enabled, ...b.counts })),
    warnings: s.warnings,
  };
}

const COLUMNS: [keyof Totals, string][] = [
  ['success', 'ok'],
  ['fail', 'failed'],
  ['timeout', 'timed out'],
  ['unwritten', 'never written'],
  ['other', 'other'],
];
const STATE_LABELS = {
  complete: 'complete',
  failures: 'failures',
  'not-started': 'not started',
  running: 'running',
} as const;

function printStatus(s: BatchRunStatus, io: Io): void {
  const nameWidth = Math.max(5, ...s.batches.map((b) => b.name.length));
  const row = (name: string, counts: Totals, state: string) =>
    `${name.padEnd(nameWidth)}  ${COLUMNS.map(([k, label]) => String(counts[k]).padStart(label.length)).join('  ')}  ${state}`;
  io.out(
    `${s.dir}: ${s.layout} batch run, ${s.batches.length} batches, domain ${s.grid.rows} rows × ${s.grid.cols} columns`,
  );
  io.out(`${'batch'.padEnd(nameWidth)}  ${COLUMNS.map(([, label]) => label).join('  ')}  state`);
  for (const b of s.batches) io.out(row(b.name, b.counts, STATE_LABELS[b.state]));
  io.out(
    row('total', s.totals, `${s.complete ? 'complete' : 'incomplete'} (${s.totals.masked} cells masked / not run)`),
  );
  for (const w of s.warnings) io.out(`Warning: ${w}`);
}

function runStitch(argv: string[], io: Io): Promise<number> {
  return runCli(stitchSpec, argv, io, async ({ positionals, options }) => {
    const result = await stitchBatchRun(
      { batchDir: positionals.batch_dir, outputDir: positionals.output_dir },
      {
        onPlan: (plan) => {
          io.out(
            `Stitching ${plan.files.length} files from ${plan.sources.length} batches (domain ${plan.grid.rows} rows × ${plan.grid.cols} columns)`,
          );
          if (plan.notStarted.length)
            io.out(`  Not started (cells marked never written): ${plan.notStarted.join(', ')}`);
        },
        onProgress: options.verbose === true ? (p) => io.out(`  Stitching: ${p.name}`) : undefined,
        isCancelled: () => io.isCancelled(),
      },
    );
    io.out(`✓ Stitched run written to: ${result.outputDir}`);
    io.out(`  Cells: ${describeCounts(result.counts)}`);
    for (const w of result.warnings) io.out(`  Warning: ${w}`);
  });
}

function numberOption(value: string | boolean | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(n))
    throw new UserError(`--${name} ${String(value)}: expected a number`);
  return n;
}

function describeSalvage(a: BatchSalvageAction): string {
  switch (a.action) {
    case 'complete':
      return 'complete, not touched';
    case 'running':
      return 'still running, not touched';
    case 'prepared':
      return `rescue ${a.round}: ${a.cells} cells to rerun, prepared in ${a.rerunDir}`;
    case 'waiting':
      return `rescue ${a.round} already prepared in ${a.rerunDir} (waiting for its rerun and merge)`;
    case 'resubmit':
      return `never started: its own slurm_runner.sh is queued again for its ${a.cells} cells${a.movedAside ? ` (what its job left is kept at ${a.movedAside})` : ''}`;
  }
}

function runSalvage(argv: string[], io: Io): Promise<number> {
  return runCli(salvageSpec, argv, io, async ({ positionals, options }) => {
    const dryRun = options['dry-run'] === true;
    const result = await salvageBatchRun(
      {
        batchDir: positionals.batch_dir,
        dryRun,
        workdir: options.workdir as string | undefined,
        dvmdostem: options.dvmdostem as string | undefined,
        cellTimelimit: numberOption(options['cell-timelimit'], 'cell-timelimit'),
        mpiRanks: numberOption(options['mpi-ranks'], 'mpi-ranks'),
        partition: options.partition as string | undefined,
        time: options.time as string | undefined,
        account: options.account as string | undefined,
      },
      {
        isCancelled: () => io.isCancelled(),
        onAction: (a, i, n) => {
          io.out(
            `[${i + 1}/${n}] ${a.batch}: ${dryRun && a.action === 'prepared' ? `would prepare rescue ${a.round}: ${a.cells} cells to rerun in ${a.rerunDir}` : describeSalvage(a)}`,
          );
          if (a.action === 'prepared') for (const w of a.warnings) io.out(`  Warning: ${w}`);
        },
      },
    );
    if (dryRun) {
      io.out('Dry run: nothing was written.');
      return;
    }
    if (result.submitScript) {
      io.out(`✓ Submit every rerun with: ${result.submitScript}  (job ids go to rerun-jobs.txt)`);
      io.out(`  or run them here one after another: ${result.localScript}`);
      io.out(`  then: ${PROG} merge ${positionals.batch_dir}`);
    } else io.out('✓ Nothing to rescue: every batch is complete or still running.');
  });
}

function describeMerge(a: BatchMergeAction): string {
  switch (a.action) {
    case 'merged':
      return `rescue ${a.round} merged into its output (${a.successful} cells successful); the pre-rescue output is kept at ${a.keptOutput}`;
    case 'rerun-missing':
      return `rescue ${a.round} not merged: its rerun has not run (${a.detail})`;
    case 'rerun-running':
      return `rescue ${a.round} not merged: its rerun is still running (${a.detail})`;
    case 'nothing-to-merge':
      return 'nothing to merge';
  }
}

function runMerge(argv: string[], io: Io): Promise<number> {
  return runCli(mergeSpec, argv, io, async ({ positionals }) => {
    const actions = await mergeBatchRun(
      { batchDir: positionals.batch_dir },
      {
        isCancelled: () => io.isCancelled(),
        onAction: (a, i, n) => io.out(`[${i + 1}/${n}] ${a.batch}: ${describeMerge(a)}`),
      },
    );
    const merged = actions.filter((a) => a.action === 'merged').length;
    const waiting = actions.filter((a) => a.action === 'rerun-missing' || a.action === 'rerun-running').length;
    io.out(
      `✓ ${merged} batches merged${waiting ? `; ${waiting} waiting for their rerun (run merge again later)` : ''}`,
    );
    io.out(`  See the whole run with: ${PROG} status ${positionals.batch_dir}`);
  });
}
