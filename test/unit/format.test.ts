import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { detectFormat } from '../../src/core/netcdf/format';
import { UserError } from '../../src/core/errors';
import { fixture, tempDir } from '../helpers/files';

describe('format detection from magic bytes', () => {
  it('tells the fixture files apart by content, not name', () => {
    assert.equal(detectFormat(path.join(fixture.original, 'run_status.nc')), 'classic');
    assert.equal(detectFormat(path.join(fixture.original, 'restart-tr.nc')), 'classic');
    assert.equal(detectFormat(path.join(fixture.original, 'GPP_monthly_tr.nc')), 'netcdf4');
    assert.equal(detectFormat(fixture.mask), 'netcdf4');
    const dir = tempDir('fmt');
    const renamed = path.join(dir, 'data.txt');
    fs.copyFileSync(path.join(fixture.original, 'run_status.nc'), renamed);
    assert.equal(detectFormat(renamed), 'classic');
  });

  it('rejects what is not NetCDF with the file name and what was found', () => {
    const dir = tempDir('fmt');
    const cases: [string, Buffer, RegExp][] = [
      ['empty.nc', Buffer.alloc(0), /empty file/],
      ['text.nc', Buffer.from('hello, world\n'), /not a NetCDF file \(first bytes: .*"hello, w"\)/],
      [
        'image.nc',
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
        /not a NetCDF file.*PNG/,
      ],
      ['cdf9.nc', Buffer.from('CDF\x09\0\0\0\0', 'latin1'), /unknown version byte 9/],
    ];
    for (const [name, bytes, message] of cases) {
      const p = path.join(dir, name);
      fs.writeFileSync(p, bytes);
      assert.throws(
        () => detectFormat(p),
        (e: Error) => e instanceof UserError && e.message.startsWith(p) && message.test(e.message),
        name,
      );
    }
    assert.throws(() => detectFormat(path.join(dir, 'missing.nc')), /missing\.nc: file not found/);
    assert.throws(() => detectFormat(dir), /is a folder/);
  });
});
