import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { gridAxes } from '../../src/core/grid';
import { mergeRuns } from '../../src/core/merge';
import { contiguousNetcdf4Variables } from '../../src/core/netcdf/contiguous';
import { detectFormat } from '../../src/core/netcdf/format';
import { openNetcdf } from '../../src/core/netcdf/ncfile';
import type { Variable } from '../../src/core/netcdf/variable';
import { copyDir, fixture, FIXTURE_FAILED_CELLS, ncgen, tempDir } from '../helpers/files';
import { verifyMergedFile } from '../helpers/values';

/**
 * The merge plans what dvmdostem writes (contiguous NetCDF-4) with our own HDF5 metadata walker, so it
 * never loads the HDF5 library: what the walker says must be what the library says, for everything the
 * merge uses, and anything else must be left to the library.
 */

const fixtureFiles = [fixture.original, fixture.rerun].flatMap((dir) =>
  fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.nc'))
    .map((f) => path.join(dir, f)),
);

/** What the merge uses of a file's variables: grid variables in full, the others by name. */
function mergeView(variables: Variable[]): string[] {
  return variables
    .filter((v) => !v.isDimensionOnly)
    .map((v) => JSON.stringify(gridAxes(v) ? [v.name, v.dims, v.shape, v.dtype.label, v.raw] : [v.name]))
    .sort();
}

describe('merge plan without the HDF5 library', () => {
  it('describes every NetCDF-4 file of the real dvmdostem run as the library does', async () => {
    let netcdf4 = 0;
    for (const file of fixtureFiles) {
      if (detectFormat(file) !== 'netcdf4') continue;
      netcdf4++;
      const ours = contiguousNetcdf4Variables(file);
      assert.ok(ours, `${file}: left to the library`);
      const library = (await openNetcdf(file)).variables;
      assert.deepEqual(mergeView(ours), mergeView(library), file);
      assert.ok(ours.some((v) => gridAxes(v) && v.raw));
    }
    assert.ok(netcdf4 >= 20, `${netcdf4} NetCDF-4 files`);
  });

  it('leaves to the library a group, a chunked grid variable and a grid variable along an unlimited dimension', () => {
    const dir = tempDir('plan-nolib');
    const base = (extra: string) => `netcdf f {
dimensions: time = ${extra.includes('UNLIMITED') ? 'UNLIMITED' : '2'} ; y = 2 ; x = 3 ;
variables:
  double v(time, y, x) ;${extra.includes('chunked') ? ' v:_Storage = "chunked" ; v:_ChunkSizes = 1, 2, 3 ;' : ''}
data:
  v = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 ;
${extra.includes('group') ? 'group: g {\n variables:\n  int w ;\n data:\n  w = 1 ;\n}' : ''}
}`;
    const plain = ncgen(base(''), path.join(dir, 'plain.nc'), 'netCDF-4');
    assert.ok(contiguousNetcdf4Variables(plain)?.find((v) => v.name === 'v')?.raw, 'the contiguous file');
    for (const extra of ['group', 'chunked', 'UNLIMITED']) {
      const file = ncgen(base(extra), path.join(dir, `${extra}.nc`), 'netCDF-4');
      assert.equal(contiguousNetcdf4Variables(file), null, extra);
    }
  });

  it('merges the real dvmdostem run bit-exactly without ever loading the HDF5 library', async () => {
    const out = path.join(tempDir('plan-nolib-merge'), 'merged');
    const core = path.join(__dirname, '..', '..', 'src', 'core');
    // A fresh process: whether the library was loaded is then about this merge alone.
    const script = `
      const { mergeRuns } = require(${JSON.stringify(path.join(core, 'merge.js'))});
      const { hdf5Library } = require(${JSON.stringify(path.join(core, 'netcdf', 'hdf5Library.js'))});
      mergeRuns(${JSON.stringify({ salvagedDir: fixture.original, rerunDir: fixture.rerun, outputDir: out })}).then((r) => {
        const loaded = hdf5Library.wasLoaded();
        console.log(JSON.stringify({ merged: r.merged.length, loaded }));
      });`;
    const report = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as {
      merged: number;
      loaded: boolean;
    };
    assert.deepEqual(report, { merged: 22, loaded: false });
    const cells = new Set(FIXTURE_FAILED_CELLS.map(([r, c]) => `${r},${c}`));
    for (const f of fs.readdirSync(out).filter((n) => n.endsWith('.nc')))
      assert.deepEqual(
        await verifyMergedFile(path.join(fixture.original, f), path.join(fixture.rerun, f), path.join(out, f), cells),
        [],
        f,
      );
  });

  it('gives merged files new-file permissions when the salvaged files are read-only, whichever way they are written', async () => {
    const root = tempDir('plan-nolib-mode');
    const salvaged = copyDir(fixture.original, path.join(root, 'salvaged'));
    for (const f of fs.readdirSync(salvaged)) fs.chmodSync(path.join(salvaged, f), 0o444);
    const out = path.join(root, 'merged');
    const result = await mergeRuns({ salvagedDir: salvaged, rerunDir: fixture.rerun, outputDir: out });
    for (const f of result.merged)
      assert.equal(fs.statSync(path.join(out, f)).mode & 0o777, 0o666 & ~process.umask(), f);
  });
});
