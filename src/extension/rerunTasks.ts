import { spawn } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { pathExists } from './pathExists';
import { parseJobId } from './sbatchOutput';

/**
 * The `dvmdostem` task type (package.json `taskDefinitions`): running a prepared rerun folder's
 * run.sh in the terminal, or submitting its slurm_runner.sh with sbatch. Users can put these in
 * tasks.json; the commands Run Rerun and Submit to SLURM run the same tasks.
 */
export const TASK_TYPE = 'dvmdostem';

export interface DvmdostemTaskDefinition extends vscode.TaskDefinition {
  type: typeof TASK_TYPE;
  action: 'run' | 'submit';
  /** The folder Prepare Rerun wrote (holds run.sh and slurm_runner.sh). */
  rerunDir: string;
}

export function isTaskDefinition(d: vscode.TaskDefinition): d is DvmdostemTaskDefinition {
  return (
    d.type === TASK_TYPE &&
    (d.action === 'run' || d.action === 'submit') &&
    typeof d.rerunDir === 'string' &&
    d.rerunDir.length > 0
  );
}

/** rerunDir as written in tasks.json: `${workspaceFolder}` and relative paths resolve against the task's folder. */
function resolveRerunDir(rerunDir: string, scope: vscode.Task['scope']): string {
  const folder = typeof scope === 'object' ? scope.uri.fsPath : vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const expanded = folder ? rerunDir.replace(/\$\{workspaceFolder\}/g, folder) : rerunDir;
  return folder && !path.isAbsolute(expanded) ? path.resolve(folder, expanded) : expanded;
}

/** Builds the task for a definition; `onJobId` hears the SLURM job id a submission got. */
export function buildTask(
  definition: DvmdostemTaskDefinition,
  scope: vscode.Task['scope'],
  onJobId: (rerunDir: string, jobId: string) => void,
): vscode.Task {
  const rerunDir = resolveRerunDir(definition.rerunDir, scope);
  const name = path.basename(rerunDir);
  const target = scope ?? vscode.TaskScope.Workspace;
  const task =
    definition.action === 'run'
      ? new vscode.Task(
          definition,
          target,
          `Run Rerun: ${name}`,
          TASK_TYPE,
          new vscode.ProcessExecution('bash', [path.join(rerunDir, 'run.sh')], { cwd: rerunDir }),
        )
      : new vscode.Task(
          definition,
          target,
          `Submit to SLURM: ${name}`,
          TASK_TYPE,
          new vscode.CustomExecution(() => Promise.resolve(new SbatchTerminal(rerunDir, onJobId))),
        );
  task.presentationOptions = {
    reveal: vscode.TaskRevealKind.Always,
    panel: vscode.TaskPanelKind.Dedicated,
    clear: true,
  };
  return task;
}

/** Runs `sbatch slurm_runner.sh` from the rerun folder in a task terminal and reports the job id. */
class SbatchTerminal implements vscode.Pseudoterminal {
  private readonly written = new vscode.EventEmitter<string>();
  private readonly closed = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.written.event;
  readonly onDidClose = this.closed.event;

  constructor(
    private readonly rerunDir: string,
    private readonly onJobId: (rerunDir: string, jobId: string) => void,
  ) {}

  open(): void {
    const script = path.join(this.rerunDir, 'slurm_runner.sh');
    const write = (text: string) => this.written.fire(text.replace(/\r?\n/g, '\r\n'));
    write(`$ sbatch ${script}\n`);
    let output = '';
    let finished = false;
    // A failed spawn reports 'error' and may also report 'close': end the terminal once.
    const finish = (code: number) => {
      if (finished) return;
      finished = true;
      this.closed.fire(code);
    };
    const child = spawn('sbatch', [script], { cwd: this.rerunDir });
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
      write(d.toString());
    });
    child.stderr.on('data', (d: Buffer) => write(d.toString()));
    child.on('error', (err: NodeJS.ErrnoException) => {
      write(
        err.code === 'ENOENT'
          ? 'sbatch was not found: submit from a machine where SLURM is installed (e.g. the login node).\n'
          : `${err.message}\n`,
      );
      finish(127);
    });
    child.on('close', (code) => {
      if (finished) return;
      const jobId = parseJobId(output);
      if (code === 0 && jobId) {
        write(`\nSLURM job ${jobId} submitted; its log goes to ${this.rerunDir}.\n`);
        this.onJobId(this.rerunDir, jobId);
      } else if (code === 0) {
        write('\nsbatch printed no job id.\n');
      }
      finish(code === 0 && !jobId ? 1 : (code ?? 1));
    });
  }

  close(): void {
    // sbatch returns at once; nothing to stop.
  }
}

/** Runs a task and resolves with its exit code when it ends (undefined when VS Code gives none). */
export async function runTask(task: vscode.Task): Promise<number | undefined> {
  let exitCode: number | undefined;
  let execution: vscode.TaskExecution | undefined;
  const key = JSON.stringify(task.definition);
  const ours = (e: vscode.TaskExecution) => e === execution || JSON.stringify(e.task.definition) === key;
  let subs: vscode.Disposable[] = [];
  const ended = new Promise<void>((resolve) => {
    subs = [
      vscode.tasks.onDidEndTaskProcess((e) => {
        if (ours(e.execution)) exitCode = e.exitCode;
      }),
      vscode.tasks.onDidEndTask((e) => {
        if (!ours(e.execution)) return;
        for (const s of subs) s.dispose();
        resolve();
      }),
    ];
  });
  try {
    execution = await vscode.tasks.executeTask(task);
  } catch (err) {
    for (const s of subs) s.dispose();
    throw err;
  }
  await ended;
  return exitCode;
}

/** Lists the run and submit tasks of the reruns prepared in this workspace; resolves tasks.json entries. */
export function registerTaskProvider(
  knownRerunDirs: () => Promise<string[]>,
  onJobId: (rerunDir: string, jobId: string) => void,
): vscode.Disposable {
  return vscode.tasks.registerTaskProvider(TASK_TYPE, {
    provideTasks: async () =>
      (await knownRerunDirs()).flatMap((rerunDir) =>
        (['run', 'submit'] as const).map((action) =>
          buildTask({ type: TASK_TYPE, action, rerunDir }, vscode.TaskScope.Workspace, onJobId),
        ),
      ),
    resolveTask: (task) =>
      isTaskDefinition(task.definition) ? buildTask(task.definition, task.scope, onJobId) : undefined,
  });
}

/** The folders of `dirs` that still exist, in order, checked with fs.promises (no synchronous read on the extension host). */
export async function existingDirs(dirs: readonly string[]): Promise<string[]> {
  const exists = await Promise.all(dirs.map(pathExists));
  return dirs.filter((_, i) => exists[i]);
}
