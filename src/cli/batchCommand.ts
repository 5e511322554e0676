import { readBatchRunStatus, type BatchRunStatus, type Totals } from '../core/batch/batchStatus';
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

const SUBCOMMANDS: Record<string, { spec: CommandSpec; run: (argv: string[], io: Io) => Promise<number> }> = {
  status: { spec: statusSpec, run: runStatus },
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
