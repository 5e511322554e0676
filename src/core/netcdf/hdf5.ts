import * as fs from 'node:fs';
import type { Dataset, File as H5File } from 'h5wasm/node' with { 'resolution-mode': 'import' };
import { UserError } from '../errors';
import { hdf5Library, hdf5Reason, traceReason } from './hdf5Library';
import { Hdf5LayoutError } from './hdf5Format';
import { readRootLayout, type ContiguousStorage } from './hdf5Layout';
import type { DType, RawExtent, Variable } from './variable';

/**
 * NetCDF-4 (HDF5) variables through the HDF5 library (hdf5Library). The library gives names, shapes,
 * types and dimension scales; our own layout reader (hdf5Layout) gives the byte ranges of contiguous
 * datasets, which the merge patches directly. Datasets without such a range are read and written
 * through the library.
 */

const PHONY_DIM_NOTE = 'This is a netCDF dimension but not a netCDF variable';

/** Opens `path`, runs `fn` and closes the file (see Hdf5Library.withFile). */
export function withH5<T>(path: string, mode: 'r' | 'a', fn: (file: H5File) => T): T {
  return hdf5Library.withFile(path, mode, fn);
}

/**
 * A root-level object, failing with a UserError when the library cannot read it: h5wasm reports a
 * damaged object header only through the diagnostic trace (and then guesses its type).
 */
function getObject(file: H5File, path: string, name: string) {
  let got: { value: ReturnType<H5File['get']>; trace: string };
  try {
    got = hdf5Library.callTraced(() => file.get(name));
  } catch (err) {
    throw new UserError(`${path}: cannot read variable ${name} (${hdf5Reason(err) ?? (err as Error).message})`);
  }
  if (/HDF5-DIAG/.test(got.trace))
    throw new UserError(`${path}: cannot read variable ${name} (${traceReason(got.trace) ?? 'damaged object'})`);
  return got.value;
}

function getDataset(file: H5File, path: string, name: string): Dataset {
  const d = getObject(file, path, name);
  if (!hdf5Library.isDataset(d)) throw new UserError(`${path}: variable ${name} is not a dataset`);
  return d;
}

/** Runs an h5wasm data access, turning its failures (allocation, HDF5 errors, a wasm abort) into a UserError. */
function h5Access<T>(path: string, what: string, fn: () => T): T {
  try {
    return hdf5Library.call(fn);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${path}: cannot ${what} (${hdf5Reason(err) ?? (err as Error)?.message ?? String(err)})`);
  }
}

/** Largest variable read whole as numbers (grids such as run_status and run masks are far smaller). */
const MAX_WHOLE_READ_ELEMENTS = 2 ** 24;

export function readHdf5Variables(path: string): Variable[] {
  // Our own metadata walk first: it refuses damage the HDF5 library would hang on.
  const ranges = readLayout(path);
  const variables = withH5(path, 'r', (file) => {
    const out: Variable[] = [];
    for (const name of hdf5Library.call(() => file.keys())) {
      const entity = getObject(file, path, name);
      if (hdf5Library.isGroup(entity))
        throw new UserError(`${path}: NetCDF-4 groups are not supported (found group "${name}")`);
      if (hdf5Library.isDataset(entity)) out.push(describeDataset(path, name, entity));
    }
    return out;
  });
  checkNames(path, variables);
  if (ranges) attachRawExtents(variables, ranges);
  return variables;
}

/**
 * Names must hold together: with damaged link names (old-format files keep them, unchecked, in a local
 * heap) the library reports dimension names that are no dataset of the file, empty or repeated names.
 * Trusting them would make a grid variable look like any other and be copied instead of merged.
 */
function checkNames(path: string, variables: Variable[]): void {
  const names = new Set<string>();
  for (const v of variables) {
    if (!v.name || names.has(v.name))
      throw new UserError(
        `${path}: damaged NetCDF-4/HDF5 file (${v.name ? `two variables named "${v.name}"` : 'a variable without a name'})`,
      );
    names.add(v.name);
  }
  for (const v of variables) {
    if (v.dims.length !== v.shape.length)
      throw new UserError(
        `${path}: damaged NetCDF-4/HDF5 file (variable ${v.name} has ${v.dims.length} dimension names for ${v.shape.length} dimensions)`,
      );
    for (const d of v.dims) {
      if (!names.has(d) && !/^phony_dim_\d+$/.test(d))
        throw new UserError(
          `${path}: damaged NetCDF-4/HDF5 file (variable ${JSON.stringify(v.name)} has a dimension ${JSON.stringify(d)} that is no dimension of the file)`,
        );
    }
  }
}

function describeDataset(path: string, name: string, d: Dataset): Variable {
  try {
    const described = hdf5Library.callTraced(() => {
      const md = d.metadata;
      const shape = d.shape ?? [];
      const attrNames = Object.keys(d.attrs);
      const isScale = attrNames.includes('CLASS');
      const dims = shape.map((_, i) => {
        const scales = d.get_attached_scales(i);
        if (scales.length) return scales[0].replace(/^.*\//, '');
        return isScale && shape.length === 1 ? name : `phony_dim_${i}`;
      });
      // Read NAME only when it is the short string it always is: a damaged one could claim gigabytes.
      const nameMeta = isScale && attrNames.includes('NAME') ? d.attrs['NAME'].metadata : null;
      const nameIsShortString =
        !!nameMeta && nameMeta.type === 3 && !nameMeta.vlen && nameMeta.size * (nameMeta.total_size ?? 1) <= 4096;
      const phony = nameIsShortString && String(d.get_attribute('NAME', true) ?? '').startsWith(PHONY_DIM_NOTE);
      return {
        name,
        dims,
        shape,
        dtype: dtypeOf(md),
        raw: null,
        chunked: md.chunks !== null || d.filters.length > 0,
        isDimensionOnly: phony,
      } satisfies Variable;
    });
    if (/HDF5-DIAG/.test(described.trace))
      throw new UserError(
        `${path}: cannot read variable ${name} (${traceReason(described.trace) ?? 'damaged object'})`,
      );
    const v = described.value;
    if (!v.shape.every((n) => Number.isSafeInteger(n) && n >= 0))
      throw new UserError(`${path}: variable ${name} has an impossible shape (${v.shape.join(', ')})`);
    return v;
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${path}: cannot read variable ${name} (${hdf5Reason(err) ?? (err as Error).message})`);
  }
}

function dtypeOf(md: { type: number; size: number; littleEndian: boolean; signed: boolean }): DType {
  const kind =
    md.type === 0 ? (md.signed ? 'int' : 'uint') : md.type === 1 ? 'float' : md.type === 3 ? 'char' : 'other';
  const order = md.size > 1 ? (md.littleEndian ? ' LE' : ' BE') : '';
  const label =
    kind === 'char'
      ? `char[${md.size}]`
      : kind === 'other'
        ? `HDF5 type class ${md.type} (${md.size} bytes)`
        : `${kind}${md.size * 8}${order}`;
  return { kind, size: md.size, label };
}

/** Byte ranges of the contiguous root datasets, or null when the layout reader cannot follow the file. */
function readLayout(path: string): Map<string, ContiguousStorage | null> | null {
  const fd = fs.openSync(path, 'r');
  try {
    const { datasets, hazard } = readRootLayout(fd, fs.fstatSync(fd).size);
    if (hazard) throw new UserError(`${path}: damaged NetCDF-4/HDF5 file (${hazard})`);
    // Null when the walker could not follow some object: h5wasm then does all the reading.
    return datasets;
  } catch (err) {
    // The layout reader covers what netCDF-C writes; anything else still works through h5wasm.
    if (err instanceof Hdf5LayoutError) return null;
    throw err;
  } finally {
    fs.closeSync(fd);
  }
}

function attachRawExtents(variables: Variable[], ranges: Map<string, ContiguousStorage | null>): void {
  for (const v of variables) {
    const r = ranges.get(v.name);
    const bytes = v.shape.reduce((n, s) => n * s, 1) * v.dtype.size;
    if (r && !v.chunked && r.size === bytes)
      v.raw = { offset: r.address, recordStride: 0, records: 1, recordBytes: bytes } satisfies RawExtent;
  }
}

/** Typed array constructor matching an HDF5 numeric type, as h5wasm expects for writes. */
function typedArrayFor(v: Variable): {
  new (n: number): ArrayLike<number | bigint> & { [i: number]: number | bigint };
} {
  const { kind, size } = v.dtype;
  if (kind === 'float') return size === 4 ? Float32Array : Float64Array;
  if (kind === 'int')
    return ({ 1: Int8Array, 2: Int16Array, 4: Int32Array, 8: BigInt64Array } as const)[size as 1 | 2 | 4 | 8];
  if (kind === 'uint')
    return ({ 1: Uint8Array, 2: Uint16Array, 4: Uint32Array, 8: BigUint64Array } as const)[size as 1 | 2 | 4 | 8];
  throw new UserError(`variable ${v.name} has type ${v.dtype.label}, expected a number type`);
}

/** Reads a whole numeric variable as numbers. */
export function readHdf5Numbers(path: string, v: Variable): Float64Array {
  const elements = v.shape.reduce((n, s) => n * s, 1);
  if (elements > MAX_WHOLE_READ_ELEMENTS)
    throw new UserError(
      `${path}: variable ${v.name} has ${elements} values, too many to read at once (shape ${v.shape.join(' × ')})`,
    );
  return withH5(path, 'r', (file) => {
    const d = getDataset(file, path, v.name);
    const raw = h5Access(path, `read variable ${v.name}`, () => d.value) as
      ArrayLike<number | bigint> | number | bigint | null;
    // A scalar variable comes back as a bare number.
    const value = typeof raw === 'number' || typeof raw === 'bigint' ? [raw] : raw;
    if (!value || typeof value === 'string') throw new UserError(`${path}: variable ${v.name} holds no numbers`);
    if (value.length !== elements)
      throw new UserError(
        `${path}: variable ${v.name} holds ${value.length} values, its shape (${v.shape.join(' × ')}) says ${elements}`,
      );
    const out = new Float64Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = Number(value[i]);
    return out;
  });
}

/** Overwrites a whole numeric variable with `values`, converted to its own type. */
export function writeHdf5Numbers(path: string, v: Variable, values: ArrayLike<number>): void {
  const Ctor = typedArrayFor(v);
  const data = new Ctor(values.length);
  const big = data instanceof BigInt64Array || data instanceof BigUint64Array;
  for (let i = 0; i < values.length; i++) data[i] = big ? BigInt(Math.trunc(values[i])) : values[i];
  withH5(path, 'a', (file) => {
    const d = getDataset(file, path, v.name);
    h5Access(path, `write variable ${v.name}`, () =>
      d.write_slice(
        v.shape.map((s): [number, number] => [0, s]),
        data,
      ),
    );
  });
}

/**
 * Reads `count` indices of the first dimension starting at `start`, all of the other dimensions,
 * as the bytes of native (little-endian) values.
 */
export function readHdf5Slab(file: H5File, v: Variable, start: number, count: number): Uint8Array {
  const d = getDataset(file, file.filename, v.name);
  const ranges = v.shape.map((s, i): [number, number] => (i === 0 ? [start, start + count] : [0, s]));
  const value = h5Access(file.filename, `read variable ${v.name}`, () => d.slice(ranges)) as ArrayBufferView | null;
  if (!value || !ArrayBuffer.isView(value)) throw new UserError(`${file.filename}: cannot read variable ${v.name}`);
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

export function writeHdf5Slab(file: H5File, v: Variable, start: number, count: number, bytes: Uint8Array): void {
  const d = getDataset(file, file.filename, v.name);
  const Ctor = typedArrayFor(v) as unknown as { new (b: ArrayBufferLike, o: number, n: number): ArrayBufferView };
  const data = new Ctor(bytes.buffer, bytes.byteOffset, bytes.byteLength / v.dtype.size);
  const ranges = v.shape.map((s, i): [number, number] => (i === 0 ? [start, start + count] : [0, s]));
  h5Access(file.filename, `write variable ${v.name}`, () => d.write_slice(ranges, data));
}
