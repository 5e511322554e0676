import * as fs from 'node:fs';
import { UserError } from '../errors';
import {
  CLASSIC_TYPE_SIZE,
  readClassicHeader,
  readClassicValues,
  writeClassicValues,
  type ClassicHeader,
  type ClassicType,
} from './classic';
import { contiguousNetcdf4Variables } from './contiguous';
import { detectFormat, type NetcdfFormat } from './format';
import { hdf5Library } from './hdf5Library';
import { readHdf5Numbers, readHdf5Variables, writeHdf5Numbers } from './hdf5';
import { quickNetcdf4Variables, readRawNumbers, writeRawNumbers } from './quickHdf5';
import type { DType, Variable } from './variable';

/**
 * One NetCDF file of any kind, as the core sees it: its variables, their byte ranges, and whole-
 * variable number access (for small grids such as run_status and run masks).
 */
export interface NcFile {
  path: string;
  format: NetcdfFormat;
  size: number;
  variables: Variable[];
  variable(name: string): Variable | undefined;
  readNumbers(v: Variable): Float64Array;
  /** Overwrites a variable in place. Only ever called on the tool's own staged copies. */
  writeNumbers(v: Variable, values: ArrayLike<number>): void;
}

/** Opens a NetCDF file's metadata; loads h5wasm first when the file is NetCDF-4. */
export async function openNetcdf(path: string): Promise<NcFile> {
  const format = detectFormat(path);
  if (format === 'netcdf4') await hdf5Library.load();
  return openDetected(path, format);
}

/**
 * Opens a file to read or write the small variable `required` (and, when present, `optional` ones):
 * like openNetcdf, except that a NetCDF-4 file where these are stored contiguously is handled without
 * loading the HDF5 library (its start-up is most of a salvage's fixed cost). The file's `variables`
 * then list only what our own walker could describe.
 */
export async function openNetcdfFor(path: string, required: string, optional: string[] = []): Promise<NcFile> {
  const format = detectFormat(path);
  if (format !== 'netcdf4') return openDetected(path, format);
  const quick = quickNetcdf4Variables(path, required, optional);
  if (!quick) return openNetcdf(path);
  return makeFile(path, format, fs.statSync(path).size, quick, {
    read: (v) => readRawNumbers(path, v),
    write: (v, values) => writeRawNumbers(path, v, values),
  });
}

/**
 * Opens a file's metadata without the HDF5 library: classic files, and NetCDF-4 files whose variables
 * our own walker describes in full with a byte range for every grid variable (contiguousNetcdf4Variables);
 * null for any other NetCDF-4 file (then open it with openNetcdf). Variables without a byte range can
 * then not be read as numbers.
 */
export function openNetcdfWithoutLibrary(path: string): NcFile | null {
  const format = detectFormat(path);
  if (format !== 'netcdf4') return openDetected(path, format);
  const variables = contiguousNetcdf4Variables(path);
  if (!variables) return null;
  const rawOnly = (v: Variable) => {
    if (!v.raw) throw new UserError(`${path}: variable ${v.name} can only be read through the HDF5 library`);
    return v;
  };
  return makeFile(path, format, fs.statSync(path).size, variables, {
    read: (v) => readRawNumbers(path, rawOnly(v)),
    write: (v, values) => writeRawNumbers(path, rawOnly(v), values),
  });
}

/**
 * Opens files whose variables are to be compared with each other (the two sides of a merge, the
 * batches of a stitch): all without the HDF5 library when our own readers describe every one in full
 * (what dvmdostem writes: h5wasm is then never loaded), else all through it, so that they are always
 * described by the same reader.
 */
export async function openAlike(paths: string[]): Promise<NcFile[]> {
  const quick: NcFile[] = [];
  // Our walker takes a one-dimensional dimension scale without data for a dimension that is no netCDF
  // variable (the NAME attribute that says so is the library's to read): when the files differ in
  // those, the library decides which variables they hold.
  const guessed = (f: NcFile) =>
    f.variables
      .filter((v) => v.isDimensionOnly)
      .map((v) => v.name)
      .sort()
      .join('/');
  for (const p of paths) {
    const f = openNetcdfWithoutLibrary(p);
    if (!f || (quick.length && guessed(f) !== guessed(quick[0]))) break;
    quick.push(f);
  }
  if (quick.length === paths.length) return quick;
  const all: NcFile[] = [];
  for (const p of paths) all.push(await openNetcdf(p));
  return all;
}

function openDetected(path: string, format: NetcdfFormat): NcFile {
  const size = fs.statSync(path).size;
  if (format === 'netcdf4') {
    const variables = readHdf5Variables(path);
    return makeFile(path, format, size, variables, {
      read: (v) => readHdf5Numbers(path, v),
      write: (v, values) => writeHdf5Numbers(path, v, values),
    });
  }
  const header = readClassicHeader(path);
  const byName = new Map(header.variables.map((cv) => [cv.name, cv]));
  const variables = header.variables.map((cv) => classicVariable(header, cv));
  const withFd = <T>(flags: string, fn: (fd: number) => T): T => {
    const fd = fs.openSync(path, flags);
    try {
      return fn(fd);
    } finally {
      fs.closeSync(fd);
    }
  };
  return makeFile(path, format, size, variables, {
    read: (v) => withFd('r', (fd) => readClassicValues(fd, header, byName.get(v.name)!, path)),
    write: (v, values) => withFd('r+', (fd) => writeClassicValues(fd, header, byName.get(v.name)!, values)),
  });
}

function classicVariable(header: ClassicHeader, cv: ClassicHeader['variables'][number]): Variable {
  return {
    name: cv.name,
    dims: cv.dims,
    shape: cv.shape,
    dtype: classicDType(cv.type),
    raw: {
      offset: cv.begin,
      recordStride: cv.isRecord ? header.recsize : 0,
      records: cv.isRecord ? header.numrecs : 1,
      recordBytes: cv.sliceBytes,
    },
    chunked: false,
    isDimensionOnly: false,
  };
}

function classicDType(t: ClassicType): DType {
  const size = CLASSIC_TYPE_SIZE[t];
  const kind = t === 'char' ? 'char' : t === 'float' || t === 'double' ? 'float' : t.startsWith('u') ? 'uint' : 'int';
  const label = kind === 'char' ? 'char[1]' : `${kind}${size * 8}${size > 1 ? ' BE' : ''}`;
  return { kind, size, label };
}

function makeFile(
  path: string,
  format: NetcdfFormat,
  size: number,
  variables: Variable[],
  io: { read: (v: Variable) => Float64Array; write: (v: Variable, values: ArrayLike<number>) => void },
): NcFile {
  return {
    path,
    format,
    size,
    variables,
    variable: (name) => variables.find((v) => v.name === name),
    readNumbers: (v) => {
      if (v.dtype.kind === 'char' || v.dtype.kind === 'other')
        throw new UserError(`${path}: variable ${v.name} has type ${v.dtype.label}, expected numbers`);
      return io.read(v);
    },
    writeNumbers: (v, values) => io.write(v, values),
  };
}
