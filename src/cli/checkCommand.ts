import { CELL_STATE_LABELS, type CellState } from '../shared/cellStates';
import { checkRun, type CheckReport } from '../core/check';
import type { CommandSpec } from './args';
import { EXIT, runCli, type Io } from './runCli';

export const checkSpec: CommandSpec = {
  prog: 'pyddt-check',
  description:
    'Check whether a dvmdostem run is complete: exit 0 when every cell enabled in the mask succeeded, 1 otherwise. ' +
    'Lists the unfinished cells with the reason from fail_log.txt, and output files with fewer time steps than their siblings.',
  positionals: [{ name: 'run_dir', help: 'Run output folder (with run_status.nc)' }],
  options: [
    {
      name: 'mask',
      metavar: 'MASK',
      help: 'Run-mask of the cells to check (default: the mask recorded in config_record.js, else every cell not masked in run_status)',
    },
    { name: 'json', help: 'Print one JSON object (complete, totals, cells, shortFiles)' },
    { name: 'verbose', short: 'v', help: 'Print detailed information' },
  ],
};

/** Exit 0 complete, 1 not complete (or a problem reading the run), 2 usage. */
export async function runCheckCli(argv: string[], io: Io): Promise<number> {
  let complete = true;
  const code = await runCli(checkSpec, argv, io, async ({ positionals, options }) => {
    const report = await checkRun(positionals.run_dir, { mask: options.mask as string | undefined });
    complete = report.complete;
    if (options.json === true) io.out(JSON.stringify(jsonReport(report)));
    else printReport(report, io, options.verbose === true);
  });
  return code === EXIT.ok && !complete ? EXIT.failure : code;
}

function jsonReport(r: CheckReport) {
  return {
    runDir: r.runDir,
    complete: r.complete,
    totals: r.totals,
    cells: r.cells,
    shortFiles: r.shortFiles,
    checked: r.checked,
    mask: r.maskPath ?? null,
  };
}

const maskText = (r: CheckReport) =>
  r.maskSource === 'run_status'
    ? 'every cell run_status does not mark as masked'
    : `${r.maskSource === 'recorded' ? 'the recorded mask ' : ''}${r.maskPath}`;

function printReport(r: CheckReport, io: Io, verbose: boolean): void {
  const done = r.checked - r.cells.length;
  if (verbose) {
    io.out(`Run: ${r.runDir}`);
    io.out(`Cells checked: ${r.checked} (${maskText(r)})`);
    io.out(
      `run_status: ${Object.entries(r.totals)
        .filter(([, n]) => n)
        .map(([s, n]) => `${n} ${CELL_STATE_LABELS[s as CellState]}`)
        .join(', ')}`,
    );
  }
  if (r.complete) io.out(`✓ Run complete: ${done} of ${r.checked} cells succeeded`);
  else {
    io.out(`✗ Run not complete: ${done} of ${r.checked} cells succeeded, ${r.cells.length} unfinished`);
    for (const c of r.cells) {
      const runtime = c.runtime === undefined ? 'runtime —' : `runtime ${c.runtime} s`;
      const why =
        c.reason ??
        (c.state === 'timeout' ? 'no entry in fail_log.txt (timeouts have none)' : 'no entry in fail_log.txt');
      io.out(
        `  cell (row ${c.row}, col ${c.col}): ${CELL_STATE_LABELS[c.state as CellState] ?? c.state} ` +
          `(run_status ${c.status}), ${runtime}: ${why}`,
      );
    }
  }
  for (const f of r.shortFiles)
    io.out(`  Note: ${f.file} has ${f.steps} time steps, its siblings of the same stage cover ${f.expected}`);
}
