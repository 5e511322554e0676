/**
 * Finds where the raw data of each dataset linked from the root group of a NetCDF-4/HDF5 file lives
 * when its storage is contiguous, so that cells can be patched with plain positioned reads/writes
 * (h5wasm does not expose H5Dget_offset), and describes each dataset (shape, type, dimension scales)
 * without the HDF5 library. Damage the library cannot be trusted with is looked for on the way
 * (hdf5Damage) and reported in the result.
 */
import * as fs from 'node:fs';
import { checkAttributeHeaps } from './hdf5Damage';
import {
  Cursor,
  H5File,
  Hdf5HazardError,
  Hdf5LayoutError,
  MSG,
  readObjectHeader,
  readSuperblock,
  SHARED_MESSAGE_FLAG,
  type Message,
} from './hdf5Format';
import { readGroupLinks } from './hdf5Groups';

export interface ContiguousStorage {
  address: number;
  size: number;
}

// ---------------------------------------------------------------------------------------------------
// Datasets

/** The contiguous raw data range of a dataset object header, or null if it is not contiguous/allocated. */
function readContiguousStorage(
  f: H5File,
  messages: Message[],
  layout: Message,
  name: string,
): ContiguousStorage | null {
  // Filters or external files mean the bytes at the address (if any) are not the plain array.
  if (messages.some((m) => m.type === MSG.filterPipeline || m.type === MSG.external)) return null;
  const c = new Cursor(layout.body, 0, `data layout message of "${name}"`);
  const version = c.u8();
  let rel: number | undefined;
  let size: number;
  if (version === 1 || version === 2) {
    c.skip(1); // dimensionality
    if (c.u8() !== 1) return null;
    c.skip(5);
    rel = f.address(c);
    if (rel === undefined) return null;
    // Versions 1 and 2 store no byte count (their 32-bit dimensions could truncate), so the library
    // computes it as elements x element size; do the same.
    size = dataspaceElements(f, messages, name) * datatypeSize(messages, name);
    if (!Number.isSafeInteger(size)) throw new Hdf5LayoutError(`dataset "${name}": storage size overflows`);
  } else if (version === 3 || version === 4) {
    if (c.u8() !== 1) return null; // 0 compact, 2 chunked, 3 virtual
    rel = f.address(c);
    size = f.length(c);
    if (rel === undefined) return null;
  } else {
    throw new Hdf5LayoutError(`${c.where}: unsupported data layout version ${version}`);
  }
  const address = f.base + rel;
  if (!Number.isSafeInteger(address + size) || address + size > f.size) {
    throw new Hdf5LayoutError(
      `dataset "${name}": contiguous data (address ${address}, ${size} bytes) extends past the end of the file (${f.size} bytes)`,
    );
  }
  return { address, size };
}

function findUnsharedMessage(messages: Message[], type: number, name: string): Cursor {
  const m = messages.find((x) => x.type === type);
  if (!m) throw new Hdf5LayoutError(`dataset "${name}": no message of type ${type}`);
  if (m.flags & SHARED_MESSAGE_FLAG)
    throw new Hdf5LayoutError(`${m.where}: shared (committed) messages are not supported with layout v1/v2`);
  return new Cursor(m.body, 0, m.where);
}

/** Number of elements of the dataset's dataspace; 0 for a null dataspace. */
function dataspaceElements(f: H5File, messages: Message[], name: string): number {
  return (dataspaceShape(f, messages, name) ?? [0]).reduce((n, length) => n * length, 1);
}

/** The dataset's dimension lengths; null for a null dataspace. */
function dataspaceShape(f: H5File, messages: Message[], name: string): number[] | null {
  const c = findUnsharedMessage(messages, MSG.dataspace, name);
  const version = c.u8();
  const rank = c.u8();
  c.skip(1); // flags
  if (version === 1) c.skip(5);
  else if (version === 2) {
    if (c.u8() === 2) return null;
  } // null dataspace
  else throw new Hdf5LayoutError(`${c.where}: unsupported dataspace version ${version}`);
  return Array.from({ length: rank }, () => f.length(c));
}

/** A fixed-point or IEEE floating-point type as netCDF-C writes them; null for any other type. */
function numericType(messages: Message[], name: string): DatasetDescription['type'] {
  const c = findUnsharedMessage(messages, MSG.datatype, name);
  const classAndVersion = c.u8();
  const bits = c.u8();
  c.skip(2);
  const size = c.u32();
  const cls = classAndVersion & 0x0f;
  const littleEndian = (bits & 0x01) === 0;
  if (cls === 0 && [1, 2, 4, 8].includes(size)) return { kind: bits & 0x08 ? 'int' : 'uint', size, littleEndian };
  // Bit 6 set: VAX byte order, which netCDF-C never writes.
  if (cls === 1 && (size === 4 || size === 8) && !(bits & 0x40)) return { kind: 'float', size, littleEndian };
  return null;
}

/** Shape and type, or nulls where this walker cannot tell (the HDF5 library then reads the dataset). */
function describeDataset(
  f: H5File,
  messages: Message[],
  name: string,
  header: number,
): { header: number; shape: number[] | null; type: DatasetDescription['type'] } {
  const orNull = <T>(fn: () => T): T | null => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof Hdf5LayoutError) return null;
      throw err;
    }
  };
  return {
    header,
    shape: orNull(() => dataspaceShape(f, messages, name)),
    type: orNull(() => numericType(messages, name)),
  };
}

function datatypeSize(messages: Message[], name: string): number {
  const c = findUnsharedMessage(messages, MSG.datatype, name);
  c.skip(4); // class, version and class bit fields
  return c.u32();
}

/** The walk's one result: the layouts (or why there are none), the descriptions and any hazard. */
export interface RootLayout {
  /** As locateRootDatasets returns; null when the walk failed (then `layoutError` says why). */
  datasets: Map<string, ContiguousStorage | null> | null;
  layoutError?: Hdf5LayoutError;
  /** Damage on which the HDF5 library itself would hang or overrun a buffer; null when none was found. */
  hazard: string | null;
  /** Shape, type and dimension scales of each root dataset (with `datasets`, when the walk succeeded). */
  descriptions?: Map<string, DatasetDescription>;
  /** Names of all objects linked from the root group (datasets, groups, committed types), with `descriptions`. */
  links?: string[];
}

/** What a NetCDF-4 variable needs besides its bytes, read without the HDF5 library. */
export interface DatasetDescription {
  /** Null for a null dataspace. */
  shape: number[] | null;
  /** Null for types other than plain integers and IEEE floats. */
  type: { kind: 'int' | 'uint' | 'float'; size: number; littleEndian: boolean } | null;
  /** Per dimension, the name of the dataset that is its dimension scale (DIMENSION_LIST); null without one. */
  dims: (string | null)[] | null;
}

function walkRootGroup(f: H5File): RootLayout {
  const rootMessages = readObjectHeader(f, readSuperblock(f));
  // With links that cannot be followed there are no layouts; still look for hazards behind the others.
  const { links, unreadable } = readGroupLinks(f, rootMessages);
  let layoutError: Hdf5LayoutError | undefined = unreadable;
  const datasets = new Map<string, ContiguousStorage | null>();
  const attributeOwners: Array<[Message[], string]> = [[rootMessages, 'the root group']];
  const datasetHeaders = new Set<number>();
  const described = new Map<string, { header: number; shape: number[] | null; type: DatasetDescription['type'] }>();
  let checksumHazard: string | null = null;
  for (const link of links) {
    // One object that cannot be read fails the layouts, but the others are still checked for hazards.
    try {
      const address = f.absolute(link.address, `object header of "${link.name}"`);
      const messages = readObjectHeader(f, address);
      attributeOwners.push([messages, `"${link.name}"`]);
      const layout = messages.find((m) => m.type === MSG.layout);
      if (!layout) continue; // a group or a committed datatype, not a dataset
      // What the library itself takes for a dataset (H5O__dset_isa): datatype and dataspace messages.
      const isDataset = messages.some((m) => m.type === MSG.datatype) && messages.some((m) => m.type === MSG.dataspace);
      datasets.set(link.name, readContiguousStorage(f, messages, layout, link.name));
      if (isDataset) {
        datasetHeaders.add(address);
        described.set(link.name, describeDataset(f, messages, link.name, address));
      }
    } catch (err) {
      if (!(err instanceof Hdf5LayoutError)) throw err;
      layoutError ??= err;
      if (err instanceof Hdf5HazardError) checksumHazard ??= err.message;
    }
  }
  let hazard: string | null = checksumHazard;
  let dimensionScales = new Map<string, number[]>();
  let scalesKnown = true;
  try {
    if (!hazard) dimensionScales = checkAttributeHeaps(f, attributeOwners, datasetHeaders);
  } catch (err) {
    if (err instanceof Hdf5HazardError) hazard = err.message;
    // Structures this walker cannot follow: the dataset layouts above still stand.
    else if (err instanceof Hdf5LayoutError) scalesKnown = false;
    else throw err;
  }
  if (layoutError) return { datasets: null, layoutError, hazard };
  const nameAt = new Map([...described].map(([name, d]) => [d.header, name]));
  const descriptions = new Map<string, DatasetDescription>();
  for (const [name, d] of described) {
    const scales = dimensionScales.get(`"${name}"`);
    const dims =
      scalesKnown && d.shape
        ? d.shape.map((_, i) => (scales?.[i] !== undefined ? (nameAt.get(scales[i]) ?? null) : null))
        : null;
    descriptions.set(name, { shape: d.shape, type: d.type, dims });
  }
  return { datasets, hazard, descriptions, links: links.map((l) => l.name) };
}

/**
 * Result per root-group dataset name: its contiguous raw data range, or null when the dataset is not
 * stored contiguously (chunked, compact, filtered, external, virtual) or its storage is not allocated
 * (address undefined). `address` is an absolute file position (user block included), like the OFFSET
 * printed by `h5dump -p`.
 */
export function locateRootDatasets(fd: number, fileSize: number): Map<string, ContiguousStorage | null> {
  const { datasets, layoutError } = readRootLayout(fd, fileSize);
  if (!datasets) throw layoutError ?? new Hdf5LayoutError('unreadable root group');
  return datasets;
}

/**
 * `locateRootDatasets` plus a check of what the HDF5 library cannot be trusted with: damaged global
 * heap collections holding variable-length attribute values (`hazard`, a description, or null).
 * Callers refuse a file with a hazard before handing it to the library.
 */
export function readRootLayout(fd: number, fileSize: number): RootLayout {
  if (!Number.isSafeInteger(fileSize) || fileSize < 0) throw new Hdf5LayoutError(`invalid file size ${fileSize}`);
  try {
    return walkRootGroup(new H5File(fd, fileSize));
  } catch (err) {
    // Damaged checksummed metadata on the way to the root group: a hazard as well.
    if (err instanceof Hdf5HazardError) return { datasets: null, layoutError: err, hazard: err.message };
    // I/O errors from the OS (EBADF, EIO, ...) are not about the file's contents: pass them through.
    if (err instanceof Hdf5LayoutError || (err instanceof Error && 'syscall' in err)) throw err;
    // Anything else (a RangeError from a buffer read we failed to guard, ...) still means bad input.
    throw new Hdf5LayoutError(`malformed HDF5 metadata: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
}

/**
 * The root layout of the file at `path`, or null when the walker cannot read its structure (an
 * Hdf5LayoutError: the caller then leaves the file to the HDF5 library).
 */
export function readFileLayout(path: string): RootLayout | null {
  const fd = fs.openSync(path, 'r');
  try {
    return readRootLayout(fd, fs.fstatSync(fd).size);
  } catch (err) {
    if (err instanceof Hdf5LayoutError) return null;
    throw err;
  } finally {
    fs.closeSync(fd);
  }
}
