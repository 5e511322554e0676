/**
 * How test/fixtures/fuzz-regressions/valid-source-run-mask-hdf5-1.8-format.nc was made (kept as a file
 * because HDF5 1.8-format object headers record modification times, so each run would differ):
 *   node -e "require('./out/test/fuzz/oldFormat.js').writeOldFormatMask('x.nc')"
 *
 * A run-mask in the HDF5 1.8 file format (superblock v0, version-1 object headers, symbol-table group):
 * what older netCDF-C and HDF5 tools write. Unlike the fixtures' NetCDF-4 files, its metadata carries
 * no checksums, so mutations reach the HDF5 library's parsers instead of stopping at a checksum.
 * Made with h5wasm at test time: the netCDF-4 conventions (dimension scales Y and X attached to run and
 * lat through DIMENSION_LIST / REFERENCE_LIST) with int64 run(Y, X) like dvmdostem's masks.
 */
import { hdf5Library } from '../../src/core/netcdf/hdf5Library';

export async function writeOldFormatMask(out: string, rows = 10, cols = 10): Promise<void> {
  const h5 = await hdf5Library.load();
  const f = new h5.File(out, 'w', { libver: ['earliest', 'v108'] });
  try {
    f.create_dataset({ name: 'Y', data: Float64Array.from({ length: rows }, (_, i) => i * 1000) });
    f.create_dataset({ name: 'X', data: Float64Array.from({ length: cols }, (_, i) => i * 1000) });
    const run = new BigInt64Array(rows * cols);
    for (let i = 0; i < run.length; i += 7) run[i] = 1n;
    f.create_dataset({ name: 'run', data: run, shape: [rows, cols] });
    f.create_dataset({
      name: 'lat',
      data: Float64Array.from({ length: rows * cols }, (_, i) => 68 + i / 100),
      shape: [rows, cols],
    });
    (f.get('Y') as import('h5wasm/node', { with: { 'resolution-mode': 'import' } }).Dataset).make_scale('Y');
    (f.get('X') as import('h5wasm/node', { with: { 'resolution-mode': 'import' } }).Dataset).make_scale('X');
    for (const name of ['run', 'lat']) {
      const d = f.get(name) as import('h5wasm/node', { with: { 'resolution-mode': 'import' } }).Dataset;
      d.attach_scale(0, 'Y');
      d.attach_scale(1, 'X');
    }
    (f.get('run') as import('h5wasm/node', { with: { 'resolution-mode': 'import' } }).Dataset).create_attribute(
      'long_name',
      'run mask',
    );
  } finally {
    f.close();
  }
}
