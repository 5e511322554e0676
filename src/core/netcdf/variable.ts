/** What the core needs to know about one NetCDF variable, whatever the file's format. */

export interface DType {
  kind: 'int' | 'uint' | 'float' | 'char' | 'other';
  /** Bytes per element. */
  size: number;
  /** Human description including byte order, e.g. "float64 LE"; two variables with equal labels store values the same way. */
  label: string;
}

/**
 * Where a variable's bytes are in the file: `records` blocks of `recordBytes` bytes, `recordStride`
 * apart, starting at `offset`. A non-record variable is one block.
 */
export interface RawExtent {
  offset: number;
  recordStride: number;
  records: number;
  recordBytes: number;
}

export interface Variable {
  name: string;
  dims: string[];
  shape: number[];
  dtype: DType;
  /** Byte ranges for direct access, or null when the data must go through the HDF5 library. */
  raw: RawExtent | null;
  /** HDF5 chunked or filtered storage. */
  chunked: boolean;
  /** A netCDF-4 dimension scale that is not a netCDF variable. */
  isDimensionOnly: boolean;
}
