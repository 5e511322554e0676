import * as fs from 'node:fs';
import * as path from 'node:path';
import { isObject } from '../configRecord';
import { UserError } from '../errors';

/**
 * The working directory dvmdostem was started in: the recorded config's relative paths are relative
 * to it, and the rerun scripts `cd` into it.
 */

/** One input file or folder named by the recorded config (IO.*_file, IO.*_dir, IO.restart_from). */
export interface RecordedInput {
  key: string;
  value: string;
}

/** Keys the rerun replaces, so their recorded values need not exist. */
const REPLACED_KEYS = new Set(['output_dir', 'runmask_file']);

export function ioSection(config: Record<string, unknown>): Record<string, unknown> | undefined {
  return isObject(config.IO) ? config.IO : undefined;
}

export function recordedInputs(config: Record<string, unknown>): RecordedInput[] {
  const io = ioSection(config);
  if (!io) return [];
  return Object.entries(io)
    .filter(([key, value]) => !REPLACED_KEYS.has(key) && (/_(file|dir)$/.test(key) || key === 'restart_from') && typeof value === 'string' && value !== '')
    .map(([key, value]) => ({ key: `IO.${key}`, value: value as string }));
}

export function missingInputs(workdir: string, inputs: readonly RecordedInput[]): RecordedInput[] {
  return inputs.filter((i) => !fs.existsSync(path.resolve(workdir, i.value)));
}

export interface WorkdirChoice {
  workdir: string;
  inferred: boolean;
  /** How it was found, for messages. */
  how: string;
}

function realOrResolved(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

function ancestors(dir: string): string[] {
  const out: string[] = [];
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    out.push(d);
    if (path.dirname(d) === d) return out;
  }
}

/**
 * The folder from which the recorded output_dir names RUN_DIR, else the nearest folder above RUN_DIR
 * (or the current folder) from which every recorded input exists; undefined when neither is found.
 */
export function inferWorkdir(runDir: string, config: Record<string, unknown>): WorkdirChoice | undefined {
  const outputDir = ioSection(config)?.output_dir;
  const candidates = [...ancestors(runDir), process.cwd()];
  if (typeof outputDir === 'string' && outputDir && !path.isAbsolute(outputDir)) {
    const target = realOrResolved(runDir);
    for (const dir of candidates) {
      if (realOrResolved(path.resolve(dir, outputDir)) === target) return { workdir: dir, inferred: true, how: `the recorded output_dir "${outputDir}" names the run folder from there` };
    }
  }
  const inputs = recordedInputs(config);
  if (!inputs.length) return undefined;
  for (const dir of candidates) {
    if (missingInputs(dir, inputs).length === 0) return { workdir: dir, inferred: true, how: `the ${inputs.length} recorded input files and folders exist from there` };
  }
  return undefined;
}

/** --workdir when given, else inferred; then every recorded input must exist from it. */
export function chooseWorkdir(runDir: string, recordFile: string, config: Record<string, unknown>, explicit?: string): WorkdirChoice {
  let choice: WorkdirChoice;
  if (explicit !== undefined) {
    const dir = path.resolve(explicit);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UserError(`${dir}: working directory not found (--workdir)`);
    choice = { workdir: dir, inferred: false, how: 'given with --workdir' };
  } else {
    const found = inferWorkdir(runDir, config);
    if (!found) {
      const outputDir = ioSection(config)?.output_dir;
      throw new UserError(
        `${recordFile}: cannot tell which folder dvmdostem was started in (the recorded output_dir ${JSON.stringify(outputDir ?? null)} ` +
          'does not name the run folder from any folder above it, and the recorded input files are not all found from one); ' +
          'give it with --workdir',
      );
    }
    choice = found;
  }
  const missing = missingInputs(choice.workdir, recordedInputs(config));
  if (missing.length) {
    const m = missing[0];
    const more = missing.length > 1 ? ` (and ${missing.length - 1} more)` : '';
    throw new UserError(
      `${path.resolve(choice.workdir, m.value)}: recorded input ${m.key} "${m.value}" not found from the working directory ` +
        `${choice.workdir}${more}; ${choice.inferred ? 'give the right folder with --workdir' : 'is --workdir the folder dvmdostem was started in?'}`,
    );
  }
  return choice;
}
