import * as vscode from 'vscode';
import { CancelledError, UserError } from '../core/errors';
import { notificationText } from '../shared/plainText';

/**
 * Shows a failure as one clear notification with a "Show Log" action; details go to the log.
 * Expected problems (bad input, full disk) show their own message; anything else says it is a bug.
 */
export function reportError(log: vscode.LogOutputChannel, action: string, err: unknown): void {
  if (err instanceof CancelledError) {
    log.info(`${action}: cancelled; nothing was written.`);
    void vscode.window.showInformationMessage(notificationText(`${action} cancelled. Nothing was written.`));
    return;
  }
  const expected = err instanceof UserError;
  const message = (err as Error)?.message ?? String(err);
  if (expected) log.error(`${action} failed: ${message}`);
  else log.error(`${action} failed unexpectedly: ${(err as Error)?.stack ?? message}`);
  // Not awaited: the command returns at once (scripts and tests call it); the toast stays.
  void vscode.window
    .showErrorMessage(
      notificationText(expected ? `${action} failed: ${message}` : `${action} failed unexpectedly: ${message}`),
      'Show Log',
    )
    .then((choice) => choice === 'Show Log' && log.show(true));
}

/** Commands that write files refuse in Restricted Mode, and say why. */
export function requireTrust(action: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window
    .showWarningMessage(
      notificationText(
        `${action} writes files, so it needs a trusted workspace. The runs tree and the status grid work in Restricted Mode; trust this workspace to salvage or merge.`,
      ),
      'Manage Workspace Trust',
    )
    .then((c) => c && vscode.commands.executeCommand('workbench.trust.manage'));
  return false;
}

export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}
