import * as path from 'node:path';
import * as vscode from 'vscode';
import { pathExists } from './pathExists';
import type { CheckReport } from '../core/check';
import type { CoreClient } from './coreClient';
import type { KnownRerun, RerunRegistry } from './rerunRegistry';
import { RUN_STATUS_FILE } from '../shared/runFiles';
import { notificationText } from '../shared/plainText';

/** Enabled cells that are neither successful nor failed have not run yet (or are running). */
export function cellsLeftToRun(report: CheckReport): number {
  return report.cells.filter((c) => c.state === 'masked' || c.state === 'unwritten').length;
}

/**
 * Notices when a prepared rerun has no cell left to run (after its task ends, or when polling or a
 * file event shows its run_status.nc changed, e.g. a SLURM job) and offers Merge once, with the
 * salvaged run and the rerun's output folder filled in.
 */
export class RerunCompletion {
  /** The last check started per rerun folder: checks of one rerun run one after the other. */
  private readonly checking = new Map<string, Promise<CheckReport | undefined>>();

  constructor(
    private readonly core: CoreClient,
    private readonly registry: RerunRegistry,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** run_status.nc paths of prepared reruns whose merge was not offered yet (polled even before they exist). */
  pendingStatusFiles(): string[] {
    return this.registry
      .reruns()
      .filter((r) => !r.mergeOffered)
      .map((r) => path.join(r.outputDir, RUN_STATUS_FILE));
  }

  /** A run_status.nc changed somewhere: if it is a pending rerun's, check it. */
  statusChanged(file: string): void {
    const rerun = this.registry.find(path.dirname(file));
    if (rerun && !rerun.mergeOffered) void this.checkAndOffer(rerun);
  }

  /** Checks a rerun's output against its mask; offers Merge when no cell is left to run. Returns the check. */
  checkAndOffer(rerun: KnownRerun, force = false): Promise<CheckReport | undefined> {
    const previous = this.checking.get(rerun.rerunDir) ?? Promise.resolve(undefined);
    const next = previous.then(() => this.check(rerun, force));
    this.checking.set(rerun.rerunDir, next);
    void next.finally(() => this.checking.get(rerun.rerunDir) === next && this.checking.delete(rerun.rerunDir));
    return next;
  }

  private async check(rerun: KnownRerun, force: boolean): Promise<CheckReport | undefined> {
    if (!(await pathExists(path.join(rerun.outputDir, RUN_STATUS_FILE)))) return undefined;
    try {
      const report = await this.core.read('checkRun', {
        runDir: rerun.outputDir,
        mask: path.join(rerun.rerunDir, 'run-mask.nc'),
      });
      if (cellsLeftToRun(report) > 0) return report;
      const current = this.registry.find(rerun.rerunDir);
      if (current?.mergeOffered && !force) return report;
      await this.registry.update(rerun.rerunDir, { mergeOffered: true });
      this.offerMerge(rerun, report);
      return report;
    } catch (err) {
      this.log.warn(`Cannot check the rerun in ${rerun.outputDir}: ${(err as Error).message}`);
      return undefined;
    }
  }

  private offerMerge(rerun: KnownRerun, report: CheckReport): void {
    const t = report.totals;
    const failing = report.cells.length
      ? ` ${report.cells.length} cells failed again (see Check Run Completeness).`
      : '';
    this.log.info(
      `Rerun ${rerun.rerunDir} has no cell left to run: ${t.success} succeeded.${failing} ` +
        `Merge ${rerun.runDir} + ${rerun.outputDir}.`,
    );
    void vscode.window
      .showInformationMessage(
        notificationText(
          `The rerun in ${path.basename(rerun.rerunDir)} has finished: ${t.success} cells succeeded.${failing} ` +
            `Merge it into ${path.basename(rerun.runDir)}?`,
        ),
        'Merge…',
        'Show Grid',
      )
      .then((choice) => {
        if (choice === 'Merge…')
          void vscode.commands.executeCommand('dvmdostem.merge', vscode.Uri.file(rerun.runDir), {
            rerunDir: rerun.outputDir,
          });
        if (choice === 'Show Grid')
          void vscode.commands.executeCommand('dvmdostem.showGrid', vscode.Uri.file(rerun.outputDir));
      });
  }
}
