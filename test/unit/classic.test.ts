import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { readClassicHeader } from '../../src/core/netcdf/classic';
import { detectFormat } from '../../src/core/netcdf/format';
import { openNetcdf } from '../../src/core/netcdf/ncfile';
import { UserError } from '../../src/core/errors';
import { fixture, ncdumpValues, ncgen, tempDir } from '../helpers/files';

// Types, grid-first and grid-last layouts, a record variable: what the classic reader must get right.
const CDL = `netcdf t {
dimensions:
  time = UNLIMITED ;
  Y = 3 ;
  X = 4 ;
  pft = 2 ;
variables:
  int status(Y, X) ;
    status:_FillValue = -9999 ;
  short s(Y, X) ;
  float f(pft, Y, X) ;
  double d(Y, X, pft) ;
  byte b(X) ;
  char name(pft) ;
  double rec(time, Y, X) ;
  int rec2(time, X) ;
  :title = "classic reader test" ;
data:
  status = 100, 0, -5, -100, 0, 100, -9999, 0, 1, 2, 3, 4 ;
  s = -1, -2, -3, -4, 5, 6, 7, 8, 9, 10, 11, 32767 ;
  f = 0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5, 10.5, 11.5,
      -0.5, -1.5, -2.5, -3.5, -4.5, -5.5, -6.5, -7.5, -8.5, -9.5, -10.5, -11.5 ;
  d = 1e300, -1e-300, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24 ;
  b = -128, 0, 1, 127 ;
  name = "ab" ;
  rec = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
        21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 ;
  rec2 = 1, 2, 3, 4, 5, 6, 7, 8 ;
}`;

const CDF5_CDL = `netcdf t5 {
dimensions: Y = 2 ; X = 3 ;
variables:
  int64 big(Y, X) ;
  uint u(Y, X) ;
  ubyte ub(X) ;
data:
  big = -2147483646, 0, 1, 2, 3, 2147483647 ;
  u = 0, 1, 4294967295, 3, 4, 5 ;
  ub = 0, 128, 255 ;
}`;

describe('classic NetCDF reader', () => {
  const dir = tempDir('classic');
  for (const kind of ['classic', '64-bit offset'] as const) {
    it(`reads every variable of a ${kind} file as ncdump does`, async () => {
      const p = ncgen(CDL, path.join(dir, `${kind.replace(/\W/g, '')}.nc`), kind);
      assert.equal(detectFormat(p), kind === 'classic' ? 'classic' : '64bit-offset');
      const file = await openNetcdf(p);
      assert.deepEqual(
        file.variables.map((v) => v.name),
        ['status', 's', 'f', 'd', 'b', 'name', 'rec', 'rec2'],
      );
      for (const name of ['status', 's', 'f', 'd', 'b', 'rec', 'rec2']) {
        const v = file.variable(name)!;
        const expected = ncdumpValues(p, name).map((x) => (Number.isNaN(x) ? -9999 : x));
        assert.deepEqual(Array.from(file.readNumbers(v)), expected, name);
      }
      assert.deepEqual(file.variable('rec')!.shape, [2, 3, 4]);
      assert.deepEqual(file.variable('d')!.dims, ['Y', 'X', 'pft']);
      const header = readClassicHeader(p);
      assert.equal(header.numrecs, 2);
      assert.equal(header.attributes.get('title'), 'classic reader test');
      assert.deepEqual(header.variables[0].attributes.get('_FillValue'), [-9999]);
    });

    it(`writes values in place in a ${kind} file so that ncdump reads them back`, async () => {
      const p = ncgen(CDL, path.join(dir, `w-${kind.replace(/\W/g, '')}.nc`), kind);
      const file = await openNetcdf(p);
      const values = Array.from({ length: 24 }, (_, i) => i * 0.25 - 3);
      file.writeNumbers(file.variable('rec')!, values);
      file.writeNumbers(file.variable('s')!, [9, 8, 7, 6, 5, 4, 3, 2, 1, 0, -1, -2]);
      assert.deepEqual(ncdumpValues(p, 'rec'), values);
      assert.deepEqual(ncdumpValues(p, 's'), [9, 8, 7, 6, 5, 4, 3, 2, 1, 0, -1, -2]);
      assert.deepEqual(ncdumpValues(p, 'rec2'), [1, 2, 3, 4, 5, 6, 7, 8]);
    });
  }

  it('reads CDF-5 (64-bit data) files with int64 and unsigned types', async () => {
    const p = ncgen(CDF5_CDL, path.join(dir, 'cdf5.nc'), 'cdf5');
    assert.equal(detectFormat(p), '64bit-data');
    const file = await openNetcdf(p);
    // (ncgen 4.9 wraps int64 literals beyond 32 bits, so the file holds 32-bit-sized values.)
    assert.deepEqual(Array.from(file.readNumbers(file.variable('big')!)), ncdumpValues(p, 'big'));
    assert.deepEqual(ncdumpValues(p, 'big'), [-2147483646, 0, 1, 2, 3, 2147483647]);
    assert.deepEqual(Array.from(file.readNumbers(file.variable('u')!)), [0, 1, 4294967295, 3, 4, 5]);
    assert.deepEqual(Array.from(file.readNumbers(file.variable('ub')!)), [0, 128, 255]);
  });

  it('reads the real dvmdostem run_status.nc (classic, written by dvmdostem)', async () => {
    const p = path.join(fixture.original, 'run_status.nc');
    const file = await openNetcdf(p);
    assert.deepEqual(Array.from(file.readNumbers(file.variable('run_status')!)), ncdumpValues(p, 'run_status'));
  });

  it('rejects truncated files and impossible headers with a message naming the file', () => {
    const p = ncgen(CDL, path.join(dir, 'cut.nc'), 'classic');
    const bytes = fs.readFileSync(p);
    for (const cut of [2, 10, 60, bytes.length - 8]) {
      const q = path.join(dir, `cut-${cut}.nc`);
      fs.writeFileSync(q, bytes.subarray(0, cut));
      assert.throws(
        () => readClassicHeader(q),
        (e: Error) => e instanceof UserError && e.message.startsWith(q),
        `cut at ${cut}`,
      );
    }
    const huge = Buffer.from(bytes);
    huge.writeUInt32BE(0x7fffffff, 12); // number of dimensions
    const q = path.join(dir, 'huge.nc');
    fs.writeFileSync(q, huge);
    assert.throws(() => readClassicHeader(q), /corrupt NetCDF header/);
  });
});
