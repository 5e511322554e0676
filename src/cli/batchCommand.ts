import { readBatchRunStatus, type BatchRunStatus, type Totals } from '../core/batch/batchStatus';
import { stitchBatchRun } from '../core/batch/stitch';
import { describeCounts } from '../core/cellStates';
import type { CommandSpec, ParsedArgs } from './args';
import { EXIT, runCli, type Io } from './runCli';

/** `pyddt-batch SUBCOMMAND …`: see, rescue and stitch a batch-split dvmdostem run. */

const PROG = 'pyddt-batch';

const statusSpec: CommandSpec = {
  prog: `${PROG} status`,
  description: 'Show the cells of every batch of a batch-split run by state; exit 0 only when every enabled cell succeeded.',
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

const SUBCOMMANDS: Record<string, { spec: CommandSpec; run: (argv: string[], io: Io) => Promise<number> }> = {
  status: { spec: statusSpec, run: runStatus },
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
  const command = sub === undefined ? undefined : SUBCOMMANDS[sub];
  if (!command) {
    io.err(usage);
    io.err(`${PROG}: error: ${sub === undefined ? 'a subcommand is required' : `invalid choice: '${sub}'`} (choose from ${Object.keys(SUBCOMMANDS).join(', ')})`);
    return EXIT.usage;
  }
  return command.run(rest, io);
}

/** Runs a subcommand whose body decides the exit code (0 or 1) without an error message. */
async function runWithCode(spec: CommandSpec, argv: string[], io: Io, body: (args: ParsedArgs) => Promise<number>): Promise<number> {
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

const COLUMNS: [keyof Totals, string][] = [['success', 'ok'], ['fail', 'failed'], ['timeout', 'timed out'], ['unwritten', 'never written'], ['other', 'other']];
const STATE_LABELS = { complete: 'complete', failures: 'failures', 'not-started': 'not started', running: 'running' } as const;

function printStatus(s: BatchRunStatus, io: Io): void {
  const nameWidth = Math.max(5, ...s.batches.map((b) => b.name.length));
  const row = (name: string, counts: Totals, state: string) =>
    `${name.padEnd(nameWidth)}  ${COLUMNS.map(([k, label]) => String(counts[k]).padStart(label.length)).join('  ')}  ${state}`;
  io.out(`${s.dir}: ${s.layout} batch run, ${s.batches.length} batches, domain ${s.grid.rows} rows × ${s.grid.cols} columns`);
  io.out(`${'batch'.padEnd(nameWidth)}  ${COLUMNS.map(([, label]) => label).join('  ')}  state`);
  for (const b of s.batches) io.out(row(b.name, b.counts, STATE_LABELS[b.state]));
  io.out(row('total', s.totals, `${s.complete ? 'complete' : 'incomplete'} (${s.totals.masked} cells masked / not run)`));
  for (const w of s.warnings) io.out(`Warning: ${w}`);
}

function runStitch(argv: string[], io: Io): Promise<number> {
  return runCli(stitchSpec, argv, io, async ({ positionals, options }) => {
    const result = await stitchBatchRun(
      { batchDir: positionals.batch_dir, outputDir: positionals.output_dir },
      {
        onPlan: (plan) => {
          io.out(`Stitching ${plan.files.length} files from ${plan.sources.length} batches (domain ${plan.grid.rows} rows × ${plan.grid.cols} columns)`);
          if (plan.notStarted.length) io.out(`  Not started (cells marked never written): ${plan.notStarted.join(', ')}`);
        },
        onProgress: options.verbose === true ? (p) => io.out(`  Stitching: ${p.name}`) : undefined,
        isCancelled: io.isCancelled,
      },
    );
    io.out(`✓ Stitched run written to: ${result.outputDir}`);
    io.out(`  Cells: ${describeCounts(result.counts)}`);
    for (const w of result.warnings) io.out(`  Warning: ${w}`);
  });
}
