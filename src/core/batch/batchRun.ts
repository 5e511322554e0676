import * as fs from 'node:fs';
import * as path from 'node:path';
import { isObject, parseJsonWithComments } from '../configRecord';
import { asUserError, UserError } from '../errors';
import { requireFolder } from '../paths';

/**
 * Recognises a batch-split dvmdostem run: a folder whose `batch-N` / `batch_N` subfolders are run
 * folders, one SLURM job each. Two layouts are in use:
 * - full-domain (dvm-dos-tem batch_split_for_chinook.py): `batch-N/config.js`, `batch-N/run-mask.nc`
 *   with the whole domain's grid and only this batch's cells on, `batch-N/output/` full-size;
 * - row-slices (whrc/batch-processing `bp batch split`): `batch_N/config/config.js`,
 *   `batch_N/input/run-mask.nc` of 1 × X for row N of the domain, `batch_N/output/`.
 */

export type BatchLayout = 'full-domain' | 'row-slices';

export interface BatchFolder {
  /** Folder name, e.g. `batch-12`. */
  name: string;
  number: number;
  dir: string;
  configPath: string;
  /** The run-mask the batch's config names (or the layout's usual place when that path does not exist). */
  maskPath: string;
  /** The output folder the batch's config names (or `BATCH/output` when that path does not exist). */
  outputDir: string;
  /** `slurm_runner.sh` when present. */
  slurmScript?: string;
}

export interface BatchRun {
  dir: string;
  layout: BatchLayout;
  /** Sorted by batch number (not by name: batch-10 comes after batch-9). */
  batches: BatchFolder[];
}

const BATCH_NAME = /^batch([-_])(\d+)$/;

/** Whether `dir` holds batch folders (cheap: names only). */
export function looksLikeBatchRun(dir: string): boolean {
  try {
    return fs.readdirSync(dir, { withFileTypes: true }).some((d) => d.isDirectory() && BATCH_NAME.test(d.name));
  } catch {
    return false;
  }
}

/**
 * Lists the batches of BATCH_DIR with their config, mask and output paths. Reads each batch's config;
 * a batch folder without one is an error naming the batch.
 */
export function findBatchRun(dir: string): BatchRun {
  requireFolder(dir, 'batch run folder');
  const found = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => ({ name: d.name, m: BATCH_NAME.exec(d.name) }))
    .filter((e): e is { name: string; m: RegExpExecArray } => e.m !== null);
  if (!found.length)
    throw new UserError(`${dir}: no batch folders (expected batch-N/ or batch_N/ subfolders of a batch-split run)`);
  const separators = new Set(found.map((e) => e.m[1]));
  if (separators.size > 1) {
    throw new UserError(
      `${dir}: holds both batch-N and batch_N folders (${found
        .slice(0, 4)
        .map((e) => e.name)
        .join(', ')}, …); expected one batch-split layout`,
    );
  }
  const layout: BatchLayout = found[0].m[1] === '-' ? 'full-domain' : 'row-slices';
  const batches = found
    .map((e) => batchFolder(path.join(dir, e.name), e.name, Number(e.m[2]), layout))
    .sort((a, b) => a.number - b.number);
  for (let i = 1; i < batches.length; i++) {
    if (batches[i].number === batches[i - 1].number)
      throw new UserError(`${dir}: ${batches[i - 1].name} and ${batches[i].name} have the same batch number`);
  }
  return { dir, layout, batches };
}

function batchFolder(dir: string, name: string, number: number, layout: BatchLayout): BatchFolder {
  const configRel = layout === 'full-domain' ? 'config.js' : path.join('config', 'config.js');
  const configPath = path.join(dir, configRel);
  if (!fs.existsSync(configPath)) throw new UserError(`${name}: batch has no config (expected ${configPath})`);
  const io = readBatchConfigIo(configPath, name);
  const usualMask = layout === 'full-domain' ? path.join(dir, 'run-mask.nc') : path.join(dir, 'input', 'run-mask.nc');
  const maskPath = existingPath(io.runmask_file, dir) ?? usualMask;
  const outputDir = existingPath(io.output_dir, dir) ?? path.join(dir, 'output');
  const slurm = path.join(dir, 'slurm_runner.sh');
  return { name, number, dir, configPath, maskPath, outputDir, slurmScript: fs.existsSync(slurm) ? slurm : undefined };
}

/** The `IO` section's string entries of a batch's config (JSON, possibly with comments). */
function readBatchConfigIo(configPath: string, name: string): Record<string, string | undefined> {
  let text: string;
  try {
    text = fs.readFileSync(configPath, 'utf8');
  } catch (err) {
    throw asUserError(err, `${name}: reading its config`);
  }
  let value: unknown;
  try {
    value = parseJsonWithComments(text, configPath);
  } catch (err) {
    throw new UserError(`${name}: ${(err as Error).message}`);
  }
  const io = isObject(value) ? value.IO : undefined;
  if (!isObject(io)) throw new UserError(`${name}: ${configPath} has no "IO" section (expected a dvmdostem config)`);
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(io)) if (typeof v === 'string') out[k] = v;
  return out;
}

/**
 * A config path as dvmdostem would use it, when it exists: absolute as written, else relative to the
 * batch folder (dvmdostem resolves relative paths from where it was started, usually one of these).
 * Undefined when it does not exist, e.g. the batch run was moved after it was split.
 */
function existingPath(p: string | undefined, batchDir: string): string | undefined {
  if (!p) return undefined;
  const candidates = path.isAbsolute(p) ? [p] : [path.resolve(batchDir, p), path.resolve(path.dirname(batchDir), p)];
  return candidates.find((c) => fs.existsSync(c));
}

/** Runs one batch's step; a UserError from it names the batch first (work done for earlier batches stays). */
export async function namingBatch<T>(batch: BatchFolder, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof UserError && !err.message.startsWith(`${batch.name}:`))
      throw new UserError(`${batch.name}: ${err.message}`);
    throw err;
  }
}
