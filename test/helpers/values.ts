import * as fs from 'node:fs';
import { classicRanges, readClassicHeader } from '../../src/core/netcdf/classic';
import { detectFormat } from '../../src/core/netcdf/format';
import { hdf5Library } from '../../src/core/netcdf/hdf5Library';

/** A variable's values as raw element bytes, read through the file format's own library path. */
export interface VarBytes {
  dims: string[];
  shape: number[];
  elementSize: number;
  bytes: Uint8Array;
}

/**
 * Every variable of a file as element bytes: NetCDF-4 through the HDF5 library (h5wasm), classic
 * through the header's offsets. Independent of the merge's own byte-range patching.
 */
export async function readAllVariables(p: string): Promise<Map<string, VarBytes>> {
  const out = new Map<string, VarBytes>();
  if (detectFormat(p) === 'netcdf4') {
    const h5 = await hdf5Library.load();
    const f = new h5.File(p, 'r');
    try {
      for (const name of f.keys()) {
        const d = f.get(name) as import('h5wasm/node', { with: { 'resolution-mode': 'import' } }).Dataset;
        const shape = d.shape ?? [];
        const dims = shape.map((_, i) => d.get_attached_scales(i)[0]?.replace(/^\//, '') ?? name);
        const value = d.value as unknown;
        const bytes = ArrayBuffer.isView(value)
          ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength).slice()
          : new TextEncoder().encode(String(value));
        out.set(name, { dims, shape, elementSize: d.metadata.size, bytes });
      }
    } finally {
      f.close();
    }
    return out;
  }
  const header = readClassicHeader(p);
  const fd = fs.openSync(p, 'r');
  try {
    for (const v of header.variables) {
      const parts = classicRanges(header, v).map(({ offset, length }) => {
        const b = Buffer.alloc(length);
        fs.readSync(fd, b, 0, length, offset);
        return b;
      });
      out.set(v.name, {
        dims: v.dims,
        shape: v.shape,
        elementSize: {
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
        }[v.type],
        bytes: Buffer.concat(parts),
      });
    }
  } finally {
    fs.closeSync(fd);
  }
  return out;
}

/** The (row, col) grid cell of element `i` of a variable, or null when it has no y/x dimensions. */
export function cellOfElement(v: VarBytes, i: number): [number, number] | null {
  const yi = v.dims.findIndex((d) => d.toLowerCase() === 'y');
  const xi = v.dims.findIndex((d) => d.toLowerCase() === 'x');
  if (yi < 0 || xi < 0) return null;
  const index: number[] = new Array(v.shape.length);
  let rest = i;
  for (let k = v.shape.length - 1; k >= 0; k--) {
    index[k] = rest % v.shape[k];
    rest = Math.floor(rest / v.shape[k]);
  }
  return [index[yi], index[xi]];
}

/**
 * Checks a merged file element by element: at `rerunCells` the rerun's bytes, elsewhere the
 * salvaged bytes, for every variable. Returns a list of problems (empty when correct).
 */
export async function verifyMergedFile(
  salvaged: string,
  rerun: string,
  merged: string,
  rerunCells: Set<string>,
): Promise<string[]> {
  const [s, r, m] = await Promise.all([readAllVariables(salvaged), readAllVariables(rerun), readAllVariables(merged)]);
  const problems: string[] = [];
  if ([...s.keys()].sort().join() !== [...m.keys()].sort().join())
    problems.push(`variables differ: ${[...s.keys()]} vs ${[...m.keys()]}`);
  for (const [name, sv] of s) {
    const mv = m.get(name);
    const rv = r.get(name)!;
    if (!mv) continue;
    if (mv.shape.join() !== sv.shape.join()) problems.push(`${name}: shape ${mv.shape} expected ${sv.shape}`);
    const n = sv.bytes.length / sv.elementSize;
    let wrong = 0;
    for (let i = 0; i < n; i++) {
      const cell = cellOfElement(sv, i);
      const fromRerun = cell !== null && rerunCells.has(`${cell[0]},${cell[1]}`);
      const src = fromRerun ? rv.bytes : sv.bytes;
      for (let b = 0; b < sv.elementSize; b++) {
        if (mv.bytes[i * sv.elementSize + b] !== src[i * sv.elementSize + b]) {
          wrong++;
          break;
        }
      }
    }
    if (wrong) problems.push(`${name}: ${wrong} of ${n} values differ from the expected source`);
  }
  return problems;
}
