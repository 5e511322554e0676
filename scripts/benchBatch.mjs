// npm run bench:batch [-- --batches 1000 --rows 100 --cols 100 --stitch-batches 12 --stitch-rows 50 --stitch-cols 50 --repeat 3 --dir DIR]
// Generates a full-domain batch-split run of many small batches (batch-N/{config.js, run-mask.nc,
// slurm_runner.sh, output/run_status.nc}; some batches with failures, some never started) and times
// `pyddt-batch status` on it; then a smaller batch run with full outputs and times `pyddt-batch
// stitch` against `cp -r` of one batch's output folder times the number of batches.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeMask, makeRun } from './makeRun.mjs';

const require = createRequire(import.meta.url);
const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const { openNetcdf } = require(path.join(repo, 'out', 'src', 'core', 'netcdf', 'ncfile.js'));

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const batches = arg('batches', 1000);
const rows = arg('rows', 100);
const cols = arg('cols', 100);
const stitchBatches = arg('stitch-batches', 12);
const stitchRows = arg('stitch-rows', 50);
const stitchCols = arg('stitch-cols', 50);
const repeat = arg('repeat', 3);
const dirIndex = process.argv.indexOf('--dir');
const root = path.resolve(dirIndex > 0 ? process.argv[dirIndex + 1] : path.join(os.tmpdir(), 'pyddt-bench-batch'));

let rng = 4242;
const random = () => (rng = (rng * 1103515245 + 12345) % 2147483648) / 2147483648;

/** Status of each of a batch's cells: mostly success, some batches with failures and timeouts. */
function batchStatuses(n, withFailures) {
  return Array.from({ length: n }, () => (withFailures && random() < 0.3 ? (random() < 0.5 ? -100 : -5) : 100));
}

function writeBatchFolder(dir, name) {
  fs.mkdirSync(path.join(dir, 'output'), { recursive: true });
  const config = { IO: { output_dir: path.join(dir, 'output') + '/', runmask_file: path.join(dir, 'run-mask.nc') } };
  fs.writeFileSync(path.join(dir, 'config.js'), JSON.stringify(config, null, 2));
  fs.writeFileSync(
    path.join(dir, 'slurm_runner.sh'),
    `#!/bin/bash -l\n#SBATCH --job-name="ddt-${name}"\n#SBATCH -p t2small\nmpirun ./dvmdostem -f ${dir}/config.js -l disabled\n`,
  );
}

async function generateStatusRun(batchDir) {
  const cells = rows * cols;
  const per = Math.ceil(cells / batches);
  const tmpl = path.join(root, 'templates');
  fs.mkdirSync(tmpl, { recursive: true });
  await makeMask(path.join(tmpl, 'run-mask.nc'), rows, cols, new Array(cells).fill(0));
  // run_status.nc as an MPI build writes it (NetCDF-4), from a template filled per batch.
  spawnSync('ncgen', ['-k', '3', '-o', path.join(tmpl, 'run_status.nc')], {
    input: `netcdf run_status {\ndimensions:\n Y = ${rows} ;\n X = ${cols} ;\nvariables:\n int run_status(Y, X) ;\n  run_status:_FillValue = -9999 ;\n int total_runtime(Y, X) ;\n  total_runtime:_FillValue = -9999 ;\n}\n`,
  });
  for (let b = 0; b < batches; b++) {
    const name = `batch-${b}`;
    const dir = path.join(batchDir, name);
    writeBatchFolder(dir, name);
    const enabled = new Float64Array(cells);
    for (let i = b * per; i < Math.min(cells, (b + 1) * per); i++) enabled[i] = 1;
    fs.copyFileSync(path.join(tmpl, 'run-mask.nc'), path.join(dir, 'run-mask.nc'));
    const mask = await openNetcdf(path.join(dir, 'run-mask.nc'));
    mask.writeNumbers(mask.variable('run'), enabled);
    if (b % 33 === 5) continue; // never started
    const statuses = batchStatuses(per, b % 10 === 3);
    const status = new Float64Array(cells);
    const runtime = new Float64Array(cells).fill(-9999);
    for (let i = b * per, k = 0; i < Math.min(cells, (b + 1) * per); i++, k++) {
      status[i] = statuses[k];
      if (statuses[k] > 0) runtime[i] = 10 + (i % 50);
    }
    const rs = path.join(dir, 'output', 'run_status.nc');
    fs.copyFileSync(path.join(tmpl, 'run_status.nc'), rs);
    const f = await openNetcdf(rs);
    f.writeNumbers(f.variable('run_status'), status);
    f.writeNumbers(f.variable('total_runtime'), runtime);
  }
}

async function generateStitchRun(batchDir) {
  const cells = stitchRows * stitchCols;
  const per = Math.ceil(cells / stitchBatches);
  for (let b = 0; b < stitchBatches; b++) {
    const name = `batch-${b}`;
    const dir = path.join(batchDir, name);
    writeBatchFolder(dir, name);
    const mine = (i) => i >= b * per && i < (b + 1) * per;
    await makeMask(
      path.join(dir, 'run-mask.nc'),
      stitchRows,
      stitchCols,
      Array.from({ length: cells }, (_, i) => (mine(i) ? 1 : 0)),
    );
    const statuses = batchStatuses(per, b % 4 === 1);
    const status = new Int32Array(cells).map((_, i) => (mine(i) ? statuses[i - b * per] : 0));
    await makeRun(path.join(dir, 'output'), {
      rows: stitchRows,
      cols: stitchCols,
      trYears: 10,
      scYears: 5,
      status,
      seed: b,
    });
  }
}

function timed(cmd, args) {
  spawnSync('sync');
  const probeFile = path.join(root, 'probe.json');
  fs.rmSync(probeFile, { force: true });
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    env: { ...process.env, PYDDT_PROBE_FILE: probeFile },
  });
  // Ended with sync too, as in npm run bench and measure.sh: what was written is on disk (stitch puts
  // its files there itself before it returns; cp -r leaves them to the kernel).
  spawnSync('sync');
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const probe = fs.existsSync(probeFile) ? JSON.parse(fs.readFileSync(probeFile, 'utf8')) : { rss: NaN, cpu: NaN };
  return { seconds, rss: probe.rss, cpu: probe.cpu, code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const batchCli = (args) =>
  timed(process.execPath, [
    '-r',
    path.join(repo, 'scripts', 'cpuProbe.cjs'),
    path.join(repo, 'dist', 'pyddt-batch.js'),
    ...args,
  ]);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = (bytes) => `${Math.round(bytes / 2 ** 20)} MB`;

const key = JSON.stringify({ batches, rows, cols, stitchBatches, stitchRows, stitchCols, v: 1 });
const statusRun = path.join(root, 'status-run');
const stitchRun = path.join(root, 'stitch-run');
if (!fs.existsSync(path.join(root, 'key.json')) || fs.readFileSync(path.join(root, 'key.json'), 'utf8') !== key) {
  fs.rmSync(root, { recursive: true, force: true });
  fs.mkdirSync(root, { recursive: true });
  let t0 = Date.now();
  console.log(`Generating ${batches} batches of a ${rows}×${cols} domain in ${statusRun} …`);
  await generateStatusRun(statusRun);
  console.log(`  generated in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  t0 = Date.now();
  console.log(
    `Generating ${stitchBatches} batches with full outputs of a ${stitchRows}×${stitchCols} domain in ${stitchRun} …`,
  );
  await generateStitchRun(stitchRun);
  console.log(`  generated in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  fs.writeFileSync(path.join(root, 'key.json'), key);
}

const statusRuns = [];
for (let i = 0; i < repeat; i++) {
  const r = batchCli(['status', statusRun, '--json']);
  if (r.code !== 1 && r.code !== 0) throw new Error(`pyddt-batch status failed (${r.code}): ${r.stderr}`);
  statusRuns.push(r);
}
const summary = JSON.parse(statusRuns[0].stdout);
console.log(
  `\npyddt-batch status of ${summary.batches.length} batches (${rows}×${cols} domain): median ${median(statusRuns.map((r) => r.seconds)).toFixed(2)} s (CPU ${median(statusRuns.map((r) => r.cpu)).toFixed(2)} s), peak RSS ${mb(Math.max(...statusRuns.map((r) => r.rss)))}`,
);
console.log(
  `  totals ${JSON.stringify(summary.totals)}; not started: ${summary.batches.filter((b) => b.state === 'not-started').length}`,
);

const outputSize = (dir) => fs.readdirSync(dir).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
const stitchTimes = [];
const cpTimes = [];
for (let i = 0; i < repeat; i++) {
  const out = path.join(root, 'stitched');
  const copy = path.join(root, 'copy');
  fs.rmSync(out, { recursive: true, force: true });
  fs.rmSync(copy, { recursive: true, force: true });
  const cp = timed('cp', ['-r', path.join(stitchRun, 'batch-0', 'output'), copy]);
  const s = batchCli(['stitch', stitchRun, out]);
  if (s.code !== 0) throw new Error(`pyddt-batch stitch failed (${s.code}): ${s.stderr}`);
  cpTimes.push(cp.seconds);
  stitchTimes.push(s);
}
const perBatch = median(stitchTimes.map((s) => s.seconds)) / stitchBatches;
const cpOne = median(cpTimes);
console.log(
  `\npyddt-batch stitch of ${stitchBatches} batches (${stitchRows}×${stitchCols}, ${mb(outputSize(path.join(stitchRun, 'batch-0', 'output')))} per batch output):`,
);
console.log(
  `  median ${median(stitchTimes.map((s) => s.seconds)).toFixed(2)} s (CPU ${median(stitchTimes.map((s) => s.cpu)).toFixed(2)} s) = ${perBatch.toFixed(3)} s per batch; cp -r of one batch's output ${cpOne.toFixed(3)} s; ratio ${(perBatch / cpOne).toFixed(2)}×; peak RSS ${mb(Math.max(...stitchTimes.map((s) => s.rss)))}`,
);
