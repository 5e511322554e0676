import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { hdf5Library } from '../../src/core/netcdf/hdf5Library';
import { readHdf5Numbers, readHdf5Variables } from '../../src/core/netcdf/hdf5';
import { openNetcdfFor } from '../../src/core/netcdf/ncfile';
import { quickNetcdf4Variables, readRawNumbers, writeRawNumbers } from '../../src/core/netcdf/quickHdf5';
import type { Variable } from '../../src/core/netcdf/variable';
import { fixture, ncdumpValues, ncgen, tempDir } from '../helpers/files';

/**
 * Small grids (run_status, run masks) read and written without the HDF5 library: what our own walker
 * says about a NetCDF-4 file made by netCDF-C must be what the library says, value for value.
 */

const TYPES = ['byte', 'ubyte', 'short', 'ushort', 'int', 'uint', 'int64', 'uint64', 'float', 'double'];

/** Distinct values that fit every type: negative for signed ones, fractions for floats. */
function valueOf(type: string, i: number): number {
  if (type.startsWith('u')) return i * 10 + 3;
  if (type === 'float' || type === 'double') return (i - 5) * 1000.5;
  return (i - 5) * (type === 'byte' ? 10 : 1000);
}

function gridCdl(bigEndian: boolean, chunked: boolean): string {
  const attrs = (v: string) =>
    `${bigEndian ? ` ${v}:_Endianness = "big" ;` : ''}${chunked ? ` ${v}:_Storage = "chunked" ; ${v}:_ChunkSizes = 2, 3 ;` : ''}`;
  return `netcdf grids {
dimensions: Y = 3 ; X = 4 ;
variables:
${TYPES.map((t) => `  ${t} v_${t}(Y, X) ;${attrs(`v_${t}`)}`).join('\n')}
  int transposed(X, Y) ;${attrs('transposed')}
  double Y(Y) ;
data:
${TYPES.map((t) => `  v_${t} = ${Array.from({ length: 12 }, (_, i) => valueOf(t, i)).join(', ')} ;`).join('\n')}
  transposed = ${Array.from({ length: 12 }, (_, i) => i * 7 - 40).join(', ')} ;
  Y = 1.5, 2.5, 3.5 ;
}`;
}

describe('NetCDF-4 grids without the HDF5 library', () => {
  for (const bigEndian of [false, true]) {
    it(`describes and reads every integer and float type (${bigEndian ? 'big' : 'little'}-endian) exactly as the library does`, async () => {
      const file = ncgen(gridCdl(bigEndian, false), path.join(tempDir('quick'), 'grids.nc'), 'netCDF-4');
      await hdf5Library.load();
      const viaLibrary = new Map(readHdf5Variables(file).map((v) => [v.name, v]));
      const quick = quickNetcdf4Variables(file, 'v_int', ['transposed']);
      assert.ok(quick, 'contiguous grids are described by the walker');
      for (const name of [...TYPES.map((t) => `v_${t}`), 'transposed', 'Y']) {
        const q: Variable | undefined = quick.find((v) => v.name === name);
        const l = viaLibrary.get(name)!;
        assert.ok(q, name);
        assert.deepEqual(
          { dims: q.dims, shape: q.shape, dtype: q.dtype, raw: q.raw },
          { dims: l.dims, shape: l.shape, dtype: l.dtype, raw: l.raw },
          name,
        );
        assert.deepEqual(readRawNumbers(file, q), readHdf5Numbers(file, l), name);
      }
      assert.deepEqual(
        [
          ...readRawNumbers(
            file,
            quick.find((v) => v.name === 'transposed')!,
          ),
        ],
        ncdumpValues(file, 'transposed'),
      );
    });
  }

  it('writes values the library and ncdump read back, in every type', async () => {
    const file = ncgen(gridCdl(true, false), path.join(tempDir('quick'), 'grids.nc'), 'netCDF-4');
    const quick = quickNetcdf4Variables(file, 'v_int')!;
    for (const v of quick.filter((x) => x.name.startsWith('v_')))
      writeRawNumbers(
        file,
        v,
        Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? 1 : 0)),
      );
    await hdf5Library.load();
    for (const v of readHdf5Variables(file).filter((x) => x.name.startsWith('v_'))) {
      assert.deepEqual(
        [...readHdf5Numbers(file, v)],
        Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? 1 : 0)),
        v.name,
      );
    }
    assert.deepEqual(
      ncdumpValues(file, 'v_double'),
      Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? 1 : 0)),
    );
  });

  it('leaves chunked variables to the library', async () => {
    const file = ncgen(gridCdl(false, true), path.join(tempDir('quick'), 'grids.nc'), 'netCDF-4');
    assert.equal(quickNetcdf4Variables(file, 'v_int'), null);
    assert.equal(quickNetcdf4Variables(file, 'Y', ['v_int']), null, 'an optional chunked variable too');
    const opened = await openNetcdfFor(file, 'v_int');
    assert.deepEqual(
      [...opened.readNumbers(opened.variable('v_int')!)],
      [-5000, -4000, -3000, -2000, -1000, 0, 1000, 2000, 3000, 4000, 5000, 6000],
    );
  });

  it('reads the real dvmdostem run-mask (int64 run, float lat/lon) as the library does', async () => {
    const quick = await openNetcdfFor(fixture.mask, 'run', ['lat', 'lon']);
    await hdf5Library.load();
    const viaLibrary = readHdf5Variables(fixture.mask);
    for (const name of ['run', 'lat', 'lon']) {
      const v = quick.variable(name);
      assert.ok(v?.raw, name);
      assert.deepEqual(
        quick.readNumbers(v),
        readHdf5Numbers(
          fixture.mask,
          viaLibrary.find((x) => x.name === name)!,
        ),
        name,
      );
    }
    assert.ok(fs.statSync(fixture.mask).size > 0);
  });
});
