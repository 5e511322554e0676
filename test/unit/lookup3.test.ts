import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lookup3 } from '../../src/core/netcdf/lookup3';

describe('lookup3 (the checksum of HDF5 metadata)', () => {
  it("matches Bob Jenkins' published values of hashlittle", () => {
    assert.equal(lookup3(Buffer.alloc(0)), 0xdeadbeef);
    assert.equal(lookup3(Buffer.from('Four score and seven years ago')), 0x17770551);
    assert.equal(lookup3(Buffer.from('Four score and seven years ago'), 1), 0xcd628161);
  });
  // Every length of tail (0..12 bytes after the 12-byte blocks) goes through a different path; the
  // HDF5-written fixtures (hdf5Layout.test.ts and every merge test) exercise it against real checksums.
});
