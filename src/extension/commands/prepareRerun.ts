import * as path from 'node:path';
import * as vscode from 'vscode';
import { UserError } from '../../core/errors';
import type { PrepareRerunOptions, RerunPlan } from '../../core/rerun';
import type { CoreClient } from '../coreClient';
import { reportError, requireTrust } from '../notify';
import type { RerunRegistry } from '../rerunRegistry';
import { askNewPath, pathFromPattern, pickRunFolder, pickRunMask, uriFromArg, unusedPath } from './pickers';
import { notificationText } from '../../shared/plainText';

/** Everything `pyddt-rerun` takes; given options skip their prompt. */
export type PrepareRerunArgs = Partial<Omit<PrepareRerunOptions, 'runDir' | 'dryRun'>> & {
  /** Skip the confirmation (and the cell time limit question) (scripts, tests). */
  skipConfirm?: boolean;
};

const TITLE = 'Prepare Rerun';

/**
 * Prepare Rerun…: the same as `pyddt-rerun` through pickers. The run (usually the salvage backup),
 * the mask of the cells to rerun (default: the one that salvage wrote), a new rerun folder next to
 * the run; the working directory is asked for only when it cannot be inferred. Then offers to run
 * the rerun locally or to submit it to SLURM.
 */
export async function prepareRerunCommand(
  deps: {
    core: CoreClient;
    log: vscode.LogOutputChannel;
    registry: RerunRegistry;
    activeRun(): vscode.Uri | undefined;
    afterWrite(): void;
    rememberMask(runFolder: string, mask: string): void;
  },
  arg?: unknown,
  options: PrepareRerunArgs = {},
): Promise<RerunPlan | undefined> {
  if (!requireTrust(TITLE)) return undefined;
  try {
    const run =
      uriFromArg(arg) ??
      deps.activeRun() ??
      (await pickRunFolder(TITLE, 'The run to rerun failed cells of: its salvage backup (or its output folder)'));
    if (!run) return undefined;
    const mask = options.mask ?? (await pickRerunMask(deps.registry.salvageMask(run.fsPath)));
    if (!mask) return undefined;
    const pattern = vscode.workspace.getConfiguration('dvmdostem', run).get('rerunFolderPattern', '${folder}-rerun');
    const rerunDir =
      options.rerunDir ??
      (await askNewPath(
        TITLE,
        'New folder for the rerun: config.js, run-mask.nc, run.sh, slurm_runner.sh; dvmdostem writes output/ in it',
        await unusedPath(pathFromPattern(pattern, run)),
        true,
      ));
    if (!rerunDir) return undefined;
    const { skipConfirm, ...given } = options;
    let opts: PrepareRerunOptions = { ...given, runDir: run.fsPath, rerunDir, mask };

    let plan = await planWithWorkdir(deps.core, opts, options.workdir === undefined && !skipConfirm);
    if (!plan) return undefined;
    opts = { ...opts, workdir: plan.workdir };
    if (plan.timedOutCells > 0 && options.cellTimelimit === undefined && !skipConfirm) {
      const limit = await askCellTimelimit(plan);
      if (limit === undefined) return undefined;
      if (limit !== plan.cellTimelimit) {
        opts = { ...opts, cellTimelimit: limit };
        plan = await deps.core.read('planRerun', opts);
      }
    }
    const commandLine = [plan.program, ...plan.args].join(' ');
    if (!skipConfirm) {
      const go = await vscode.window.showInformationMessage(
        notificationText(`Prepare a rerun of ${plan.cells} cells in ${path.basename(plan.rerunDir)}?`),
        {
          modal: true,
          detail:
            `Folder: ${plan.rerunDir}\n` +
            `Working directory: ${plan.workdir} (${plan.workdirHow})\nCommand: ${commandLine}\n` +
            `dvmdostem will write into ${plan.outputDir}.\n${run.fsPath} and ${mask} are not changed.` +
            plan.warnings.map((w) => `\nNote: ${w}`).join(''),
        },
        'Prepare',
      );
      if (go !== 'Prepare') return undefined;
    }

    deps.log.info(
      `Preparing a rerun of ${plan.cells} cells of ${run.fsPath} in ${plan.rerunDir} ` +
        `(mask ${mask}, working directory ${plan.workdir})`,
    );
    const result = await deps.core.write('prepareRerun', opts);
    await deps.registry.remember({ runDir: run.fsPath, rerunDir: result.rerunDir, outputDir: result.outputDir, mask });
    deps.rememberMask(result.outputDir, result.maskPath);
    deps.afterWrite();
    deps.log.info(`Rerun prepared in ${result.rerunDir}: bash ${result.runScript}, or sbatch ${result.slurmScript}`);
    for (const w of result.warnings) deps.log.warn(`Prepare Rerun: ${w}`);
    if (result.timedOutCells > 0) {
      deps.log.warn(
        `${result.timedOutCells} of the cells timed out before; ` +
          `cell_timelimit in the rerun: ${result.cellTimelimit ?? 'none'} s`,
      );
    }
    void vscode.window
      .showInformationMessage(
        notificationText(`Rerun of ${result.cells} cells prepared in ${path.basename(result.rerunDir)}.`),
        'Run Rerun',
        'Submit to SLURM',
        'Reveal',
      )
      .then((choice) => {
        const folder = vscode.Uri.file(result.rerunDir);
        if (choice === 'Run Rerun') void vscode.commands.executeCommand('dvmdostem.runRerun', folder);
        if (choice === 'Submit to SLURM') void vscode.commands.executeCommand('dvmdostem.submitRerun', folder);
        if (choice === 'Reveal') void vscode.commands.executeCommand('revealInExplorer', folder);
      });
    return result;
  } catch (err) {
    reportError(deps.log, TITLE, err);
    return undefined;
  }
}

/** The mask salvage wrote for this run first, then any run-mask in the workspace. */
async function pickRerunMask(salvaged: string | undefined): Promise<string | undefined> {
  if (!salvaged) return (await pickRunMask(`${TITLE}: the mask of the cells to rerun`))?.fsPath;
  const items = [
    {
      label: path.basename(salvaged),
      description: salvaged,
      detail: 'Written by Salvage for this run: its failed cells',
      path: salvaged,
    },
    { label: '$(search) Another mask…', path: undefined },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: TITLE,
    placeHolder: 'The mask of the cells to rerun',
    ignoreFocusOut: true,
  });
  if (!picked) return undefined;
  return picked.path ?? (await pickRunMask(`${TITLE}: the mask of the cells to rerun`))?.fsPath;
}

/**
 * Plans the rerun. When it is refused and the user may edit the working directory (not given), the
 * reason is shown with an input for the folder dvmdostem was started from, and the plan is tried again.
 */
async function planWithWorkdir(
  core: CoreClient,
  opts: PrepareRerunOptions,
  mayAsk: boolean,
): Promise<RerunPlan | undefined> {
  let current = opts;
  for (;;) {
    try {
      return await core.read('planRerun', current);
    } catch (err) {
      if (!mayAsk || !(err instanceof UserError)) throw err;
      const workdir = await vscode.window.showInputBox({
        title: `${TITLE}: working directory`,
        prompt:
          `${err.message}. The folder dvmdostem was started from ` +
          '(the paths in its config are relative to it), or Escape to cancel:',
        value: current.workdir ?? path.dirname(opts.runDir),
        ignoreFocusOut: true,
        validateInput: (v) => (path.isAbsolute(v.trim()) ? undefined : 'Enter an absolute path'),
      });
      if (!workdir) return undefined;
      current = { ...current, workdir: workdir.trim() };
    }
  }
}

async function askCellTimelimit(plan: RerunPlan): Promise<number | undefined> {
  const current = plan.cellTimelimit;
  const answer = await vscode.window.showInputBox({
    title: `${TITLE}: cell time limit`,
    prompt:
      `${plan.timedOutCells} of the ${plan.cells} cells timed out with cell_timelimit ` +
      `${plan.originalCellTimelimit ?? 'unset'} s; the same limit usually times out again. ` +
      'Seconds per cell for the rerun (0 = no limit):',
    value: current === undefined ? '0' : String(current),
    ignoreFocusOut: true,
    validateInput: (v) => (/^\d+$/.test(v.trim()) ? undefined : 'Enter a whole number of seconds'),
  });
  return answer === undefined ? undefined : Number(answer.trim());
}
