import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { mergeRuns } from '../../src/core/merge';
import { mergeLimits } from '../../src/core/mergeFile';
import { hashTree, ncgen, tempDir } from '../helpers/files';
import { readAllVariables, verifyMergedFile } from '../helpers/values';

/**
 * The merge's byte-range path (the salvaged file copied, then only the pages holding rerun cells
 * rewritten; or streamed when those are on most pages), on files several pages long made by netCDF-C:
 * single cells at the grid's corners, blocks, scattered cells, whole first and last rows, every cell;
 * 1-, 2-, 4-, 8- and 12-byte cells; classic record variables and contiguous NetCDF-4; with the normal
 * window size and with windows so small that they split variables and share pages. Each merged file is
 * checked value by value against both inputs, and the NetCDF-4 ones are also compared with the same
 * merge done through the HDF5 library (chunked storage: the slow path).
 */

const ROWS = 24;
const COLS = 40;
const N = ROWS * COLS;
const TIMES = 9;
type Kind = 'classic' | 'netCDF-4';

function list(n: number, f: (i: number) => number): string {
  return Array.from({ length: n }, (_, i) => f(i)).join(', ');
}

function statusCdl(values: number[]): string {
  return `netcdf run_status {
dimensions: Y = ${ROWS} ; X = ${COLS} ;
variables:
  int run_status(Y, X) ; run_status:_FillValue = -9999 ;
data:
  run_status = ${values.join(', ')} ;
}`;
}

/** Variables of every cell size, spatial dimensions first, last and around others; a record variable first. */
function dataCdl(seed: number, chunked: boolean): string {
  const chunk = (v: string, sizes = '3, 7, 11') =>
    chunked ? ` ${v}:_Storage = "chunked" ; ${v}:_ChunkSizes = ${sizes} ;` : '';
  return `netcdf data {
dimensions: time = UNLIMITED ; y = ${ROWS} ; x = ${COLS} ; pft = 3 ; layer = 2 ;
variables:
  float monthly(time, y, x) ;${chunk('monthly')}
  double time(time) ;
  double yearly(time, y, x) ;${chunk('yearly')}
  int restart(y, x, pft) ;${chunk('restart', '5, 6, 2')}
  short between(y, layer, x) ;${chunk('between', '5, 1, 11')}
  byte flags(y, x) ;${chunk('flags', '5, 6')}
  float notgrid(pft) ;
data:
  monthly = ${list(TIMES * N, (i) => seed * 1e6 + i + 0.5)} ;
  time = ${list(TIMES, (i) => i * 30)} ;
  yearly = ${list(TIMES * N, (i) => -(seed * 1e6 + i) - 0.25)} ;
  restart = ${list(N * 3, (i) => seed * 100000 + i)} ;
  between = ${list(N * 2, (i) => ((seed * 7919 + i) % 30000) - 15000)} ;
  flags = ${list(N, (i) => ((seed * 31 + i) % 250) - 125)} ;
  notgrid = ${list(3, (i) => seed + i)} ;
}`;
}

const cellSets: { name: string; cells: number[] }[] = [
  { name: 'the first cell', cells: [0] },
  { name: 'the last cell', cells: [N - 1] },
  {
    name: 'a 5×10 block (one batch job)',
    cells: Array.from({ length: N }, (_, i) => i).filter(
      (i) => Math.floor(i / COLS) >= 7 && Math.floor(i / COLS) < 12 && i % COLS >= 20 && i % COLS < 30,
    ),
  },
  {
    name: 'scattered cells on every row',
    cells: Array.from({ length: N }, (_, i) => i).filter((i) => (i * 7919) % 11 === 0),
  },
  {
    name: 'whole first and last rows and adjacent corner cells',
    cells: Array.from({ length: N }, (_, i) => i).filter((i) => i < COLS + 2 || i >= N - COLS - 1),
  },
  { name: 'every cell', cells: Array.from({ length: N }, (_, i) => i) },
];

function makeRun(dir: string, status: number[], seed: number, kind: Kind, chunked: boolean): string {
  fs.mkdirSync(dir, { recursive: true });
  ncgen(statusCdl(status), path.join(dir, 'run_status.nc'), kind);
  ncgen(dataCdl(seed, chunked), path.join(dir, 'data.nc'), kind);
  return dir;
}

describe('merge through byte ranges: edges, blocks, scattered cells, small windows', () => {
  const defaultChunk = mergeLimits.chunkBytes;
  after(() => {
    mergeLimits.chunkBytes = defaultChunk;
  });
  const root = tempDir('ranges');
  const runs = new Map<string, string>();
  /** Each input folder's file hashes right after ncgen wrote it. */
  const made = new Map<string, Record<string, string>>();
  /** One salvaged and one rerun folder per (kind, storage, cell set), made once. */
  const runFor = (kind: Kind, chunked: boolean, set: (typeof cellSets)[number], side: 'salvaged' | 'rerun') => {
    const key = `${kind}-${chunked}-${cellSets.indexOf(set)}-${side}`;
    if (!runs.has(key)) {
      const inSet = new Set(set.cells);
      const status = Array.from({ length: N }, (_, i) =>
        side === 'rerun' ? (inSet.has(i) ? 100 : 0) : inSet.has(i) ? -100 : 100,
      );
      const dir = makeRun(path.join(root, key), status, side === 'rerun' ? 2 : 1, kind, chunked);
      runs.set(key, dir);
      made.set(dir, hashTree(dir));
    }
    return runs.get(key)!;
  };

  for (const kind of ['classic', 'netCDF-4'] as Kind[]) {
    for (const set of cellSets) {
      for (const chunkBytes of [defaultChunk, 5000]) {
        it(`${kind}, ${set.name}, ${chunkBytes === defaultChunk ? 'normal windows' : `${chunkBytes}-byte windows`}: bit-exact`, async () => {
          mergeLimits.chunkBytes = chunkBytes;
          const s = runFor(kind, false, set, 'salvaged');
          const r = runFor(kind, false, set, 'rerun');
          const out = path.join(root, `merged-${kind}-${cellSets.indexOf(set)}-${chunkBytes}`);
          const result = await mergeRuns({ salvagedDir: s, rerunDir: r, outputDir: out });
          assert.equal(result.totalSuccessful, N);
          const cells = new Set(set.cells.map((i) => `${Math.floor(i / COLS)},${i % COLS}`));
          for (const f of ['data.nc', 'run_status.nc']) {
            assert.equal(fs.statSync(path.join(out, f)).size, fs.statSync(path.join(s, f)).size, f);
            assert.deepEqual(await verifyMergedFile(path.join(s, f), path.join(r, f), path.join(out, f), cells), [], f);
          }
          if (kind === 'netCDF-4') {
            // The same merge through the HDF5 library: chunked storage has no byte ranges to patch.
            const sc = runFor(kind, true, set, 'salvaged');
            const rc = runFor(kind, true, set, 'rerun');
            const slow = path.join(root, `slow-${cellSets.indexOf(set)}-${chunkBytes}`);
            await mergeRuns({ salvagedDir: sc, rerunDir: rc, outputDir: slow });
            const fast = await readAllVariables(path.join(out, 'data.nc'));
            const viaHdf5 = await readAllVariables(path.join(slow, 'data.nc'));
            for (const [name, v] of fast)
              assert.deepEqual(Buffer.from(v.bytes), Buffer.from(viaHdf5.get(name)!.bytes), name);
          }
        });
      }
    }
  }

  it('leaves the salvaged and rerun files unchanged', () => {
    assert.ok(runs.size >= 30);
    for (const [dir, hashes] of made) assert.deepEqual(hashTree(dir), hashes, dir);
  });
});
