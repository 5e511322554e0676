// TEMPORARY SHIM (branch rerun-ext only): the agreed interface of issue 9; replaced by rerun-core's module.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'jsonc-parser';
import { UserError } from './errors';
import { readRunMask } from './runMask';

export interface PrepareRerunOptions {
  runDir: string; rerunDir: string; mask: string;
  workdir?: string; dvmdostem?: string; cellTimelimit?: number; mpiRanks?: number;
  partition?: string; time?: string; account?: string; jobName?: string;
  slurmTemplate?: string;
  dryRun?: boolean;
}
export interface RerunPlan {
  rerunDir: string; outputDir: string;
  configPath: string; maskPath: string; runScript: string; slurmScript: string;
  workdir: string; workdirInferred: boolean;
  program: string; args: string[];
  cells: number;
  timedOutCells: number;
  cellTimelimit?: number;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export async function planRerun(o: PrepareRerunOptions): Promise<RerunPlan> {
  const recordPath = path.join(o.runDir, 'config_record.js');
  if (!fs.existsSync(recordPath)) throw new UserError(`${recordPath}: config_record.js not found`);
  const record = parse(fs.readFileSync(recordPath, 'utf8')) as { CLI_command: string };
  if (!o.workdir) throw new UserError(`${o.runDir}: cannot infer the working directory; give --workdir`);
  const argv = record.CLI_command.trim().split(/\s+/);
  const args: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    if (argv[i] === '-f') i++;
    else args.push(argv[i]);
  }
  const mask = await readRunMask(o.mask);
  const rerunDir = path.resolve(o.rerunDir);
  return {
    rerunDir, outputDir: path.join(rerunDir, 'output'),
    configPath: path.join(rerunDir, 'config.js'), maskPath: path.join(rerunDir, 'run-mask.nc'),
    runScript: path.join(rerunDir, 'run.sh'), slurmScript: path.join(rerunDir, 'slurm_runner.sh'),
    workdir: o.workdir, workdirInferred: false,
    program: o.dvmdostem ?? argv[0], args: [...args, '-f', path.join(rerunDir, 'config.js')],
    cells: mask.enabled.reduce((a, b) => a + b, 0), timedOutCells: 0, cellTimelimit: o.cellTimelimit,
  };
}

export async function prepareRerun(o: PrepareRerunOptions): Promise<RerunPlan> {
  const plan = await planRerun(o);
  const record = parse(fs.readFileSync(path.join(o.runDir, 'config_record.js'), 'utf8')) as { original_config: any };
  const config = record.original_config;
  config.IO.runmask_file = plan.maskPath;
  config.IO.output_dir = plan.outputDir + '/';
  fs.mkdirSync(plan.rerunDir, { recursive: true });
  fs.writeFileSync(plan.configPath, JSON.stringify(config, null, 2));
  fs.copyFileSync(o.mask, plan.maskPath);
  const cmd = [plan.program, ...plan.args].map(q).join(' ');
  fs.writeFileSync(plan.runScript, `#!/bin/bash\nset -e\ncd ${q(plan.workdir)}\n${cmd}\n`, { mode: 0o755 });
  fs.writeFileSync(plan.slurmScript, `#!/bin/bash\n#SBATCH --job-name=rerun\n#SBATCH -o ${q(path.join(plan.rerunDir, 'slurm-%j.out'))}\ncd ${q(plan.workdir)}\n${cmd}\n`, { mode: 0o755 });
  return plan;
}
