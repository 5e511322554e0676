import { mergeRuns, planMerge, type MergePlan } from '../core/merge';
import type { CommandSpec } from './args';
import { runCli, type Io } from './runCli';

export const mergeSpec: CommandSpec = {
  prog: 'pyddt-merge',
  description: 'Merge outputs from a salvaged run and a rerun of failed cells.',
  positionals: [
    { name: 'salvaged_dir', help: 'Path to the salvaged output directory (backup from original run)' },
    { name: 'rerun_dir', help: 'Path to the rerun output directory (results from re-running failed cells)' },
    { name: 'output_dir', help: 'Path where merged outputs should be written' },
  ],
  options: [
    { name: 'verbose', short: 'v', help: 'Print detailed progress information' },
    { name: 'dry-run', inUsage: false, help: 'Check both runs and print what would be written, writing nothing' },
  ],
};

export function runMergeCli(argv: string[], io: Io): Promise<number> {
  return runCli(mergeSpec, argv, io, async ({ positionals, options }) => {
    const verbose = options.verbose === true;
    const opts = {
      salvagedDir: positionals.salvaged_dir,
      rerunDir: positionals.rerun_dir,
      outputDir: positionals.output_dir,
    };
    if (options['dry-run'] === true) {
      const plan = await planMerge(opts);
      io.out('Dry run: nothing is written.');
      printPlan(io, plan);
      io.out(`Would write the merged run to: ${opts.outputDir}`);
      for (const f of plan.files)
        io.out(
          f.action === 'merge'
            ? `  Would merge: ${f.name}`
            : `  Would copy: ${f.name} (from the ${f.from === 'salvaged' ? 'salvaged run' : 'rerun'}${f.reason ? `, ${f.reason}` : ''})`,
        );
      return;
    }
    const result = await mergeRuns(opts, {
      onPlan: (plan) => printPlan(io, plan),
      isCancelled: io.isCancelled,
      onProgress: (p) => {
        if (verbose) io.out(p.action === 'merge' ? `  Merging: ${p.name}` : `  Copying: ${p.name}`);
      },
    });
    io.out('✓ Merge complete');
    io.out(`  Merged: ${result.merged.length} files`);
    for (const c of result.copiedOnly)
      io.out(
        `  Warning: ${c.name} ${c.reason}; copied from the ${c.from === 'salvaged' ? 'salvaged run' : 'rerun'} as it is`,
      );
    io.out(`  Total successful cells: ${result.totalSuccessful}`);
    if (verbose) io.out(`  Output: ${result.outputDir}`);
  });
}

function printPlan(io: Io, plan: MergePlan): void {
  io.out(`Salvaged run - successful cells: ${plan.salvagedStatus.counts.success}`);
  io.out(`Rerun - successful cells: ${plan.rerunStatus.counts.success}`);
  io.out(`Found ${plan.files.filter((f) => f.action === 'merge').length} files to merge`);
}
