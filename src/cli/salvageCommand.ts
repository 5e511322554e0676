import { planSalvage, salvageRun, type SalvagePlan } from '../core/salvage';
import { CELL_STATE_LABELS } from '../shared/cellStates';
import type { CommandSpec } from './args';
import { runCli, type Io } from './runCli';

export const salvageSpec: CommandSpec = {
  prog: 'pyddt-salvage',
  description: 'Salvage a failed batch run by creating a backup and preparing for re-run.',
  positionals: [
    { name: 'output_dir', help: 'Path to the output directory containing run_status.nc' },
    { name: 'backup_dir', help: 'Path where the backup should be created (must not exist)' },
  ],
  options: [
    {
      name: 'original-mask',
      metavar: 'ORIGINAL_MASK',
      required: true,
      help: 'Path to the original run-mask.nc used for this run',
    },
    {
      name: 'new-mask',
      metavar: 'NEW_MASK',
      required: true,
      help: 'Path where the new run-mask (failed cells only) should be written',
    },
    { name: 'run-status', metavar: 'RUN_STATUS', help: 'Path to run_status.nc (default: OUTPUT_DIR/run_status.nc)' },
    { name: 'force', help: 'Overwrite NEW_MASK if it already exists' },
    { name: 'verbose', short: 'v', help: 'Print detailed progress information' },
    { name: 'dry-run', inUsage: false, help: 'Check everything and print what would be written, writing nothing' },
  ],
};

export function runSalvageCli(argv: string[], io: Io): Promise<number> {
  return runCli(salvageSpec, argv, io, async ({ positionals, options }) => {
    const verbose = options.verbose === true;
    const outputDir = positionals.output_dir;
    const backupDir = positionals.backup_dir;
    if (verbose) {
      io.out(`Salvaging run from: ${outputDir}`);
      io.out(`Creating backup at: ${backupDir}`);
    }
    const opts = {
      outputDir,
      backupDir,
      originalMask: options['original-mask'] as string,
      newMask: options['new-mask'] as string,
      runStatus: options['run-status'] as string | undefined,
      force: options.force === true,
    };
    if (options['dry-run'] === true) {
      const plan = await planSalvage(opts);
      io.out('Dry run: nothing is written.');
      io.out(`Would create backup at: ${backupDir} (${plan.files} files, ${plan.bytes} bytes)`);
      io.out(`Would create new run-mask at: ${opts.newMask}`);
      printCells(io, plan, verbose);
      return;
    }
    const plan = await salvageRun(opts, {
      onProgress: verbose ? (p) => io.out(`  Copied: ${p.file}`) : undefined,
      isCancelled: io.isCancelled,
    });
    io.out(`✓ Backup created at: ${backupDir}`);
    io.out(`✓ New run-mask created at: ${opts.newMask}`);
    printCells(io, plan, verbose);
  });
}

function printCells(io: Io, plan: SalvagePlan, verbose: boolean): void {
  io.out(`  Number of failed cells to re-run: ${plan.failedCells.length}`);
  if (verbose) {
    io.out(
      `  Grid: ${plan.grid.rows} rows × ${plan.grid.cols} columns; enabled in the original mask: ${plan.enabledCells}; successful: ${plan.successfulCells}`,
    );
    for (const c of plan.failedCells)
      io.out(`    cell (row ${c.row}, col ${c.col}): ${CELL_STATE_LABELS[c.state]} (run_status ${c.status})`);
  }
}
