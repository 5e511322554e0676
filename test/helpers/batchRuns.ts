import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gridAxes } from '../../src/core/grid';
import { mergeRuns } from '../../src/core/merge';
import { openNetcdf } from '../../src/core/netcdf/ncfile';
import { readConfigRecord } from '../../src/core/configRecord';
import { recordedInputs } from '../../src/core/rerun/workdir';
import { writeRunMask } from '../../src/core/runMask';
import { fixture, repoRoot, tempDir } from './files';
import { sliceNetcdfRow, sliceRunFolderRow } from './sliceRows';

/**
 * Builds batch-split runs for the tests from the real dvmdostem fixture (10 × 10, 10 enabled cells),
 * with the project's own writers: each batch's output is a copy of a real run folder in which every
 * cell the batch did not run is set back to what dvmdostem writes for a masked cell (fill in outputs
 * and restart files, run_status 0, total_runtime fill).
 */

export const DOMAIN = { rows: 10, cols: 10 };
export const cellIndex = (r: number, c: number) => r * DOMAIN.cols + c;

let cleanRunDir: string | undefined;

/** The fixture's original run with its 4 failed cells taken from the rerun: all 10 cells succeeded. */
export async function cleanRun(): Promise<string> {
  if (!cleanRunDir) {
    const dir = path.join(tempDir('clean-run'), 'output');
    await mergeRuns({ salvagedDir: fixture.original, rerunDir: fixture.rerun, outputDir: dir });
    cleanRunDir = dir;
  }
  return cleanRunDir;
}

/** Copies run folder `src` to `dst` keeping only `cells` (flat indices) as run; the others look masked. */
export async function runFolderWithOnly(src: string, dst: string, cells: Set<number>): Promise<void> {
  fs.mkdirSync(dst, { recursive: true });
  for (const name of fs.readdirSync(src)) {
    const from = path.join(src, name);
    const to = path.join(dst, name);
    if (name === 'fail_log.txt') {
      const keep = fs
        .readFileSync(from, 'utf8')
        .split('\n')
        .filter((line) => {
          const m = /\((\d+), (\d+)\)/.exec(line);
          return m !== null && cells.has(cellIndex(Number(m[1]), Number(m[2])));
        });
      fs.writeFileSync(to, keep.map((l) => l + '\n').join(''));
      continue;
    }
    fs.copyFileSync(from, to);
    if (!name.endsWith('.nc')) continue;
    const file = await openNetcdf(to);
    for (const v of file.variables) {
      const axes = gridAxes(v);
      if (!axes || v.isDimensionOnly) continue;
      const values = file.readNumbers(v);
      const notRun = v.name === 'run_status' ? 0 : -9999;
      const strides = v.shape.map((_, k) => v.shape.slice(k + 1).reduce((n, s) => n * s, 1));
      for (let i = 0; i < values.length; i++) {
        const r = Math.floor(i / strides[axes.y]) % v.shape[axes.y];
        const c = Math.floor(i / strides[axes.x]) % v.shape[axes.x];
        if (!cells.has(cellIndex(r, c))) values[i] = notRun;
      }
      file.writeNumbers(v, values);
    }
  }
}

export interface FullDomainBatchSpec {
  number: number;
  cells: [number, number][];
  /** Which real run the batch's cells come from; 'never' = the job never started (empty output/). */
  from: 'original' | 'clean' | 'never';
}

/**
 * The default full-domain test run: batches numbered out of order on disk (batch-10 … after batch-3
 * by name), one with a failure, one with a failure and two timeouts, one that never started owning
 * two cells the fixture never ran, and 88 cells no batch claims.
 */
export const FULL_DOMAIN_BATCHES: FullDomainBatchSpec[] = [
  {
    number: 3,
    cells: [
      [0, 0],
      [0, 5],
    ],
    from: 'clean',
  },
  {
    number: 9,
    cells: [
      [4, 8],
      [5, 1],
    ],
    from: 'clean',
  },
  {
    number: 10,
    cells: [
      [1, 2],
      [2, 7],
      [3, 3],
    ],
    from: 'original',
  },
  {
    number: 11,
    cells: [
      [8, 0],
      [8, 1],
    ],
    from: 'never',
  },
  {
    number: 12,
    cells: [
      [6, 4],
      [7, 9],
      [9, 6],
    ],
    from: 'original',
  },
];

export function slurmRunner(batchDir: string, name: string, config: string, mpirun = true): string {
  return [
    '#!/bin/bash -l',
    `#SBATCH --job-name="ddt-${name}"`,
    '#SBATCH -p t2small',
    '#SBATCH --time=02:00:00',
    '#SBATCH -n 3',
    `#SBATCH -o ${path.join(batchDir, 'slurm-%j.out')}`,
    '',
    'ulimit -s unlimited',
    'ulimit -l unlimited',
    `${mpirun ? 'mpirun ' : ''}./dvmdostem -f ${config} -l disabled --max-output-volume=-1 -p 5 -e 10 -s 5 -t 10 -n 5`,
    '',
  ].join('\n');
}

/** Writes BATCH_DIR/batch-N/{config.js, run-mask.nc, slurm_runner.sh, output/} for each spec. */
export async function makeFullDomainBatchRun(
  batchDir: string,
  specs: FullDomainBatchSpec[] = FULL_DOMAIN_BATCHES,
  opts: {
    /** Jobs start dvmdostem with mpirun (as on clusters); off where no MPI is installed. */ mpirun?: boolean;
  } = {},
): Promise<string> {
  fs.mkdirSync(batchDir, { recursive: true });
  for (const spec of specs) {
    const name = `batch-${spec.number}`;
    const dir = path.join(batchDir, name);
    fs.mkdirSync(dir);
    const cells = new Set(spec.cells.map(([r, c]) => cellIndex(r, c)));
    const enabled = new Uint8Array(DOMAIN.rows * DOMAIN.cols);
    for (const i of cells) enabled[i] = 1;
    await writeRunMask(fixture.mask, path.join(dir, 'run-mask.nc'), enabled);
    const output = path.join(dir, 'output');
    if (spec.from === 'never') fs.mkdirSync(output);
    else await runFolderWithOnly(spec.from === 'clean' ? await cleanRun() : fixture.original, output, cells);
    const config = {
      IO: { output_dir: output + '/', runmask_file: path.join(dir, 'run-mask.nc'), parameter_dir: 'parameters/' },
      model_settings: { cell_timelimit: 61 },
    };
    fs.writeFileSync(path.join(dir, 'config.js'), JSON.stringify(config, null, 2));
    fs.writeFileSync(
      path.join(dir, 'slurm_runner.sh'),
      slurmRunner(dir, name, path.join(dir, 'config.js'), opts.mpirun ?? true),
    );
  }
  return batchDir;
}

/**
 * A row-slice run (`bp batch split` layout) of `rows` rows: batch_i is row i % 10 of the fixture,
 * cut out of its real files (sliceRows.ts): input/run-mask.nc (with its coordinates, as ncks leaves
 * it, lat and lon too) and output/run_status.nc of the original run, or with `outputs` the original run's whole
 * output folder. `neverStarted` batches have an empty output/, `missing` rows no batch folder.
 */
export async function makeRowSliceBatchRun(
  batchDir: string,
  opts: { rows: number; neverStarted?: number[]; missing?: number[]; outputs?: boolean; mpirun?: boolean },
): Promise<string> {
  fs.mkdirSync(batchDir, { recursive: true });
  for (let i = 0; i < opts.rows; i++) {
    if (opts.missing?.includes(i)) continue;
    const dir = path.join(batchDir, `batch_${i}`);
    for (const sub of ['input', 'config', 'output']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
    await sliceNetcdfRow(fixture.mask, path.join(dir, 'input', 'run-mask.nc'), i % DOMAIN.rows);
    const output = path.join(dir, 'output');
    if (opts.neverStarted?.includes(i)) {
      // nothing written
    } else if (opts.outputs) await sliceRunFolderRow(fixture.original, output, i % DOMAIN.rows);
    else
      await sliceNetcdfRow(
        path.join(fixture.original, 'run_status.nc'),
        path.join(output, 'run_status.nc'),
        i % DOMAIN.rows,
      );
    const config = {
      IO: { output_dir: output, runmask_file: path.join(dir, 'input', 'run-mask.nc') },
    };
    fs.writeFileSync(path.join(dir, 'config', 'config.js'), `// bp batch split\n${JSON.stringify(config, null, 2)}\n`);
    fs.writeFileSync(
      path.join(dir, 'slurm_runner.sh'),
      slurmRunner(dir, `batch_${i}`, path.join(dir, 'config', 'config.js'), opts.mpirun ?? true),
    );
  }
  return batchDir;
}

/** Runs the built pyddt-batch CLI. */
export function batchCli(args: string[]) {
  const script = path.join(repoRoot, 'dist', 'pyddt-batch.js');
  assert.ok(fs.existsSync(script), `${script} is missing: run npm run build first`);
  const r = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A dvmdostem folder: the stand-in model as ./dvmdostem and the inputs the recorded configs name (empty files). */
export async function makeDvmdostemHome(): Promise<string> {
  const wd = path.join(tempDir('dvmdostem-home'), 'dvm-dos-tem');
  fs.mkdirSync(path.join(wd, 'parameters'), { recursive: true });
  fs.symlinkSync(path.join(repoRoot, 'test', 'standin', 'dvmdostem'), path.join(wd, 'dvmdostem'));
  for (const input of recordedInputs((await readConfigRecord(fixture.original)).config)) {
    const p = path.join(wd, input.value);
    if (input.key.endsWith('_dir')) fs.mkdirSync(p, { recursive: true });
    else {
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, '');
    }
  }
  return wd;
}
