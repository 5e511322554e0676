import { UserError } from '../errors';
import { gridAxes } from '../grid';
import { readFileLayout, type ContiguousStorage, type DatasetDescription } from './hdf5Layout';
import type { DType, Variable } from './variable';

/**
 * All variables of a NetCDF-4 file described by our own HDF5 metadata walker (hdf5Layout), without the
 * HDF5 library, for the merge's plan: names, dimensions, shapes, types, and the byte range of every
 * variable with both spatial dimensions. What dvmdostem writes (contiguous outputs and restart files)
 * is planned this way, so a merge never loads or compiles h5wasm (measured: a quarter of a 1 GB merge's
 * CPU time went to loading it and reading metadata through it).
 *
 * Returns null whenever the walker cannot vouch for the whole file: a root object that is not a dataset
 * (a group), a dimension without a dimension scale, a null dataspace, a grid variable that is chunked,
 * compressed, unallocated or of an unusual type, or a structure it cannot follow. The caller then
 * opens the file through the library, which also patches such variables.
 *
 * Variables that are not grid variables are only compared by name: their type is left as 'other' when
 * the walker does not decode it (strings), and a one-dimensional dimension scale without stored data is
 * taken for a dimension that is not a netCDF variable (netCDF-C never writes data to those).
 */
export function contiguousNetcdf4Variables(path: string): Variable[] | null {
  const layout = readFileLayout(path);
  if (!layout) return null;
  const { datasets, descriptions, links, hazard } = layout;
  if (hazard) throw new UserError(`${path}: damaged NetCDF-4/HDF5 file (${hazard})`);
  if (!datasets || !descriptions || !links) return null;
  // Every root object a dataset, each name once (damaged link names are the library's to refuse).
  if (links.length !== descriptions.size || links.some((name) => !name || !descriptions.has(name))) return null;
  const scaleNames = new Set([...descriptions.values()].flatMap((d) => d.dims ?? []).filter((n): n is string => !!n));
  const variables: Variable[] = [];
  for (const [name, d] of descriptions) {
    const v = describe(name, d, datasets.get(name) ?? null, scaleNames.has(name));
    if (!v) return null;
    variables.push(v);
  }
  return variables;
}

function describe(
  name: string,
  d: DatasetDescription,
  storage: ContiguousStorage | null,
  isScale: boolean,
): Variable | null {
  if (!d.shape || !d.shape.every((n) => Number.isSafeInteger(n) && n >= 0)) return null;
  const shape = d.shape;
  const dims = d.dims?.every((n) => n !== null) ? d.dims : isScale && shape.length === 1 ? [name] : null;
  if (!dims || dims.length !== shape.length) return null;
  const dtype: DType = d.type
    ? {
        kind: d.type.kind,
        size: d.type.size,
        label: `${d.type.kind}${d.type.size * 8}${d.type.size > 1 ? (d.type.littleEndian ? ' LE' : ' BE') : ''}`,
      }
    : { kind: 'other', size: 0, label: 'a type read through the HDF5 library only' };
  const bytes = shape.reduce((n, s) => n * s, 1) * dtype.size;
  const raw = d.type && storage && storage.size === bytes ? storage : null;
  const variable: Variable = {
    name,
    dims,
    shape,
    dtype,
    raw: raw && { offset: raw.address, recordStride: 0, records: 1, recordBytes: bytes },
    chunked: false,
    isDimensionOnly: isScale && shape.length === 1 && storage === null,
  };
  // The merge patches grid variables through their byte ranges: without one, the library must do it.
  if (gridAxes(variable) && !variable.raw) return null;
  return variable;
}
