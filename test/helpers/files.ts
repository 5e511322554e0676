import { execFileSync, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Repository root, whether running from test/ (ts) or out/test/ (compiled): the one definition for
 * every suite (unit, faults, fuzz, extension host, e2e).
 */
export const repoRoot = (() => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) || !fs.existsSync(path.join(dir, 'esbuild.mjs'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find the repository root above ${__dirname}`);
    dir = up;
  }
  return dir;
})();

export const fixtureRun = path.join(repoRoot, 'test', 'fixtures', 'dvmdostem-toolik-10x10');
export const fixture = {
  original: path.join(fixtureRun, 'original'),
  rerun: path.join(fixtureRun, 'rerun'),
  mask: path.join(fixtureRun, 'inputs', 'run-mask.nc'),
  rerunMask: path.join(fixtureRun, 'rerun-mask', 'run-mask.nc'),
};
/** The cells the fixture's README says did not succeed, as (row, col): the one list for every suite. */
export const FIXTURE_FAILED_CELLS: [number, number][] = [
  [1, 2],
  [6, 4],
  [7, 9],
  [9, 6],
];
export const FIXTURE_ENABLED_CELLS: [number, number][] = [
  [0, 0],
  [0, 5],
  [1, 2],
  [2, 7],
  [3, 3],
  [4, 8],
  [5, 1],
  [6, 4],
  [7, 9],
  [9, 6],
];

export function tempDir(tag = 'pyddt'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${tag}-`));
}

/** Copies a folder (tests work on copies; the repo's fixtures are never written). */
export function copyDir(src: string, dst: string): string {
  fs.cpSync(src, dst, { recursive: true, preserveTimestamps: true });
  return dst;
}

/** sha256 of every file below `dir`, by relative path, plus each file's mtime to the millisecond. */
export function hashTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const d of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = path.join(rel, d.name);
      if (d.isDirectory()) walk(r);
      else {
        const p = path.join(dir, r);
        out[r] =
          crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex') +
          ' ' +
          String(fs.statSync(p, { bigint: true }).mtimeNs);
      }
    }
  };
  walk('');
  return out;
}

/**
 * Asserts that `copy` holds exactly the files of `source`, byte for byte, each with its source's
 * modification time. Node sets a copy's time through a double (seconds), which keeps it only to about
 * a microsecond, so times are compared to within a millisecond (hashTree compares them exactly: use it
 * for "nothing was written", this for "a faithful copy").
 */
export function assertCopyOf(copy: string, source: string, what = `${copy} as a copy of ${source}`): void {
  const files = (dir: string) =>
    fs
      .readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => path.relative(dir, path.join(d.parentPath ?? d.path, d.name)))
      .sort();
  const names = files(source);
  if (JSON.stringify(files(copy)) !== JSON.stringify(names))
    throw new Error(`${what}: files ${JSON.stringify(files(copy))}, expected ${JSON.stringify(names)}`);
  for (const name of names) {
    const [a, b] = [path.join(copy, name), path.join(source, name)];
    if (hashFile(a) !== hashFile(b)) throw new Error(`${what}: ${name} differs from its source`);
    const drift = Math.abs(fs.statSync(a).mtimeMs - fs.statSync(b).mtimeMs);
    if (drift >= 1) throw new Error(`${what}: ${name} has a modification time ${drift} ms off its source's`);
  }
}

export function hashFile(p: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');
}

export const hasTool = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

/** Writes a NetCDF file with the real netCDF-C library (`ncgen`) from CDL text. */
export function ncgen(
  cdl: string,
  outPath: string,
  kind: 'classic' | '64-bit offset' | 'cdf5' | 'netCDF-4' | 'netCDF-4 classic model',
): string {
  const cdlPath = outPath.replace(/\.nc$/, '') + '.cdl';
  fs.writeFileSync(cdlPath, cdl);
  const k = { classic: '1', '64-bit offset': '2', cdf5: '5', 'netCDF-4': '3', 'netCDF-4 classic model': '4' }[kind];
  execFileSync('ncgen', ['-k', k, '-o', outPath, cdlPath]);
  return outPath;
}

/** `ncdump` output (header only with -h). */
export function ncdump(p: string, ...args: string[]): string {
  return execFileSync('ncdump', [...args, p], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

/** Reads `ncdump -v NAME -p 17,17` data as numbers (NaN for `_` fill markers). */
export function ncdumpValues(p: string, name: string): number[] {
  const text = ncdump(p, '-v', name, '-p', '9,17');
  const data = text.slice(text.indexOf('data:'));
  const m = new RegExp(`\\b${name} =([^;]*);`).exec(data);
  if (!m) throw new Error(`ncdump of ${p} has no data for ${name}`);
  return m[1]
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((t) => (t === '_' ? NaN : Number(t)));
}
