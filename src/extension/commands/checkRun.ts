import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CheckReport } from '../../core/check';
import type { CoreClient } from '../coreClient';
import { reportError } from '../notify';
import { runFolderFor } from './pickers';
import { notificationText } from '../../shared/plainText';

export interface CheckRunArgs {
  /** The mask whose enabled cells must have succeeded (default: the run's recorded mask). */
  mask?: string;
}

const TITLE = 'Check Run Completeness';
const LISTED = 5;

/** Check Run Completeness: is every enabled cell of a run successful? Shows the cells that are not, with reasons. */
export async function checkRunCommand(
  deps: { core: CoreClient; log: vscode.LogOutputChannel; activeRun(): vscode.Uri | undefined },
  arg?: unknown,
  options: CheckRunArgs = {},
): Promise<CheckReport | undefined> {
  try {
    const folder = await runFolderFor(arg, () => deps.activeRun(), TITLE, 'Which run? (e.g. the merged folder)');
    if (!folder) return undefined;
    const report = await deps.core.read('checkRun', { runDir: folder.fsPath, mask: options.mask });
    showCheckReport(deps.log, report);
    return report;
  } catch (err) {
    reportError(deps.log, TITLE, err);
    return undefined;
  }
}

/** One line per unfinished cell, as the log shows it and the notification lists the first few. */
export function describeUnfinished(c: CheckReport['cells'][number]): string {
  const runtime = c.runtime !== undefined && Number.isFinite(c.runtime) ? `, ${c.runtime} s` : '';
  const reason =
    c.reason ??
    (c.state === 'timeout' ? 'timed out (no fail_log.txt entry for timeouts)' : 'no reason in fail_log.txt');
  return `(${c.row}, ${c.col}) ${c.state}${runtime}: ${reason}`;
}

/** Logs a completeness check and shows its result; cells still failing are listed with their reasons. */
export function showCheckReport(log: vscode.LogOutputChannel, report: CheckReport): void {
  const name = path.basename(report.runDir);
  const t = report.totals;
  log.info(
    `Check ${report.runDir}: ${report.complete ? 'complete' : 'NOT complete'} (${t.success} succeeded, ` +
      `${t.fail} failed, ${t.timeout} timed out, ${t.unwritten} never written, ${t.other} other)`,
  );
  for (const c of report.cells) log.info(`  unfinished ${describeUnfinished(c)}`);
  for (const f of report.shortFiles) log.warn(`  ${f.file}: ${f.steps} time steps, its siblings have ${f.expected}`);
  const short = report.shortFiles.length
    ? ` ${report.shortFiles.length} output files are shorter than their siblings (see the log).`
    : '';
  if (report.complete) {
    void vscode.window.showInformationMessage(
      notificationText(`${name} is complete: all ${t.success} enabled cells succeeded.${short}`),
    );
    return;
  }
  const listed = report.cells.slice(0, LISTED).map(describeUnfinished).join('; ');
  const more = report.cells.length > LISTED ? `; and ${report.cells.length - LISTED} more (see the log)` : '';
  void vscode.window
    .showWarningMessage(
      notificationText(
        `${name} is not complete: ${report.cells.length} cells still failing: ${listed}${more}.${short}`,
      ),
      'Show Log',
      'Show Grid',
    )
    .then((choice) => {
      if (choice === 'Show Log') log.show(true);
      if (choice === 'Show Grid')
        void vscode.commands.executeCommand('dvmdostem.showGrid', vscode.Uri.file(report.runDir));
    });
}
