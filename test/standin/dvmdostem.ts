/**
 * FOR TESTS ONLY: a stand-in for the dvmdostem model, so the rescue loop (salvage → rerun → merge →
 * check) can be driven end to end without building the model. It is not a model and computes nothing.
 *
 * Like dvmdostem it: parses `-f CONFIG -p -e -s -t -n -l …` (and rejects options dvmdostem does not
 * have), reads the config (JSON with `//` comments) relative to the folder it was started in, checks
 * that the recorded input files exist, reads the run mask (variable `run`), DELETES its output_dir at
 * start-up (unless --no-output-cleanup or restart_from), and writes config_record.js, run_status.nc,
 * fail_log.txt and the output and restart files into output_dir.
 *
 * The data are the fixture's real rerun files (test/fixtures/dvmdostem-toolik-10x10/rerun/), written
 * through the project's own core; a run mask of one row (`bp batch split` slices every input to a row)
 * gets that row of them, found by the mask's latitudes as the model finds its place in its inputs: cells the mask does not enable are masked (0) in run_status.nc and
 * hold the fill value everywhere; an enabled cell the fixture has no data for is failed (-100) with a
 * fail_log.txt line. Time lengths are the fixture's, whatever -t and -n say.
 *
 * Run through test/standin/dvmdostem (a bash wrapper) after `npm run compile-tests`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isObject, parseJsonWithComments } from '../../src/core/configRecord';
import { STATUS_CODES } from '../../src/shared/cellStates';
import { gridAxes } from '../../src/core/grid';
import { openNetcdf } from '../../src/core/netcdf/ncfile';
import { missingInputs, recordedInputs } from '../../src/core/rerun/workdir';
import { readRunMask } from '../../src/core/runMask';
import { readRunStatus } from '../../src/core/runStatus';
import { fixture } from '../helpers/files';
import { sliceRunFolderRow } from '../helpers/sliceRows';

const VALUE_OPTIONS: Record<string, string> = {
  f: 'ctrl-file',
  l: 'log-level',
  p: 'pr-yrs',
  e: 'eq-yrs',
  s: 'sp-yrs',
  t: 'tr-yrs',
  n: 'sc-yrs',
  o: 'loop-order',
  m: 'max-eq',
};
const LONG_VALUE_OPTIONS = new Set([...Object.values(VALUE_OPTIONS), 'log-scope', 'max-output-volume', 'last-n-json']);
const FLAG_OPTIONS: Record<string, string> = { c: 'cal-mode', x: 'fpe', h: 'help' };
const LONG_FLAGS = new Set([
  ...Object.values(FLAG_OPTIONS),
  'no-output-cleanup',
  'archive-all-json',
  'inter-stage-pause',
  'restart-run',
]);
const YEAR_OPTIONS = ['pr-yrs', 'eq-yrs', 'sp-yrs', 'tr-yrs', 'sc-yrs'];

class StandinError extends Error {}

function parseArgv(argv: string[]): Map<string, string | true> {
  const out = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    let name: string | undefined;
    let value: string | undefined;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      name = a.slice(2, eq < 0 ? undefined : eq);
      if (eq >= 0) value = a.slice(eq + 1);
    } else if (a.startsWith('-') && a.length >= 2) {
      name = VALUE_OPTIONS[a[1]] ?? FLAG_OPTIONS[a[1]];
      if (!name) throw new StandinError(`unrecognised option '${a}'`);
      if (a.length > 2) value = a.slice(2);
    } else throw new StandinError(`too many positional options have been specified on the command line ('${a}')`);
    if (LONG_FLAGS.has(name)) {
      if (value !== undefined) throw new StandinError(`option '--${name}' does not take any arguments`);
      out.set(name, true);
    } else if (LONG_VALUE_OPTIONS.has(name)) {
      value ??= argv[++i];
      if (value === undefined) throw new StandinError(`the required argument for option '--${name}' is missing`);
      out.set(name, value);
    } else throw new StandinError(`unrecognised option '${a}'`);
  }
  for (const y of YEAR_OPTIONS) {
    const v = out.get(y);
    if (typeof v === 'string' && !/^-?\d+$/.test(v))
      throw new StandinError(`the argument ('${v}') for option '--${y}' is invalid`);
  }
  return out;
}

/** Row and column of element `k` of a variable with a (y, x) pair anywhere in its dimensions. */
function cellIndexer(shape: number[], axes: { y: number; x: number }): (k: number) => [number, number] {
  const stride = (d: number) => shape.slice(d + 1).reduce((n, s) => n * s, 1);
  const sy = stride(axes.y);
  const sx = stride(axes.x);
  return (k) => [Math.floor(k / sy) % shape[axes.y], Math.floor(k / sx) % shape[axes.x]];
}

/** Sets every grid variable of a file to the fill value at the given cells (flat row * cols + col). */
async function blankCells(file: string, cells: Set<number>, cols: number): Promise<void> {
  if (!cells.size) return;
  const nc = await openNetcdf(file);
  for (const v of nc.variables) {
    const axes = gridAxes(v);
    if (!axes || v.isDimensionOnly || v.dtype.kind === 'char' || v.dtype.kind === 'other') continue;
    const values = nc.readNumbers(v);
    const cellOf = cellIndexer(v.shape, axes);
    for (let k = 0; k < values.length; k++) {
      const [r, c] = cellOf(k);
      if (cells.has(r * cols + c)) values[k] = STATUS_CODES.fill;
    }
    nc.writeNumbers(v, values);
  }
}

const STAGE_OF_OUTPUT = /_(pr|eq|sp|tr|sc)\.nc$/;
const STAGE_YEARS: Record<string, string> = { pr: 'pr-yrs', eq: 'eq-yrs', sp: 'sp-yrs', tr: 'tr-yrs', sc: 'sc-yrs' };
const DEFAULT_YEARS: Record<string, number> = {
  'pr-yrs': 100,
  'eq-yrs': 1000,
  'sp-yrs': 100,
  'tr-yrs': 0,
  'sc-yrs': 0,
};

/** The fixture's rerun folder, or for a mask of one row of its grid that row of it (in a temporary folder). */
async function dataFor(maskPath: string, rows: number): Promise<string> {
  const fixtureMask = await openNetcdf(fixture.mask);
  const fixtureRows = fixtureMask.variable('run')!.shape[0];
  if (rows === fixtureRows) return fixture.rerun;
  // lat(Y, X): the first cell's latitude names the row (the fixture mask's y coordinate is all fill).
  const lat = await openNetcdf(maskPath).then((nc) => nc.variable('lat') && nc.readNumbers(nc.variable('lat')!));
  const fixtureLat = fixtureMask.readNumbers(fixtureMask.variable('lat')!);
  const cols = fixtureLat.length / fixtureRows;
  let row = -1;
  if (lat?.length === cols)
    for (let r = 0; r < fixtureRows && row < 0; r++) if (fixtureLat[r * cols] === lat[0]) row = r;
  if (row < 0) throw new StandinError(`${maskPath}: not the fixture's grid, nor one row of it (by its lat coordinate)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `standin-row-${row}-`));
  await sliceRunFolderRow(fixture.rerun, dir, row);
  return dir;
}

async function main(argv: string[]): Promise<void> {
  const args = parseArgv(argv);
  if (args.get('help')) {
    process.stdout.write(
      'stand-in dvmdostem (tests only): -f CONFIG -p N -e N -s N -t N -n N -l LEVEL [--no-output-cleanup]\n',
    );
    return;
  }
  const years = (opt: string) => Number(args.get(opt) ?? DEFAULT_YEARS[opt]);
  const configPath = (args.get('ctrl-file') as string | undefined) ?? 'config/config.js';
  if (!fs.existsSync(configPath))
    throw new StandinError(`control file not found: ${configPath} (from ${process.cwd()})`);
  const config = parseJsonWithComments(fs.readFileSync(configPath, 'utf8'), configPath);
  if (!isObject(config) || !isObject(config.IO)) throw new StandinError(`${configPath}: no IO section`);
  const io = config.IO;
  const outputDir = typeof io.output_dir === 'string' ? io.output_dir : '';
  const maskPath = typeof io.runmask_file === 'string' ? io.runmask_file : '';
  if (!outputDir || !maskPath) throw new StandinError(`${configPath}: IO.output_dir and IO.runmask_file are required`);
  const missing = missingInputs(process.cwd(), recordedInputs(config));
  if (missing.length)
    throw new StandinError(`cannot open ${missing[0].value} (${missing[0].key}) from ${process.cwd()}`);
  const mask = await readRunMask(maskPath);
  const { cols } = mask.grid;

  console.log(
    `stand-in dvmdostem: config ${configPath}, output_dir ${outputDir}, ${mask.enabled.reduce((n, e) => n + e, 0)} cells enabled`,
  );
  if (!args.get('no-output-cleanup') && !io.restart_from) fs.rmSync(outputDir, { recursive: true, force: true });
  fs.mkdirSync(outputDir, { recursive: true });
  const argv0 = process.env.STANDIN_ARGV0 ?? 'dvmdostem';
  const record = [
    '{',
    `\t"CLI_command" : ${JSON.stringify([argv0, ...argv].join(' ') + ' ')},`,
    `\t"original_config" : ${JSON.stringify(config, null, '\t').replace(/\n/g, '\n\t')},`,
    '\t// written by the test stand-in, not by dvmdostem',
    '\t"other_config" : { "git_sha" : "test-standin", "process_count" : 1 }',
    '}',
  ].join('\n');
  fs.writeFileSync(path.join(outputDir, 'config_record.js'), record);

  const data = await dataFor(maskPath, mask.grid.rows);
  const source = await readRunStatus(path.join(data, 'run_status.nc'));
  const blank = new Set<number>();
  const failed: number[] = [];
  for (let i = 0; i < mask.enabled.length; i++) {
    const hasData = source.status[i] > 0;
    if (!mask.enabled[i] && hasData) blank.add(i);
    if (mask.enabled[i] && !hasData) failed.push(i);
  }
  for (const name of fs
    .readdirSync(data)
    .filter((f) => f.endsWith('.nc'))
    .sort()) {
    const stage = STAGE_OF_OUTPUT.exec(name)?.[1];
    if (stage && years(STAGE_YEARS[stage]) <= 0) continue;
    if (stage && !name.startsWith('restart-') && io[`output_nc_${stage}`] === 0) continue;
    const dest = path.join(outputDir, name);
    fs.copyFileSync(path.join(data, name), dest);
    if (name === 'run_status.nc') {
      const nc = await openNetcdf(dest);
      const status = nc.variable('run_status')!;
      const runtime = nc.variable('total_runtime')!;
      const rt = nc.readNumbers(runtime);
      nc.writeNumbers(
        status,
        Array.from(mask.enabled, (e, i) =>
          !e ? STATUS_CODES.masked : source.status[i] > 0 ? STATUS_CODES.success : STATUS_CODES.fail,
        ),
      );
      nc.writeNumbers(
        runtime,
        Array.from(rt, (v, i) => (mask.enabled[i] && source.status[i] > 0 ? v : STATUS_CODES.fill)),
      );
    } else await blankCells(dest, blank, cols);
  }
  const failLog = failed.map(
    (i) =>
      `EXCEPTION!! At pixel at (row, col): (${Math.floor(i / cols)}, ${i % cols}) stand-in dvmdostem: no fixture data for this cell\n`,
  );
  if (failLog.length) fs.writeFileSync(path.join(outputDir, 'fail_log.txt'), failLog.join(''));
  if (data !== fixture.rerun) fs.rmSync(data, { recursive: true, force: true });
  console.log(
    `stand-in dvmdostem: done, ${mask.enabled.reduce((n, e) => n + e, 0) - failed.length} cells succeeded, ${failed.length} failed`,
  );
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`stand-in dvmdostem: ERROR: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
