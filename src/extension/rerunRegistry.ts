import * as path from 'node:path';
import type * as vscode from 'vscode';

/** A rerun prepared from this workspace: what Merge needs later (the three folders) and the SLURM job. */
export interface KnownRerun {
  /** The run the rerun was prepared from (usually the salvage backup): Merge's "salvaged" folder. */
  runDir: string;
  rerunDir: string;
  /** rerunDir/output: where dvmdostem writes the rerun (Merge's "rerun" folder). */
  outputDir: string;
  mask: string;
  /** Merge was offered once the rerun had no cell left to run (offered once per rerun). */
  mergeOffered?: boolean;
}

/**
 * What the workspace remembers between sessions (workspaceState): the new mask each salvage wrote
 * (Prepare Rerun's default mask for that backup) the reruns prepared, and the SLURM job ids.
 */
export class RerunRegistry {
  private static readonly SALVAGES = 'dvmdostem.salvagedMasks';
  private static readonly RERUNS = 'dvmdostem.reruns';
  private static readonly JOBS = 'dvmdostem.slurmJobs';
  constructor(private readonly state: vscode.Memento) {}

  rememberSalvage(backupDir: string, newMask: string): void {
    const all = this.state.get<Record<string, string>>(RerunRegistry.SALVAGES, {});
    void this.state.update(RerunRegistry.SALVAGES, { ...all, [path.resolve(backupDir)]: newMask });
  }

  /** The new mask written by the salvage that made `runDir` (a backup), if any. */
  salvageMask(runDir: string): string | undefined {
    return this.state.get<Record<string, string>>(RerunRegistry.SALVAGES, {})[path.resolve(runDir)];
  }

  /** Keeps the SLURM job id of a submitted rerun folder (also one only named in tasks.json). */
  rememberJob(rerunDir: string, jobId: string): Thenable<void> {
    const all = this.state.get<Record<string, string>>(RerunRegistry.JOBS, {});
    return this.state.update(RerunRegistry.JOBS, { ...all, [path.resolve(rerunDir)]: jobId });
  }

  job(rerunDir: string): string | undefined {
    return this.state.get<Record<string, string>>(RerunRegistry.JOBS, {})[path.resolve(rerunDir)];
  }

  reruns(): KnownRerun[] {
    return this.state.get<KnownRerun[]>(RerunRegistry.RERUNS, []);
  }

  /** The rerun whose folder or output folder is `dir`. */
  find(dir: string): KnownRerun | undefined {
    const d = path.resolve(dir);
    return this.reruns().find((r) => r.rerunDir === d || r.outputDir === d);
  }

  async remember(rerun: KnownRerun): Promise<void> {
    const others = this.reruns().filter((r) => r.rerunDir !== rerun.rerunDir);
    await this.state.update(RerunRegistry.RERUNS, [...others, rerun]);
  }

  async update(rerunDir: string, change: Partial<KnownRerun>): Promise<KnownRerun | undefined> {
    const found = this.find(rerunDir);
    if (!found) return undefined;
    const updated = { ...found, ...change };
    await this.remember(updated);
    return updated;
  }
}
