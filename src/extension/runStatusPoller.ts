import * as fs from 'node:fs';
import * as vscode from 'vscode';

/**
 * Polls the modification time (and size) of known run_status.nc files, for file systems where
 * file-watch events never arrive (NFS, Remote-SSH to a login node while compute nodes write). Polls
 * only while something shows runs (the runs view or a grid panel is visible); `dvmdostem.pollIntervalSeconds`
 * sets the interval, 0 turns polling off.
 */
export class RunStatusPoller implements vscode.Disposable {
  private timer: NodeJS.Timeout | undefined;
  private intervalMs = 0;
  /** "mtime:size" last seen per file; a file seen for the first time is a change only once it exists. */
  private readonly seen = new Map<string, string>();
  private polls = 0;

  constructor(
    /** The run_status.nc paths to watch now (known runs, open grids, reruns not written yet). */
    private readonly files: () => string[],
    /** Whether the runs view or a grid panel is visible. */
    private readonly anythingVisible: () => boolean,
    private readonly onChange: (file: string) => void,
  ) {}

  /** How many polls ran (for the log and tests of "no polling when nothing is visible"). */
  get pollCount(): number {
    return this.polls;
  }

  get active(): boolean {
    return this.timer !== undefined;
  }

  /** Starts or stops polling after a visibility or settings change. */
  update(): void {
    const seconds = vscode.workspace.getConfiguration('dvmdostem', null).get<number>('pollIntervalSeconds', 5);
    const intervalMs = Number.isFinite(seconds) && seconds > 0 ? Math.max(1, seconds) * 1000 : 0;
    const want = intervalMs > 0 && this.anythingVisible();
    if (want && this.timer && intervalMs === this.intervalMs) return;
    this.stop();
    if (!want) return;
    this.intervalMs = intervalMs;
    this.poll(); // a baseline at once, so the first change is seen one interval later
    this.timer = setInterval(() => this.poll(), intervalMs);
  }

  private poll(): void {
    this.polls++;
    for (const file of new Set(this.files())) {
      let stamp = 'missing';
      try {
        const st = fs.statSync(file);
        stamp = `${st.mtimeMs}:${st.size}`;
      } catch {
        // not there (yet): a rerun's run_status.nc appears when dvmdostem starts
      }
      const before = this.seen.get(file);
      this.seen.set(file, stamp);
      if (before !== undefined && before !== stamp) this.onChange(file);
    }
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  dispose(): void {
    this.stop();
  }
}
