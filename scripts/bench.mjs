// npm run bench [-- --rows 200 --cols 200 --tr-years 30 --sc-years 20 --fail 0.1 --block --repeat 3 --dir DIR
//                  --never-reflink --anchor PATH/merge_patch.py --each]
// Generates a large realistic dvmdostem run folder (its own generator, scripts/makeRun.mjs), then times,
// side by side in one run: `cp -r` of the run folder (the anchor), optionally `cp -r --reflink=never`
// (the baseline on copy-on-write file systems), a plain numpy merge (merge_patch.py of the team's shared
// bench, when python3 has numpy and netCDF4), pyddt-merge and pyddt-salvage. Median of --repeat runs,
// each started and ended with `sync`, inputs in the page cache; peak RSS of every tool. The merged
// folder of the first run is checked value by value with oracle.py (next to merge_patch.py) when present.
//   --block   the failed cells in one block (as when one batch job dies) instead of scattered
//   --dir     where data and scratch go (put it on the file system to measure, e.g. a reflink XFS mount)
//   --never-reflink  for a copy-on-write file system: adds `cp -r --reflink=never` and the floor of a
//             merge that shares unchanged blocks (scripts/reflinkFloor.mjs: clone, rewrite the blocks
//             the merge changed, nothing else)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeMask, makeRun } from './makeRun.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const flag = (name) => process.argv.includes(`--${name}`);
const rows = Number(arg('rows', 200));
const cols = Number(arg('cols', 200));
const trYears = Number(arg('tr-years', 30));
const scYears = Number(arg('sc-years', 20));
const failFraction = Number(arg('fail', 0.1));
const block = flag('block');
const repeat = Number(arg('repeat', 3));
const root = path.resolve(arg('dir', path.join(os.tmpdir(), 'pyddt-bench')));
const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const PY = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

// The numpy anchor: the shared bench's merge_patch.py (next to the main repository, or its worktrees).
const anchor = [
  arg('anchor'),
  path.join(repo, '..', 'shared', 'bench', 'merge_patch.py'),
  path.join(repo, '..', '..', 'shared', 'bench', 'merge_patch.py'),
].find((p) => p && fs.existsSync(p));
const numpyOk = spawnSync(PY, ['-c', 'import numpy, netCDF4'], { stdio: 'ignore' }).status === 0;
const oracle = anchor && path.join(path.dirname(anchor), 'oracle.py');

const key = JSON.stringify({ rows, cols, trYears, scYears, failFraction, block, v: 2 });
const data = path.join(root, 'data');
const output = path.join(data, 'output');
const rerun = path.join(data, 'rerun');
const mask = path.join(data, 'run-mask.nc');
if (!fs.existsSync(path.join(data, 'key.json')) || fs.readFileSync(path.join(data, 'key.json'), 'utf8') !== key) {
  fs.rmSync(root, { recursive: true, force: true });
  console.log(
    `Generating a ${rows}×${cols} run (tr ${trYears} y, sc ${scYears} y, ${Math.round(failFraction * 100)} % failed cells, ${block ? 'in one block' : 'scattered'}) in ${data} …`,
  );
  const t0 = Date.now();
  let rng = 12345;
  const random = () => (rng = (rng * 1103515245 + 12345) % 2147483648) / 2147483648;
  const cells = rows * cols;
  const original = new Int32Array(cells).fill(100);
  // A block: whole rows from the middle of the grid, the way a batch job's cells are laid out.
  const n = Math.round(cells * failFraction);
  const first = Math.floor((cells - n) / 2 / cols) * cols;
  for (let i = 0; i < cells; i++) {
    const failed = block ? i >= first && i < first + n : random() < failFraction;
    if (failed) original[i] = random() < 0.5 ? -100 : -5;
  }
  const rerunStatus = original.map((s) => (s > 0 ? 0 : 100));
  await makeRun(output, { rows, cols, trYears, scYears, status: original, seed: 1 });
  await makeRun(rerun, { rows, cols, trYears, scYears, status: rerunStatus, seed: 2 });
  await makeMask(mask, rows, cols, new Array(cells).fill(1));
  fs.writeFileSync(path.join(data, 'key.json'), key);
  console.log(`  generated in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

const du = (dir) => fs.readdirSync(dir).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
const work = path.join(root, 'work');
const out = path.join(work, 'out');
const hasTime = fs.existsSync('/usr/bin/time');

/** Runs one command from a clean scratch folder with warm inputs: { seconds, rss (bytes), stdout }. */
function timed(cmd, args) {
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  for (const dir of [output, rerun]) for (const f of fs.readdirSync(dir)) fs.readFileSync(path.join(dir, f)).length;
  // Start with no dirty pages waiting, and count the writing back of this command's own pages.
  spawnSync('sync');
  const rssFile = path.join(root, 'rss');
  fs.rmSync(rssFile, { force: true });
  const [c, a] = hasTime ? ['/usr/bin/time', ['-f', '%M', '-o', rssFile, cmd, ...args]] : [cmd, args];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(c, a, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  spawnSync('sync');
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  const rss = fs.existsSync(rssFile) ? Number(fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop()) * 1024 : NaN;
  return { seconds, rss, stdout: String(r.stdout) };
}
const node = (script, args) => [process.execPath, [path.join(repo, 'dist', script), ...args]];

const floorName = 'floor: clone + rewrite the changed blocks';
const floorScript = path.join(repo, 'scripts', 'reflinkFloor.mjs');
const floorPlan = path.join(root, 'floor-plan');
const tools = [
  ['cp -r', ['cp', ['-r', output, out]]],
  ...(flag('never-reflink') ? [['cp -r --reflink=never', ['cp', ['-r', '--reflink=never', output, out]]]] : []),
  ...(anchor && numpyOk ? [['numpy merge (merge_patch.py)', [PY, [anchor, output, rerun, out]]]] : []),
  ['pyddt-merge', node('pyddt-merge.js', [output, rerun, out])],
  // On a copy-on-write file system: the file system work alone of a merge that shares unchanged blocks.
  ...(flag('never-reflink') ? [[floorName, [process.execPath, [floorScript, 'apply', output, floorPlan, out]]]] : []),
  [
    'pyddt-salvage',
    node('pyddt-salvage.js', [output, out, '--original-mask', mask, '--new-mask', path.join(work, 'mask.nc')]),
  ],
];
const times = new Map(tools.map(([n]) => [n, []]));
const rss = new Map(tools.map(([n]) => [n, 0]));
let verdict = 'not checked (oracle.py or numpy missing)';
for (let i = 0; i < repeat; i++) {
  for (const [name, [cmd, args]] of tools) {
    const r = timed(cmd, args);
    times.get(name).push(r.seconds);
    rss.set(name, Math.max(rss.get(name), r.rss));
    if (i === 0 && name === 'pyddt-merge') {
      process.stdout.write(r.stdout.replace(/^/gm, '  | '));
      if (oracle && numpyOk && fs.existsSync(oracle)) {
        const o = spawnSync(PY, [oracle, output, rerun, out], { encoding: 'utf8' });
        verdict = (o.stdout.trim().split('\n').pop() ?? '').slice(0, 160);
        if (o.status !== 0) process.exitCode = 1;
      }
      if (flag('never-reflink')) {
        const p = spawnSync(process.execPath, [floorScript, 'plan', output, out, floorPlan], { encoding: 'utf8' });
        if (p.status !== 0) throw new Error(`reflinkFloor.mjs plan failed:\n${p.stderr}`);
        process.stdout.write(p.stdout);
      }
    }
    if (i === 0 && name === floorName && oracle && numpyOk && fs.existsSync(oracle)) {
      const o = spawnSync(PY, [oracle, output, rerun, out], { encoding: 'utf8' });
      if (o.status !== 0) throw new Error(`the floor's folder is not the merged one:\n${o.stdout.slice(-400)}`);
    }
  }
  if (flag('each'))
    console.log(`  run ${i + 1}: ${tools.map(([n]) => `${n} ${times.get(n)[i].toFixed(2)}`).join(', ')}`);
}
fs.rmSync(work, { recursive: true, force: true });
fs.rmSync(floorPlan, { recursive: true, force: true });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(times.get('cp -r'));
const never = times.has('cp -r --reflink=never') ? median(times.get('cp -r --reflink=never')) : null;
const fsType = spawnSync('findmnt', ['-no', 'FSTYPE', '-T', root], { encoding: 'utf8' }).stdout?.trim() || '?';
const mb = (b) => (Number.isFinite(b) ? `${(b / 1048576).toFixed(0)} MB` : '?');
console.log(
  `\nRun folder: ${fs.readdirSync(output).length} files, ${mb(du(output))}, grid ${rows}×${cols}, ${Math.round(failFraction * 100)} % of cells failed ${block ? 'in one block' : 'scattered'}; ${fsType} at ${root}`,
);
console.log(
  `${new Date().toISOString().slice(0, 16)} UTC, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}; median of ${repeat} runs, each followed by sync, inputs in the page cache`,
);
console.log(`| tool | seconds | × cp -r |${never ? ' × cp -r --reflink=never |' : ''} peak RSS |`);
console.log(`|---|---|---|${never ? '---|' : ''}---|`);
for (const [name] of tools) {
  const t = median(times.get(name));
  console.log(
    `| ${name} | ${t.toFixed(2)} | ${(t / base).toFixed(2)} |${never ? ` ${(t / never).toFixed(2)} |` : ''} ${mb(rss.get(name))} |`,
  );
}
if (!anchor) console.log('numpy merge: not run (merge_patch.py not found: pass --anchor PATH)');
else if (!numpyOk)
  console.log(`numpy merge: not run (${PY} lacks numpy or netCDF4: Debian python3-numpy python3-netcdf4)`);
console.log(`Merge checked by oracle.py: ${verdict}`);
if (never)
  console.log(
    `${floorName}: no computing, no flush (scripts/reflinkFloor.mjs): the least a merge that shares every unchanged block costs here`,
  );
console.log(
  'Targets (issue 11): merge ≤ 1.5× cp -r and faster than the numpy merge, salvage ≤ 1.2× cp -r; on a reflink file system with one failed block: merge ≤ 0.5×, salvage ≤ 0.15× cp -r --reflink=never',
);
