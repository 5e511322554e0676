// npm run bench [-- --rows 200 --cols 200 --tr-years 30 --sc-years 20 --fail 0.1 --repeat 3 --dir DIR]
// Generates a large realistic dvmdostem run folder, then times salvage and merge against `cp -r`
// of the same folder in the same run, and reports the ratios and the tools' peak memory.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeMask, makeRun } from './makeRun.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const rows = Number(arg('rows', 200));
const cols = Number(arg('cols', 200));
const trYears = Number(arg('tr-years', 30));
const scYears = Number(arg('sc-years', 20));
const failFraction = Number(arg('fail', 0.1));
const repeat = Number(arg('repeat', 3));
const root = path.resolve(arg('dir', path.join(os.tmpdir(), 'pyddt-bench')));
const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

const key = JSON.stringify({ rows, cols, trYears, scYears, failFraction, v: 1 });
const data = path.join(root, 'data');
if (!fs.existsSync(path.join(data, 'key.json')) || fs.readFileSync(path.join(data, 'key.json'), 'utf8') !== key) {
  fs.rmSync(root, { recursive: true, force: true });
  console.log(`Generating a ${rows}×${cols} run (tr ${trYears} y, sc ${scYears} y, ${Math.round(failFraction * 100)} % failed cells) in ${data} …`);
  const t0 = Date.now();
  let rng = 12345;
  const random = () => ((rng = (rng * 1103515245 + 12345) % 2147483648) / 2147483648);
  const cells = rows * cols;
  const original = new Int32Array(cells).fill(100);
  for (let i = 0; i < cells; i++) if (random() < failFraction) original[i] = random() < 0.5 ? -100 : -5;
  const rerun = original.map((s) => (s > 0 ? 0 : 100));
  await makeRun(path.join(data, 'output'), { rows, cols, trYears, scYears, status: original, seed: 1 });
  await makeRun(path.join(data, 'rerun'), { rows, cols, trYears, scYears, status: rerun, seed: 2 });
  await makeMask(path.join(data, 'run-mask.nc'), rows, cols, new Array(cells).fill(1));
  fs.writeFileSync(path.join(data, 'key.json'), key);
  console.log(`  generated in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

const du = (dir) => fs.readdirSync(dir).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
const work = path.join(root, 'work');

function timed(cmd, args, opts = {}) {
  // Start every measurement with no dirty pages waiting to be written back, so one command's
  // writes do not slow down the next one's.
  spawnSync('sync');
  const rssFile = path.join(root, 'rss');
  fs.rmSync(rssFile, { force: true });
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PYDDT_RSS_FILE: rssFile }, ...opts });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  const rss = fs.existsSync(rssFile) ? Number(fs.readFileSync(rssFile, 'utf8')) : NaN;
  return { seconds, rss, stdout: String(r.stdout) };
}
const node = (script, args) => timed(process.execPath, ['-r', path.join(repo, 'scripts', 'rssProbe.cjs'), path.join(repo, 'dist', script), ...args]);
const fresh = () => {
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const output = path.join(data, 'output');
const rerun = path.join(data, 'rerun');
const size = du(output);
const results = { cpSalvage: [], salvage: [], cpMerge: [], merge: [], salvageRss: [], mergeRss: [] };
for (let i = 0; i < repeat; i++) {
  fresh();
  results.cpSalvage.push(timed('cp', ['-r', output, path.join(work, 'copy')]).seconds);
  fresh();
  const s = node('pyddt-salvage.js', [output, path.join(work, 'backup'), '--original-mask', path.join(data, 'run-mask.nc'), '--new-mask', path.join(work, 'mask.nc')]);
  results.salvage.push(s.seconds);
  results.salvageRss.push(s.rss);
  const backup = path.join(work, 'backup');
  results.cpMerge.push(timed('cp', ['-r', backup, path.join(work, 'copy')]).seconds);
  fs.rmSync(path.join(work, 'copy'), { recursive: true });
  const m = node('pyddt-merge.js', [backup, rerun, path.join(work, 'merged')]);
  results.merge.push(m.seconds);
  results.mergeRss.push(m.rss);
  if (i === 0) process.stdout.write(m.stdout.replace(/^/gm, '  | '));
  if (process.argv.includes('--each')) console.log(`  run ${i + 1}: cp ${results.cpSalvage[i].toFixed(2)} salvage ${s.seconds.toFixed(2)} cp ${results.cpMerge[i].toFixed(2)} merge ${m.seconds.toFixed(2)}`);
}
fresh();

const mb = (b) => `${(b / 1e6).toFixed(0)} MB`;
const line = (label, t, base) => `${label.padEnd(28)} ${median(t).toFixed(2).padStart(7)} s   ${(median(t) / median(base)).toFixed(2)}× cp -r`;
console.log(`\nRun folder: ${fs.readdirSync(output).length} files, ${mb(size)}, grid ${rows}×${cols}; median of ${repeat} runs`);
console.log(line('cp -r (salvage baseline)', results.cpSalvage, results.cpSalvage));
console.log(line('pyddt-salvage', results.salvage, results.cpSalvage) + `   (target ≤ 1.2×)   peak RSS ${mb(Math.max(...results.salvageRss))}`);
console.log(line('cp -r (merge baseline)', results.cpMerge, results.cpMerge));
console.log(line('pyddt-merge', results.merge, results.cpMerge) + `   (target ≤ 1.5×)   peak RSS ${mb(Math.max(...results.mergeRss))}`);
