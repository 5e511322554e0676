import * as fs from 'node:fs';
import { UserError } from '../errors';
import type { NetcdfFormat } from './format';

/**
 * NetCDF classic file format (CDF-1 "classic", CDF-2 "64-bit offset", CDF-5 "64-bit data"):
 * header parsing and positioned big-endian access to variables. Follows the format spec in
 * https://docs.unidata.ucar.edu/netcdf-c/current/file_format_specifications.html
 */

export type ClassicType =
  'byte' | 'char' | 'short' | 'int' | 'float' | 'double' | 'ubyte' | 'ushort' | 'uint' | 'int64' | 'uint64';

const TYPE_BY_CODE: Record<number, ClassicType> = {
  1: 'byte',
  2: 'char',
  3: 'short',
  4: 'int',
  5: 'float',
  6: 'double',
  7: 'ubyte',
  8: 'ushort',
  9: 'uint',
  10: 'int64',
  11: 'uint64',
};
export const CLASSIC_TYPE_SIZE: Record<ClassicType, number> = {
  byte: 1,
  char: 1,
  short: 2,
  int: 4,
  float: 4,
  double: 8,
  ubyte: 1,
  ushort: 2,
  uint: 4,
  int64: 8,
  uint64: 8,
};

const NC_DIMENSION = 0x0a;
const NC_VARIABLE = 0x0b;
const NC_ATTRIBUTE = 0x0c;
const STREAMING = 0xffffffff;

export interface ClassicDimension {
  name: string;
  length: number;
  isRecord: boolean;
}
export interface ClassicVariable {
  name: string;
  dims: string[];
  /** Full shape; for a record variable the first entry is the current number of records. */
  shape: number[];
  type: ClassicType;
  isRecord: boolean;
  /** File offset of the variable's data (of its first record, for a record variable). */
  begin: number;
  /** Bytes of one record's slice (record variable) or of the whole variable, without padding. */
  sliceBytes: number;
  attributes: Map<string, string | number[]>;
}
export interface ClassicHeader {
  format: Exclude<NetcdfFormat, 'netcdf4'>;
  numrecs: number;
  /** Distance between consecutive records in the file. */
  recsize: number;
  dims: ClassicDimension[];
  variables: ClassicVariable[];
  attributes: Map<string, string | number[]>;
}

/** Reads big-endian header fields from a buffer, failing cleanly past its end. */
class HeaderCursor {
  pos = 0;
  constructor(
    private readonly buf: Buffer,
    private readonly path: string,
    private readonly cdf5: boolean,
  ) {}
  need(n: number): void {
    // Past the end of the file: no larger read can help, the header is corrupt or cut short.
    if (!Number.isSafeInteger(n) || n < 0 || this.pos + n > this.fileSizeHint) {
      throw new UserError(
        `${this.path}: corrupt or truncated NetCDF header (a ${n}-byte field at byte ${this.pos} runs past the end of the file)`,
      );
    }
    if (this.pos + n > this.buf.length) throw new HeaderTooShort();
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  u64(): number {
    this.need(8);
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER))
      throw new UserError(`${this.path}: corrupt NetCDF header (value ${v} too large at byte ${this.pos - 8})`);
    return Number(v);
  }
  /** NON_NEG: 4 bytes, 8 in CDF-5. */
  count(): number {
    return this.cdf5 ? this.u64() : this.u32();
  }
  name(): string {
    const n = this.count();
    this.need(pad4(n));
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += pad4(n);
    return s;
  }
  bytes(n: number): Buffer {
    this.need(pad4(n));
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += pad4(n);
    return b;
  }
  /** A list count, checked against the bytes left so a corrupt count cannot cause a huge loop. */
  listCount(minItemBytes: number, what: string): number {
    const n = this.count();
    if (n * minItemBytes > this.fileSizeHint - this.pos)
      throw new UserError(`${this.path}: corrupt NetCDF header (${n} ${what} do not fit in the file)`);
    if (n * minItemBytes > this.buf.length - this.pos) throw new HeaderTooShort();
    return n;
  }
  fileSizeHint = 0;
}
class HeaderTooShort extends Error {}

/** Rounded up to a multiple of 4, without 32-bit bitwise arithmetic (counts go up to 2^64 - 1). */
const pad4 = (n: number) => n + ((4 - (n % 4)) % 4);

export function readClassicHeader(path: string, fd?: number): ClassicHeader {
  const ownFd = fd === undefined;
  const handle = fd ?? fs.openSync(path, 'r');
  try {
    const fileSize = fs.fstatSync(handle).size;
    // Headers are usually small; read more only when the first read is not enough.
    for (let want = Math.min(fileSize, 64 * 1024); ; want = Math.min(fileSize, want * 4)) {
      const buf = Buffer.alloc(want);
      const got = readFully(handle, buf, want, 0);
      if (got < want)
        throw new UserError(
          `${path}: truncated NetCDF file (it ended at byte ${got} while its header was read; is it being written?)`,
        );
      try {
        return parseHeader(buf, path, fileSize);
      } catch (err) {
        if (!(err instanceof HeaderTooShort)) throw err;
        if (want >= fileSize)
          throw new UserError(`${path}: truncated NetCDF file (the header ends past the end of the file)`);
      }
    }
  } finally {
    if (ownFd) fs.closeSync(handle);
  }
}

function parseHeader(buf: Buffer, path: string, fileSize: number): ClassicHeader {
  if (buf.length < 4 || buf.toString('latin1', 0, 3) !== 'CDF')
    throw new UserError(`${path}: not a NetCDF classic file`);
  const version = buf[3];
  const format = version === 1 ? 'classic' : version === 2 ? '64bit-offset' : version === 5 ? '64bit-data' : null;
  if (!format) throw new UserError(`${path}: unknown NetCDF classic version byte ${version}`);
  const cdf5 = version === 5;
  const c = new HeaderCursor(buf, path, cdf5);
  c.fileSizeHint = fileSize;
  c.pos = 4;
  const rawNumrecs = cdf5 ? c.u64() : c.u32();

  const dims: ClassicDimension[] = [];
  const dimTag = c.u32();
  const ndims = c.listCount(8, 'dimensions');
  if (dimTag !== NC_DIMENSION && !(dimTag === 0 && ndims === 0))
    throw new UserError(`${path}: corrupt NetCDF header (bad dimension list tag ${dimTag})`);
  for (let i = 0; i < ndims; i++) {
    const name = c.name();
    const length = c.count();
    dims.push({ name, length, isRecord: length === 0 });
  }
  const attributes = readAttributes(c, path);

  const varTag = c.u32();
  const nvars = c.listCount(16, 'variables');
  if (varTag !== NC_VARIABLE && !(varTag === 0 && nvars === 0))
    throw new UserError(`${path}: corrupt NetCDF header (bad variable list tag ${varTag})`);
  const rawVars: { v: Omit<ClassicVariable, 'shape' | 'sliceBytes'>; dimIds: number[] }[] = [];
  for (let i = 0; i < nvars; i++) {
    const name = c.name();
    const nd = c.listCount(4, 'dimension ids');
    const dimIds: number[] = [];
    for (let k = 0; k < nd; k++) {
      const id = c.count();
      if (id >= dims.length)
        throw new UserError(
          `${path}: corrupt NetCDF header (variable ${name} uses dimension id ${id}, the file has ${dims.length})`,
        );
      dimIds.push(id);
    }
    const vatts = readAttributes(c, path);
    const typeCode = c.u32();
    const type = TYPE_BY_CODE[typeCode];
    if (!type || (!cdf5 && typeCode > 6))
      throw new UserError(`${path}: corrupt NetCDF header (variable ${name} has unknown type code ${typeCode})`);
    if (cdf5) c.u64();
    else c.u32(); // vsize: recomputed below, it saturates for large variables
    const begin = format === 'classic' ? c.u32() : c.u64();
    const isRecord = dimIds.length > 0 && dims[dimIds[0]].isRecord;
    if (dimIds.slice(1).some((id) => dims[id].isRecord))
      throw new UserError(
        `${path}: corrupt NetCDF header (variable ${name} uses the record dimension other than first)`,
      );
    rawVars.push({
      v: { name, dims: dimIds.map((id) => dims[id].name), type, isRecord, begin, attributes: vatts },
      dimIds,
    });
  }
  const headerEnd = c.pos;
  // Names are unique in a valid file; a damaged header can repeat one, and a name must find one variable.
  const seen = new Set<string>();
  for (const [kind, names] of [
    ['dimensions', dims.map((d) => d.name)],
    ['variables', rawVars.map((r) => r.v.name)],
  ] as const) {
    seen.clear();
    for (const n of names) {
      if (seen.has(n)) throw new UserError(`${path}: corrupt NetCDF header (two ${kind} named ${JSON.stringify(n)})`);
      seen.add(n);
    }
  }

  const recordVars = rawVars.filter((r) => r.v.isRecord);
  const sliceOf = (r: (typeof rawVars)[number]) =>
    r.dimIds.reduce((n, id) => n * (dims[id].isRecord ? 1 : dims[id].length), 1) * CLASSIC_TYPE_SIZE[r.v.type];
  let recsize = recordVars.reduce((n, r) => n + pad4(sliceOf(r)), 0);
  // netCDF-C packs a lone record variable without padding.
  if (recordVars.length === 1) recsize = sliceOf(recordVars[0]);

  let numrecs = rawNumrecs;
  if (rawNumrecs === STREAMING && !cdf5) {
    // A loop, not Math.min(...): a header may list more variables than a call can take arguments.
    const firstRecord = recordVars.reduce((m, r) => Math.min(m, r.v.begin), Infinity);
    numrecs = recsize > 0 && recordVars.length ? Math.floor((fileSize - firstRecord) / recsize) : 0;
  }

  const variables = rawVars.map((r) => {
    const shape = r.dimIds.map((id) => (dims[id].isRecord ? numrecs : dims[id].length));
    return { ...r.v, shape, sliceBytes: sliceOf(r) };
  });
  for (const v of variables) {
    const count = v.isRecord ? numrecs : 1;
    const end =
      count === 0 || v.sliceBytes === 0 ? v.begin : v.begin + (count - 1) * (v.isRecord ? recsize : 0) + v.sliceBytes;
    if (v.begin < headerEnd && v.sliceBytes > 0 && count > 0)
      throw new UserError(`${path}: corrupt NetCDF header (variable ${v.name} starts inside the header)`);
    if (end > fileSize)
      throw new UserError(
        `${path}: truncated NetCDF file (variable ${v.name} needs ${end} bytes, the file has ${fileSize})`,
      );
  }
  return { format, numrecs, recsize, dims, variables, attributes };
}

function readAttributes(c: HeaderCursor, path: string): Map<string, string | number[]> {
  const atts = new Map<string, string | number[]>();
  const tag = c.u32();
  const n = c.listCount(12, 'attributes');
  if (tag !== NC_ATTRIBUTE && !(tag === 0 && n === 0))
    throw new UserError(`${path}: corrupt NetCDF header (bad attribute list tag ${tag})`);
  for (let i = 0; i < n; i++) {
    const name = c.name();
    const type = TYPE_BY_CODE[c.u32()];
    if (!type) throw new UserError(`${path}: corrupt NetCDF header (attribute ${name} has an unknown type)`);
    const count = c.count();
    const size = CLASSIC_TYPE_SIZE[type];
    const bytes = c.bytes(count * size);
    atts.set(name, type === 'char' ? bytes.toString('utf8') : Array.from(decodeBigEndian(bytes, type, count)));
  }
  return atts;
}

/** Decodes `count` big-endian values of `type` into numbers (int64 beyond 2^53 loses precision). */
export function decodeBigEndian(bytes: Uint8Array, type: ClassicType, count: number): Float64Array {
  const out = new Float64Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = CLASSIC_TYPE_SIZE[type];
  for (let i = 0; i < count; i++) {
    const at = i * size;
    switch (type) {
      case 'byte':
        out[i] = view.getInt8(at);
        break;
      case 'char':
      case 'ubyte':
        out[i] = view.getUint8(at);
        break;
      case 'short':
        out[i] = view.getInt16(at);
        break;
      case 'ushort':
        out[i] = view.getUint16(at);
        break;
      case 'int':
        out[i] = view.getInt32(at);
        break;
      case 'uint':
        out[i] = view.getUint32(at);
        break;
      case 'float':
        out[i] = view.getFloat32(at);
        break;
      case 'double':
        out[i] = view.getFloat64(at);
        break;
      case 'int64':
        out[i] = Number(view.getBigInt64(at));
        break;
      case 'uint64':
        out[i] = Number(view.getBigUint64(at));
        break;
    }
  }
  return out;
}

export function encodeBigEndian(values: ArrayLike<number>, type: ClassicType): Buffer {
  const size = CLASSIC_TYPE_SIZE[type];
  const out = Buffer.alloc(values.length * size);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let i = 0; i < values.length; i++) {
    const at = i * size;
    const v = values[i];
    switch (type) {
      case 'byte':
        view.setInt8(at, v);
        break;
      case 'char':
      case 'ubyte':
        view.setUint8(at, v);
        break;
      case 'short':
        view.setInt16(at, v);
        break;
      case 'ushort':
        view.setUint16(at, v);
        break;
      case 'int':
        view.setInt32(at, v);
        break;
      case 'uint':
        view.setUint32(at, v);
        break;
      case 'float':
        view.setFloat32(at, v);
        break;
      case 'double':
        view.setFloat64(at, v);
        break;
      case 'int64':
        view.setBigInt64(at, BigInt(Math.trunc(v)));
        break;
      case 'uint64':
        view.setBigUint64(at, BigInt(Math.trunc(v)));
        break;
    }
  }
  return out;
}

/** Byte ranges holding a variable's data: one per record for a record variable. */
export function classicRanges(header: ClassicHeader, v: ClassicVariable): { offset: number; length: number }[] {
  if (!v.isRecord) return [{ offset: v.begin, length: v.sliceBytes }];
  return Array.from({ length: header.numrecs }, (_, r) => ({
    offset: v.begin + r * header.recsize,
    length: v.sliceBytes,
  }));
}

/** Reads up to `length` bytes at `position`, as many reads as it takes; returns the bytes read. */
function readFully(fd: number, buf: Buffer, length: number, position: number): number {
  let got = 0;
  while (got < length) {
    const n = fs.readSync(fd, buf, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

/** Reads a whole variable as numbers. */
export function readClassicValues(
  fd: number,
  header: ClassicHeader,
  v: ClassicVariable,
  path = 'NetCDF file',
): Float64Array {
  const parts = classicRanges(header, v).map(({ offset, length }) => {
    const b = Buffer.alloc(length);
    // A short read means the file shrank since its header was read (being rewritten): never zeros.
    if (readFully(fd, b, length, offset) < length)
      throw new UserError(
        `${path}: truncated NetCDF file (variable ${v.name} ends past the end of the file; is it being written?)`,
      );
    return b;
  });
  const all = Buffer.concat(parts);
  return decodeBigEndian(all, v.type, all.length / CLASSIC_TYPE_SIZE[v.type]);
}

/** Overwrites a whole variable with `values`, encoded in the variable's own type. */
export function writeClassicValues(
  fd: number,
  header: ClassicHeader,
  v: ClassicVariable,
  values: ArrayLike<number>,
): void {
  const bytes = encodeBigEndian(values, v.type);
  let at = 0;
  for (const { offset, length } of classicRanges(header, v)) {
    fs.writeSync(fd, bytes, at, length, offset);
    at += length;
  }
}
