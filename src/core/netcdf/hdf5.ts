import * as fs from 'node:fs';
import type { Dataset, File as H5File } from 'h5wasm/node' with { 'resolution-mode': 'import' };
import { UserError } from '../errors';
import { h5wasmSync, hdf5Reason, quietly } from './h5wasmLoader';
import { Hdf5LayoutError, locateRootDatasets } from './hdf5Layout';
import type { DType, RawExtent, Variable } from './variable';

/**
 * NetCDF-4 (HDF5) files through h5wasm. h5wasm gives names, shapes, types and dimension scales;
 * our own layout reader (hdf5Layout) gives the byte ranges of contiguous datasets, which the merge
 * patches directly. Datasets without such a range are read and written through h5wasm.
 */

const PHONY_DIM_NOTE = 'This is a netCDF dimension but not a netCDF variable';

export function openH5(path: string, mode: 'r' | 'a'): H5File {
  const h5 = h5wasmSync();
  try {
    const file = quietly(() => new h5.File(path, mode));
    quietly(() => file.keys()); // h5wasm opens lazily: make a bad file fail here, not later
    return file;
  } catch (err) {
    const reason = hdf5Reason(err) ?? (err as Error).message;
    throw new UserError(`${path}: cannot open as NetCDF-4/HDF5 (${reason})`);
  }
}

export function withH5<T>(path: string, mode: 'r' | 'a', fn: (file: H5File) => T): T {
  const file = openH5(path, mode);
  try {
    return fn(file);
  } finally {
    quietly(() => file.close());
  }
}

export function readHdf5Variables(path: string): Variable[] {
  const variables = withH5(path, 'r', (file) => {
    const out: Variable[] = [];
    for (const name of quietly(() => file.keys())) {
      const entity = quietly(() => file.get(name));
      if (!entity || entity.constructor.name === 'Group') {
        if (entity) throw new UserError(`${path}: NetCDF-4 groups are not supported (found group "${name}")`);
        continue;
      }
      if (entity.constructor.name !== 'Dataset') continue;
      out.push(describeDataset(path, name, entity as Dataset));
    }
    return out;
  });
  attachRawExtents(path, variables);
  return variables;
}

function describeDataset(path: string, name: string, d: Dataset): Variable {
  try {
    return quietly(() => {
      const md = d.metadata;
      const shape = d.shape ?? [];
      const attrNames = Object.keys(d.attrs);
      const isScale = attrNames.includes('CLASS');
      const dims = shape.map((_, i) => {
        const scales = d.get_attached_scales(i);
        if (scales.length) return scales[0].replace(/^.*\//, '');
        return isScale && shape.length === 1 ? name : `phony_dim_${i}`;
      });
      const phony = isScale && attrNames.includes('NAME') && String(d.get_attribute('NAME', true) ?? '').startsWith(PHONY_DIM_NOTE);
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
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${path}: cannot read variable ${name} (${hdf5Reason(err) ?? (err as Error).message})`);
  }
}

function dtypeOf(md: { type: number; size: number; littleEndian: boolean; signed: boolean }): DType {
  const kind = md.type === 0 ? (md.signed ? 'int' : 'uint') : md.type === 1 ? 'float' : md.type === 3 ? 'char' : 'other';
  const order = md.size > 1 ? (md.littleEndian ? ' LE' : ' BE') : '';
  const label = kind === 'char' ? `char[${md.size}]` : kind === 'other' ? `HDF5 type class ${md.type} (${md.size} bytes)` : `${kind}${md.size * 8}${order}`;
  return { kind, size: md.size, label };
}

function attachRawExtents(path: string, variables: Variable[]): void {
  let ranges: Map<string, { address: number; size: number } | null>;
  const fd = fs.openSync(path, 'r');
  try {
    ranges = locateRootDatasets(fd, fs.fstatSync(fd).size);
  } catch (err) {
    // The layout reader covers what netCDF-C writes; anything else still works through h5wasm.
    if (err instanceof Hdf5LayoutError) return;
    throw err;
  } finally {
    fs.closeSync(fd);
  }
  for (const v of variables) {
    const r = ranges.get(v.name);
    const bytes = v.shape.reduce((n, s) => n * s, 1) * v.dtype.size;
    if (r && !v.chunked && r.size === bytes) v.raw = { offset: r.address, recordStride: 0, records: 1, recordBytes: bytes } satisfies RawExtent;
  }
}

/** Typed array constructor matching an HDF5 numeric type, as h5wasm expects for writes. */
function typedArrayFor(v: Variable): { new (n: number): ArrayLike<number | bigint> & { [i: number]: number | bigint } } {
  const { kind, size } = v.dtype;
  if (kind === 'float') return size === 4 ? Float32Array : Float64Array;
  if (kind === 'int') return ({ 1: Int8Array, 2: Int16Array, 4: Int32Array, 8: BigInt64Array } as const)[size as 1 | 2 | 4 | 8];
  if (kind === 'uint') return ({ 1: Uint8Array, 2: Uint16Array, 4: Uint32Array, 8: BigUint64Array } as const)[size as 1 | 2 | 4 | 8];
  throw new UserError(`variable ${v.name} has type ${v.dtype.label}, expected a number type`);
}

/** Reads a whole numeric variable as numbers. */
export function readHdf5Numbers(path: string, v: Variable): Float64Array {
  return withH5(path, 'r', (file) => {
    const d = file.get(v.name) as Dataset;
    const value = quietly(() => d.value) as ArrayLike<number | bigint> | null;
    if (!value || typeof value === 'string') throw new UserError(`${path}: variable ${v.name} holds no numbers`);
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
    const d = file.get(v.name) as Dataset;
    quietly(() => d.write_slice(v.shape.map((s): [number, number] => [0, s]), data));
  });
}

/**
 * Reads `count` indices of the first dimension starting at `start`, all of the other dimensions,
 * as the bytes of native (little-endian) values.
 */
export function readHdf5Slab(file: H5File, v: Variable, start: number, count: number): Uint8Array {
  const d = file.get(v.name) as Dataset;
  const ranges = v.shape.map((s, i): [number, number] => (i === 0 ? [start, start + count] : [0, s]));
  const value = quietly(() => d.slice(ranges)) as ArrayBufferView | null;
  if (!value || !ArrayBuffer.isView(value)) throw new UserError(`${file.filename}: cannot read variable ${v.name}`);
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

export function writeHdf5Slab(file: H5File, v: Variable, start: number, count: number, bytes: Uint8Array): void {
  const d = file.get(v.name) as Dataset;
  const Ctor = typedArrayFor(v) as unknown as { new (b: ArrayBufferLike, o: number, n: number): ArrayBufferView };
  const data = new Ctor(bytes.buffer, bytes.byteOffset, bytes.byteLength / v.dtype.size);
  const ranges = v.shape.map((s, i): [number, number] => (i === 0 ? [start, start + count] : [0, s]));
  quietly(() => d.write_slice(ranges, data));
}
