import * as path from 'node:path';
import { commentText, sbatchQuote, shQuote, slurmFilename } from './shellQuote';

/**
 * The two scripts of a rerun folder: run.sh (runs dvmdostem here) and slurm_runner.sh (an sbatch
 * job). Both `cd` into the original working directory and run the recorded command line with the
 * rerun's config; every path is quoted (see shellQuote.ts).
 */

export interface ScriptInput {
  rerunDir: string;
  runDir: string;
  workdir: string;
  program: string;
  args: string[];
  cells: number;
  mpiRanks?: number;
  partition?: string;
  time?: string;
  account?: string;
  jobName: string;
  /** Text of an existing slurm_runner.sh whose other #SBATCH lines and set-up lines are kept. */
  slurmTemplate?: string;
}

export const DEFAULT_JOB_NAME = 'dvmdostem-rerun';

/** The words the scripts run: [mpirun -n N] program args. */
export function commandWords(s: Pick<ScriptInput, 'program' | 'args' | 'mpiRanks'>): string[] {
  return [...(s.mpiRanks ? ['mpirun', '-n', String(s.mpiRanks)] : []), s.program, ...s.args];
}

function header(s: ScriptInput, what: string): string[] {
  return [
    `# ${what}: reruns the ${s.cells} cells enabled in run-mask.nc of the run`,
    `#   ${commentText(s.runDir)}`,
    '# Written by pyddt-rerun. dvmdostem deletes its output_dir at start-up, so the rerun writes into',
    '# output/ in this folder (a new folder); merge it afterwards with pyddt-merge.',
  ];
}

function body(s: ScriptInput): string[] {
  return ['set -e', `cd -- ${shQuote(s.workdir)}`, `exec ${commandWords(s).map(shQuote).join(' ')}`];
}

export function runScript(s: ScriptInput): string {
  return ['#!/usr/bin/env bash', ...header(s, 'run.sh'), ...body(s), ''].join('\n');
}

/** #SBATCH options this tool sets, by long name, with their short spellings. */
const OWN_OPTIONS: Record<string, string[]> = {
  'job-name': ['-J'],
  output: ['-o'],
  error: ['-e'],
  partition: ['-p'],
  time: ['-t'],
  account: ['-A'],
  ntasks: ['-n'],
};

function sbatchOptionName(line: string): string | undefined {
  const m = /^#SBATCH\s+(--[a-z-]+|-[A-Za-z])/.exec(line);
  if (!m) return undefined;
  const opt = m[1];
  if (opt.startsWith('--')) return opt.slice(2);
  return Object.keys(OWN_OPTIONS).find((k) => OWN_OPTIONS[k].includes(opt)) ?? opt;
}

export function slurmScript(s: ScriptInput): string {
  const own: [string, string | undefined][] = [
    ['job-name', s.jobName],
    ['output', path.join(slurmFilename(s.rerunDir), 'slurm-%j.out')],
    ['ntasks', String(s.mpiRanks ?? 1)],
    ['partition', s.partition],
    ['time', s.time],
    ['account', s.account],
  ];
  const set = new Set(own.filter(([, v]) => v !== undefined).map(([k]) => k));
  if (set.has('output')) set.add('error');
  const directives = own.filter(([, v]) => v !== undefined).map(([k, v]) => `#SBATCH --${k}=${sbatchQuote(v!)}`);
  const setup: string[] = [];
  if (s.slurmTemplate !== undefined) {
    const { kept, lines } = templateParts(s.slurmTemplate, set, s.program);
    directives.push(...kept);
    setup.push(...lines);
  }
  return ['#!/usr/bin/env bash', ...directives, ...header(s, 'slurm_runner.sh (submit with sbatch)'), ...setup, ...body(s), ''].join('\n');
}

/**
 * From a batch's own slurm_runner.sh: its other #SBATCH lines (nodes, mail, …) and its set-up lines
 * (module load, ulimit, sourcing an environment). Its comments, `cd` and the lines that start the
 * model are replaced by this tool's.
 */
function templateParts(text: string, own: Set<string>, program: string): { kept: string[]; lines: string[] } {
  const kept: string[] = [];
  const lines: string[] = [];
  const programName = path.basename(program);
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (t.startsWith('#SBATCH')) {
      const name = sbatchOptionName(t);
      if (!name || !own.has(name)) kept.push(t);
      continue;
    }
    if (!t || t.startsWith('#')) continue;
    if (/^cd(\s|$)/.test(t) || /\b(mpirun|srun|mpiexec)\b/.test(t) || t.includes('dvmdostem') || t.includes(programName)) continue;
    lines.push(line);
  }
  return { kept, lines };
}
