import * as fs from 'node:fs';
import { UserError } from '../errors';

export type NetcdfFormat = 'classic' | '64bit-offset' | '64bit-data' | 'netcdf4';

/** Human names, as `ncdump -k` prints them. */
export const formatNames: Record<NetcdfFormat, string> = {
  classic: 'classic',
  '64bit-offset': '64-bit offset',
  '64bit-data': 'cdf5',
  netcdf4: 'netCDF-4',
};

const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Tells the NetCDF kind of a file from its first bytes (never from its name). HDF5 files may carry
 * a user block, so the HDF5 signature is also looked for at 512, 1024, 2048, … bytes.
 */
export function detectFormat(path: string): NetcdfFormat {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${path}: file not found`);
    if (code === 'EACCES' || code === 'EPERM') throw new UserError(`${path}: permission denied`);
    if (code === 'EISDIR') throw new UserError(`${path}: is a folder, expected a NetCDF file`);
    throw err;
  }
  try {
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) throw new UserError(`${path}: is a folder, expected a NetCDF file`);
    const size = st.size;
    const head = Buffer.alloc(8);
    const n = fs.readSync(fd, head, 0, 8, 0);
    if (n >= 4 && head.toString('latin1', 0, 3) === 'CDF') {
      const version = head[3];
      if (version === 1) return 'classic';
      if (version === 2) return '64bit-offset';
      if (version === 5) return '64bit-data';
      throw new UserError(`${path}: NetCDF classic signature with unknown version byte ${version}`);
    }
    for (let at = 0; at + 8 <= size; at = at === 0 ? 512 : at * 2) {
      if (at > 0) fs.readSync(fd, head, 0, 8, at);
      if (head.equals(HDF5_SIGNATURE)) return 'netcdf4';
      if (at >= 1 << 20) break;
    }
    if (size === 0 || n === 0) throw new UserError(`${path}: empty file, expected a NetCDF file`);
    throw new UserError(`${path}: not a NetCDF file (first bytes: ${describeBytes(head.subarray(0, n))})`);
  } finally {
    fs.closeSync(fd);
  }
}

function describeBytes(bytes: Buffer): string {
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  const text = [...bytes].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
  return `${hex} "${text}"`;
}
