/**
 * Feeds one file to every reader the tools use on untrusted input and classifies each answer:
 *   ok    a read that passed the consistency checks below
 *   clean a UserError (or Hdf5LayoutError from the layout reader): the answer users get
 *   BAD   anything else: another exception (TypeError, RangeError, a wasm abort), or a read that
 *         returned inconsistent data
 */
import * as fs from 'node:fs';
import { UserError } from '../../src/core/errors';
import { readClassicHeader } from '../../src/core/netcdf/classic';
import { detectFormat } from '../../src/core/netcdf/format';
import { hdf5Library } from '../../src/core/netcdf/hdf5Library';
import { Hdf5LayoutError } from '../../src/core/netcdf/hdf5Format';
import { locateRootDatasets } from '../../src/core/netcdf/hdf5Layout';
import { openNetcdf } from '../../src/core/netcdf/ncfile';
import { readRunMask } from '../../src/core/runMask';
import { readRunStatus } from '../../src/core/runStatus';

export const READERS = [
  'detectFormat',
  'readClassicHeader',
  'locateRootDatasets',
  'readRunStatus',
  'readRunMask',
  'openNetcdf+readNumbers',
  'HDF5 state after',
] as const;
export type ReaderName = (typeof READERS)[number];
export type Outcome = 'ok' | 'clean' | 'BAD';

export interface ReaderResult {
  reader: ReaderName;
  outcome: Outcome;
  /** The error message (clean), the error with its stack (BAD), or a summary of the read (ok). */
  message: string;
  /** A WebAssembly.RuntimeError: h5wasm aborted and cannot be used again in this process. */
  fatal?: boolean;
}

class Inconsistent extends Error {}
const check = (cond: boolean, what: string) => {
  if (!cond) throw new Inconsistent(what);
};
const isCount = (n: number) => Number.isSafeInteger(n) && n >= 0;

async function classify(
  reader: ReaderName,
  clean: (e: unknown) => boolean,
  fn: () => Promise<string> | string,
): Promise<ReaderResult> {
  try {
    return { reader, outcome: 'ok', message: await fn() };
  } catch (err) {
    if (!(err instanceof Inconsistent) && clean(err))
      return { reader, outcome: 'clean', message: (err as Error).message };
    const e = err as Error;
    return {
      reader,
      outcome: 'BAD',
      message:
        err instanceof Inconsistent
          ? `inconsistent read: ${e.message}`
          : `${e?.name}: ${e?.message}\n${e?.stack ?? ''}`,
      fatal: err instanceof WebAssembly.RuntimeError || /Aborted\(/.test(String(e?.message)),
    };
  }
}

const isUserError = (e: unknown) => e instanceof UserError;

export async function readEverything(file: string): Promise<ReaderResult[]> {
  const size = fs.statSync(file).size;
  const results: ReaderResult[] = [];
  results.push(await classify('detectFormat', isUserError, () => detectFormat(file)));
  results.push(
    await classify('readClassicHeader', isUserError, () => {
      const h = readClassicHeader(file);
      for (const v of h.variables) {
        check(isCount(v.begin) && isCount(v.sliceBytes), `${v.name}: begin ${v.begin}, slice ${v.sliceBytes}`);
        const records = v.isRecord ? h.numrecs : 1;
        const end =
          records === 0 || v.sliceBytes === 0
            ? v.begin
            : v.begin + (records - 1) * (v.isRecord ? h.recsize : 0) + v.sliceBytes;
        check(end <= size, `${v.name} ends at ${end}, past the end of the file (${size})`);
        check(v.shape.every(isCount), `${v.name}: shape ${v.shape}`);
      }
      return `${h.format}, ${h.variables.length} variables`;
    }),
  );
  results.push(
    await classify(
      'locateRootDatasets',
      (e) => e instanceof Hdf5LayoutError,
      () => {
        const fd = fs.openSync(file, 'r');
        try {
          const ranges = locateRootDatasets(fd, size);
          for (const [name, r] of ranges)
            if (r)
              check(
                isCount(r.address) && isCount(r.size) && r.address + r.size <= size,
                `${name}: ${r.address}+${r.size} > ${size}`,
              );
          return `${ranges.size} datasets`;
        } finally {
          fs.closeSync(fd);
        }
      },
    ),
  );
  results.push(
    await classify('readRunStatus', isUserError, async () => {
      const rs = await readRunStatus(file);
      const cells = rs.grid.rows * rs.grid.cols;
      check(
        isCount(rs.grid.rows) && isCount(rs.grid.cols) && rs.status.length === cells,
        `grid ${rs.grid.rows}×${rs.grid.cols}, ${rs.status.length} values`,
      );
      check(rs.runtime === null || rs.runtime.length === cells, 'runtime length');
      check(Object.values(rs.counts).reduce((a, b) => a + b, 0) === cells, 'counts');
      return `${rs.grid.rows}×${rs.grid.cols}`;
    }),
  );
  results.push(
    await classify('readRunMask', isUserError, async () => {
      const m = await readRunMask(file);
      const cells = m.grid.rows * m.grid.cols;
      check(
        isCount(m.grid.rows) && isCount(m.grid.cols) && m.enabled.length === cells,
        `grid ${m.grid.rows}×${m.grid.cols}, ${m.enabled.length} values`,
      );
      check((m.lat === null || m.lat.length === cells) && (m.lon === null || m.lon.length === cells), 'lat/lon length');
      return `${m.grid.rows}×${m.grid.cols}`;
    }),
  );
  results.push(
    await classify('openNetcdf+readNumbers', isUserError, async () => {
      const nc = await openNetcdf(file);
      let values = 0;
      const names = new Set(nc.variables.map((v) => v.name));
      for (const v of nc.variables) {
        check(v.shape.every(isCount), `${v.name}: shape ${v.shape}`);
        check(
          v.dims.length === v.shape.length,
          `${v.name}: ${v.dims.length} dimension names for rank ${v.shape.length}`,
        );
        // A NetCDF-4 dimension is a dataset of the file (a dimension scale) or has no scale (phony).
        if (nc.format === 'netcdf4')
          for (const d of v.dims)
            check(names.has(d) || /^phony_dim_\d+$/.test(d), `${v.name}: dimension "${d}" is no dataset of the file`);
        if (v.raw) {
          const { offset, recordStride, records, recordBytes } = v.raw;
          const end = records === 0 ? offset : offset + (records - 1) * recordStride + recordBytes;
          check(isCount(offset) && end <= size, `${v.name}: raw extent ends at ${end} > ${size}`);
        }
        if (v.dtype.kind === 'char' || v.dtype.kind === 'other' || v.isDimensionOnly) continue;
        const n = nc.readNumbers(v).length;
        check(n === v.shape.reduce((a, b) => a * b, 1), `${v.name}: ${n} values for shape ${v.shape}`);
        values += n;
      }
      return `${nc.variables.length} variables, ${values} values`;
    }),
  );
  // A file the HDF5 library still holds open would be reused, with stale metadata and data, by every
  // later open of the same file in this process (HDF5 shares open files by inode): the core must know
  // and refuse it. After a wasm trap the core must refuse all HDF5 reads. Both are clean outcomes, but
  // the worker restarts after them (fatal) so that later inputs are read by a healthy library.
  const open = hdf5Library.openPaths();
  const poisoned = hdf5Library.failure();
  if (poisoned)
    results.push({
      reader: 'HDF5 state after',
      outcome: 'clean',
      message: `library failed (${poisoned}); further reads refused`,
      fatal: true,
    });
  else if (open.length && open.every((p) => hdf5Library.isLeaked(p)))
    results.push({
      reader: 'HDF5 state after',
      outcome: 'clean',
      message: `left open by the library: ${open.join(', ')}; refused until restart`,
      fatal: true,
    });
  else if (open.length)
    results.push({
      reader: 'HDF5 state after',
      outcome: 'BAD',
      message: `the HDF5 library still has ${open.join(', ')} open and the core does not know`,
      fatal: true,
    });
  else results.push({ reader: 'HDF5 state after', outcome: 'ok', message: 'no file open' });
  return results;
}
