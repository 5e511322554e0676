import { reportError } from '../notify';
import { StatusGridPanel } from '../statusGridPanel';
import type { ExportArgs } from './exports';
import type { GridCommandDeps } from './gridPanelDeps';
import { runFolderFor } from './pickers';

const TITLE = 'Export Grid (PNG)';

/**
 * Export Grid (PNG): opens the run's grid panel and asks its webview for the picture; returns the path
 * written, or undefined when cancelled or failed (the error is reported).
 */
export async function exportGridPngCommand(
  deps: GridCommandDeps,
  arg?: unknown,
  options?: ExportArgs,
): Promise<string | undefined> {
  const folder = await runFolderFor(arg, deps.activeRun, TITLE, 'Which run?');
  if (!folder) return undefined;
  const panel = StatusGridPanel.show(deps.extensionUri, folder, deps.gridDeps);
  try {
    // Without a destination the user is asked where, once the image is there.
    return await panel.capturePng(options?.dest);
  } catch (err) {
    reportError(deps.log, TITLE, err);
    return undefined;
  }
}
