import * as fs from 'node:fs';
import { UserError } from '../errors';
import { readFileLayout, type DatasetDescription } from './hdf5Layout';
import type { DType, Variable } from './variable';

/**
 * NetCDF-4 variables described by our own HDF5 metadata walker (hdf5Layout), without the HDF5 library:
 * for reading and writing small contiguous grids (run_status, run masks) without loading and compiling
 * h5wasm, which is most of a salvage's start-up. Returns null whenever the walker cannot vouch for what
 * is asked (a needed variable chunked, compressed, unallocated, of an unusual type, or without
 * dimension scales; an unreadable structure): the caller then opens the file through the library.
 */
export function quickNetcdf4Variables(path: string, required: string, optional: string[] = []): Variable[] | null {
  const layout = readFileLayout(path);
  if (!layout) return null;
  const { datasets, descriptions, hazard } = layout;
  if (hazard) throw new UserError(`${path}: damaged NetCDF-4/HDF5 file (${hazard})`);
  if (!datasets || !descriptions || !descriptions.has(required)) return null;
  const scaleNames = new Set([...descriptions.values()].flatMap((d) => d.dims ?? []).filter((n): n is string => !!n));
  const variables: Variable[] = [];
  for (const [name, d] of descriptions) {
    const v = describe(name, d, datasets.get(name) ?? null, scaleNames.has(name));
    if ((name === required || optional.includes(name)) && !v) return null;
    if (v) variables.push(v);
  }
  return variables;
}

/** A variable whose every property is known and whose values lie in one byte range; null otherwise. */
function describe(
  name: string,
  d: DatasetDescription,
  storage: { address: number; size: number } | null,
  isScale: boolean,
): Variable | null {
  if (!d.shape || !d.type || !storage) return null;
  const dims = d.dims?.every((n) => n !== null) ? d.dims : isScale && d.shape.length === 1 ? [name] : null;
  if (!dims || dims.length !== d.shape.length) return null;
  const bytes = d.shape.reduce((n, s) => n * s, 1) * d.type.size;
  if (storage.size !== bytes) return null;
  const { kind, size, littleEndian } = d.type;
  const dtype: DType = { kind, size, label: `${kind}${size * 8}${size > 1 ? (littleEndian ? ' LE' : ' BE') : ''}` };
  return {
    name,
    dims,
    shape: d.shape,
    dtype,
    raw: { offset: storage.address, recordStride: 0, records: 1, recordBytes: bytes },
    chunked: false,
    isDimensionOnly: false,
  };
}

const littleEndianOf = (v: Variable) => v.dtype.label.endsWith(' LE') || v.dtype.size === 1;

/** All values of a variable described by quickNetcdf4Variables. */
export function readRawNumbers(path: string, v: Variable): Float64Array {
  const raw = v.raw!;
  const buf = Buffer.alloc(raw.recordBytes);
  const fd = fs.openSync(path, 'r');
  try {
    for (let got = 0; got < buf.length;) {
      const n = fs.readSync(fd, buf, got, buf.length - got, raw.offset + got);
      if (n === 0)
        throw new UserError(
          `${path}: truncated file (variable ${v.name} ends past the end of the file; is it being written?)`,
        );
      got += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const le = littleEndianOf(v);
  const { kind, size } = v.dtype;
  const out = new Float64Array(buf.length / size);
  for (let i = 0; i < out.length; i++) {
    const at = i * size;
    if (kind === 'float') out[i] = size === 4 ? view.getFloat32(at, le) : view.getFloat64(at, le);
    else if (size === 1) out[i] = kind === 'int' ? view.getInt8(at) : view.getUint8(at);
    else if (size === 2) out[i] = kind === 'int' ? view.getInt16(at, le) : view.getUint16(at, le);
    else if (size === 4) out[i] = kind === 'int' ? view.getInt32(at, le) : view.getUint32(at, le);
    else out[i] = Number(kind === 'int' ? view.getBigInt64(at, le) : view.getBigUint64(at, le));
  }
  return out;
}

/** Overwrites all values of a variable described by quickNetcdf4Variables, converted to its type. */
export function writeRawNumbers(path: string, v: Variable, values: ArrayLike<number>): void {
  const raw = v.raw!;
  const { kind, size } = v.dtype;
  if (values.length * size !== raw.recordBytes)
    throw new Error(`${v.name}: ${values.length} values for ${raw.recordBytes} bytes`);
  const buf = Buffer.alloc(raw.recordBytes);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const le = littleEndianOf(v);
  const set = numberSetter(kind === 'float' ? 'float' : kind === 'int' ? 'int' : 'uint', size);
  for (let i = 0; i < values.length; i++) set(view, i * size, values[i], le);
  const fd = fs.openSync(path, 'r+');
  try {
    for (let done = 0; done < buf.length;) done += fs.writeSync(fd, buf, done, buf.length - done, raw.offset + done);
  } finally {
    fs.closeSync(fd);
  }
}

type NumberSetter = (view: DataView, at: number, x: number, le: boolean) => void;

/** The DataView setter for one element of a numeric type (8-byte integers through BigInt). */
function numberSetter(kind: 'float' | 'int' | 'uint', size: number): NumberSetter {
  if (kind === 'float')
    return size === 4 ? (d, at, x, le) => d.setFloat32(at, x, le) : (d, at, x, le) => d.setFloat64(at, x, le);
  const signed = kind === 'int';
  switch (size) {
    case 1:
      return signed ? (d, at, x) => d.setInt8(at, x) : (d, at, x) => d.setUint8(at, x);
    case 2:
      return signed ? (d, at, x, le) => d.setInt16(at, x, le) : (d, at, x, le) => d.setUint16(at, x, le);
    case 4:
      return signed ? (d, at, x, le) => d.setInt32(at, x, le) : (d, at, x, le) => d.setUint32(at, x, le);
    default:
      return signed
        ? (d, at, x, le) => d.setBigInt64(at, BigInt(Math.trunc(x)), le)
        : (d, at, x, le) => d.setBigUint64(at, BigInt(Math.trunc(x)), le);
  }
}
