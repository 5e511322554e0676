import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { mergeRuns } from '../../src/core/merge';
import { UserError } from '../../src/core/errors';
import { hasTool, ncdump, ncgen, tempDir } from '../helpers/files';
import { verifyMergedFile } from '../helpers/values';

/**
 * Small runs made by the real netCDF-C library (ncgen), covering what dvmdostem writes and what it
 * could: classic and 64-bit-offset files, NetCDF-4 contiguous and chunked+compressed, int/float/double,
 * spatial dimensions first, last, transposed, and around other dimensions, and record variables.
 */

const ROWS = 4;
const COLS = 5;
type Kind = Parameters<typeof ncgen>[2];

function list(n: number, f: (i: number) => number): string {
  return Array.from({ length: n }, (_, i) => f(i)).join(', ');
}

function statusCdl(values: number[]): string {
  return `netcdf run_status {
dimensions: Y = ${ROWS} ; X = ${COLS} ;
variables:
  int run_status(Y, X) ; run_status:_FillValue = -9999 ;
  int total_runtime(Y, X) ; total_runtime:_FillValue = -9999 ;
data:
  run_status = ${values.join(', ')} ;
  total_runtime = ${values.map((v, i) => (v > 0 ? i + 1 : -9999)).join(', ')} ;
}`;
}

function dataCdl(seed: number, chunked: boolean): string {
  const chunk = (spec: string) => (chunked ? ` ${spec}:_Storage = "chunked" ; ${spec}:_DeflateLevel = 1 ;` : '');
  const n = ROWS * COLS;
  return `netcdf data {
dimensions: time = UNLIMITED ; pft = 3 ; y = ${ROWS} ; x = ${COLS} ; layer = 2 ;
variables:
  double time(time) ;
  double gridlast(time, pft, y, x) ; gridlast:_FillValue = -9999. ;${chunk('gridlast')}
  int gridfirst(y, x, pft) ; gridfirst:_FillValue = -9999 ;${chunk('gridfirst')}
  float transposed(x, y) ;${chunk('transposed')}
  short between(y, layer, x) ;
  double lat(y, x) ;
  float notgrid(pft) ;
data:
  time = 0, 365 ;
  gridlast = ${list(2 * 3 * n, (i) => seed * 1000 + i + 0.25)} ;
  gridfirst = ${list(n * 3, (i) => seed * 1000 + i)} ;
  transposed = ${list(n, (i) => seed + i / 4)} ;
  between = ${list(n * 2, (i) => seed * 100 + i)} ;
  lat = ${list(n, (i) => 60 + i / 100)} ;
  notgrid = ${list(3, (i) => seed + i)} ;
}`;
}

function makeRun(dir: string, status: number[], seed: number, kind: Kind, chunked = false): string {
  fs.mkdirSync(dir, { recursive: true });
  ncgen(statusCdl(status), path.join(dir, 'run_status.nc'), kind.startsWith('netCDF-4') ? 'netCDF-4' : kind);
  ncgen(dataCdl(seed, chunked), path.join(dir, 'data.nc'), kind);
  return dir;
}

// Salvaged: cells 0..9 ran, 3 and 7 failed. Rerun: 3 and 7 succeeded, plus cell 12 that was masked.
const SALVAGED = list(ROWS * COLS, (i) => (i === 3 ? -100 : i === 7 ? -5 : i < 10 ? 100 : 0))
  .split(', ')
  .map(Number);
const RERUN = list(ROWS * COLS, (i) => ([3, 7, 12].includes(i) ? 100 : 0))
  .split(', ')
  .map(Number);
const RERUN_CELLS = new Set([3, 7, 12].map((i) => `${Math.floor(i / COLS)},${i % COLS}`));

describe('merge across file layouts made by netCDF-C', () => {
  const cases: { kind: Kind; chunked?: boolean }[] = [
    { kind: 'classic' },
    { kind: '64-bit offset' },
    { kind: 'cdf5' },
    { kind: 'netCDF-4' },
    { kind: 'netCDF-4', chunked: true },
    { kind: 'netCDF-4 classic model' },
  ];
  for (const { kind, chunked } of cases) {
    it(`${kind}${chunked ? ', chunked and compressed' : ''}: rerun cells from the rerun, all else from the salvaged run`, async () => {
      const root = tempDir('layouts');
      const s = makeRun(path.join(root, 'salvaged'), SALVAGED, 1, kind, chunked);
      const r = makeRun(path.join(root, 'rerun'), RERUN, 2, kind, chunked);
      const out = path.join(root, 'merged');
      const result = await mergeRuns({ salvagedDir: s, rerunDir: r, outputDir: out });
      assert.deepEqual(result.merged, ['data.nc', 'run_status.nc']);
      assert.equal(result.totalSuccessful, 11);
      for (const f of ['data.nc', 'run_status.nc']) {
        assert.deepEqual(
          await verifyMergedFile(path.join(s, f), path.join(r, f), path.join(out, f), RERUN_CELLS),
          [],
          f,
        );
      }
      if (hasTool('ncdump')) assert.doesNotThrow(() => ncdump(path.join(out, 'data.nc')));
    });
  }

  it('refuses runs whose variables differ in type, naming the file, variable and both types, before writing anything', async () => {
    const root = tempDir('layouts');
    const s = makeRun(path.join(root, 'salvaged'), SALVAGED, 1, 'classic');
    const r = makeRun(path.join(root, 'rerun'), RERUN, 2, 'classic');
    ncgen(dataCdl(3, false).replace('int gridfirst', 'double gridfirst'), path.join(r, 'data.nc'), 'classic');
    const out = path.join(root, 'merged');
    await assert.rejects(
      mergeRuns({ salvagedDir: s, rerunDir: r, outputDir: out }),
      (e: Error) =>
        e instanceof UserError && /data\.nc: variable gridfirst is int32 BE in .* but float64 BE in /.test(e.message),
    );
    assert.deepEqual(fs.readdirSync(root).sort(), ['rerun', 'salvaged']);
  });

  it('refuses runs whose shapes differ, with both shapes in the message', async () => {
    const root = tempDir('layouts');
    const s = makeRun(path.join(root, 'salvaged'), SALVAGED, 1, 'netCDF-4');
    const r = makeRun(path.join(root, 'rerun'), RERUN, 2, 'netCDF-4');
    ncgen(
      dataCdl(3, false)
        .replace('pft = 3', 'pft = 4')
        .replace(/gridlast = [^;]*;/, `gridlast = ${list(2 * 4 * ROWS * COLS, (i) => i)} ;`)
        .replace(/gridfirst = [^;]*;/, `gridfirst = ${list(4 * ROWS * COLS, (i) => i)} ;`)
        .replace(/notgrid = [^;]*;/, 'notgrid = 1, 2, 3, 4 ;'),
      path.join(r, 'data.nc'),
      'netCDF-4',
    );
    await assert.rejects(
      mergeRuns({ salvagedDir: s, rerunDir: r, outputDir: path.join(root, 'merged') }),
      /data\.nc: variable gridlast has shape \(time=2, pft=3, y=4, x=5\) in .* but \(time=2, pft=4, y=4, x=5\) in /,
    );
  });

  it('copies a file present on one side only, with a warning, and drops nothing', async () => {
    const root = tempDir('layouts');
    const s = makeRun(path.join(root, 'salvaged'), SALVAGED, 1, 'classic');
    const r = makeRun(path.join(root, 'rerun'), RERUN, 2, 'classic');
    fs.copyFileSync(path.join(s, 'data.nc'), path.join(s, 'only_salvaged.nc'));
    fs.copyFileSync(path.join(r, 'data.nc'), path.join(r, 'only_rerun.nc'));
    fs.writeFileSync(path.join(s, 'notes.txt'), 'kept');
    const out = path.join(root, 'merged');
    const result = await mergeRuns({ salvagedDir: s, rerunDir: r, outputDir: out });
    assert.deepEqual(
      result.copiedOnly.map((c) => [c.name, c.from]),
      [
        ['only_rerun.nc', 'rerun'],
        ['only_salvaged.nc', 'salvaged'],
      ],
    );
    assert.deepEqual(fs.readFileSync(path.join(out, 'only_rerun.nc')), fs.readFileSync(path.join(r, 'only_rerun.nc')));
    assert.deepEqual(
      fs.readFileSync(path.join(out, 'only_salvaged.nc')),
      fs.readFileSync(path.join(s, 'only_salvaged.nc')),
    );
    assert.equal(fs.readFileSync(path.join(out, 'notes.txt'), 'utf8'), 'kept');
  });
});
