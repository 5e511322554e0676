import { UserError } from './errors';
import { gridAxes, type GridShape } from './grid';
import type { RawExtent, Variable } from './netcdf/variable';

/**
 * Copies the values of chosen grid cells from one buffer to another, for a variable of any shape
 * whose dimensions include Y and X in any position.
 *
 * The variable's elements are seen as "rows": a row is one index of every dimension up to and
 * including the first spatial dimension (call it A). Inside a row, the dimensions between A and the
 * second spatial dimension (B) repeat `middle` times a run of B cells, each cell holding `inner`
 * contiguous bytes (the dimensions after B). So for outputs (time, pft, y, x) a row is one y-row of
 * one time step and pft; for restart files (Y, X, pft) a row is one Y-row with all its X and pft.
 * Rows are what the merge streams in bounded chunks.
 */
/** Runs per cell set (the same array object for every file of a merge or stitch) and shape. */
type Runs = { runsByA: Int32Array[]; byteRunsByA: Int32Array[] };
const runsCache = new WeakMap<object, Map<string, Runs>>();

export class CellPatcher {
  readonly rows: number;
  readonly rowBytes: number;
  /** Rows in one record of a classic record variable (all rows otherwise). */
  readonly rowsPerRecord: number;
  private readonly lenA: number;
  private readonly middle: number;
  private readonly lenB: number;
  private readonly inner: number;
  /** For each index along A: runs of consecutive selected B indices as [start, length] pairs. */
  private readonly runsByA: Int32Array[];
  /** The same runs as [byte offset in the row, byte length] pairs, for every index of the middle dimensions. */
  private readonly byteRunsByA: Int32Array[];

  constructor(
    readonly variable: Variable,
    grid: GridShape,
    cells: ArrayLike<number>,
    file: string,
  ) {
    const axes = gridAxes(variable);
    if (!axes) throw new Error(`variable ${variable.name} has no spatial dimensions`);
    const { shape } = variable;
    const a = Math.min(axes.y, axes.x);
    const b = Math.max(axes.y, axes.x);
    const prod = (from: number, to: number) => shape.slice(from, to).reduce((n, s) => n * s, 1);
    this.lenA = shape[a];
    this.lenB = shape[b];
    this.middle = prod(a + 1, b);
    this.inner = prod(b + 1, shape.length) * variable.dtype.size;
    this.rows = prod(0, a + 1);
    this.rowBytes = this.middle * this.lenB * this.inner;
    const records = variable.raw?.records ?? 1;
    if (variable.raw && variable.raw.recordStride > 0) {
      if (a === 0)
        throw new UserError(
          `${file}: variable ${variable.name} has a spatial dimension as its unlimited (record) dimension, which is not supported`,
        );
      this.rowsPerRecord = records > 0 ? this.rows / records : 0;
    } else {
      this.rowsPerRecord = this.rows;
    }
    // Variables of one shape share their runs: a stitch or merge builds them once per cell set and shape.
    const key = `${grid.cols} ${axes.y < axes.x} ${this.lenA} ${this.middle} ${this.lenB} ${this.inner}`;
    let byShape = runsCache.get(cells);
    if (!byShape) runsCache.set(cells, (byShape = new Map<string, Runs>()));
    let runs = byShape.get(key);
    if (!runs) {
      const runsByA = buildRuns(grid, cells, axes.y < axes.x, this.lenA);
      const cellBytes = this.lenB * this.inner;
      const byteRunsByA = runsByA.map((r) => {
        const out = new Int32Array(r.length * this.middle);
        for (let m = 0; m < this.middle; m++) {
          for (let k = 0; k < r.length; k += 2) {
            out[m * r.length + k] = m * cellBytes + r[k] * this.inner;
            out[m * r.length + k + 1] = r[k + 1] * this.inner;
          }
        }
        return out;
      });
      byShape.set(key, (runs = { runsByA, byteRunsByA }));
    }
    this.runsByA = runs.runsByA;
    this.byteRunsByA = runs.byteRunsByA;
  }

  /**
   * Runs of rows holding selected cells, as [first row, count] pairs, among rows [0, rows) where row 0
   * is an index 0 along A; at most `maxRows` rows each. Yields as it goes (memory does not grow with
   * the number of rows), with work proportional to the number of runs.
   */
  *touchedRows(rows: number, maxRows: number): Generator<[number, number]> {
    const runsA: number[] = [];
    for (let a = 0; a < this.lenA; a++) {
      if (!this.runsByA[a].length) continue;
      const n = runsA.length;
      if (n && runsA[n - 2] + runsA[n - 1] === a) runsA[n - 1]++;
      else runsA.push(a, 1);
    }
    if (!runsA.length) return;
    let start = -1;
    let count = 0;
    for (let base = 0; base < rows; base += this.lenA) {
      for (let k = 0; k < runsA.length; k += 2) {
        let first = base + runsA[k];
        let left = Math.min(runsA[k + 1], rows - first);
        while (left > 0) {
          if (count > 0 && start + count === first && count < maxRows) {
            const take = Math.min(left, maxRows - count);
            count += take;
            first += take;
            left -= take;
            continue;
          }
          if (count > 0) yield [start, count];
          const take = Math.min(left, maxRows);
          start = first;
          count = take;
          first += take;
          left -= take;
        }
      }
    }
    if (count > 0) yield [start, count];
  }

  /** Whether any selected cell lies in rows [first, first + count). */
  touches(first: number, count: number): boolean {
    if (count >= this.lenA) return this.runsByA.some((r) => r.length > 0);
    for (let r = first; r < first + count; r++) if (this.runsByA[r % this.lenA].length) return true;
    return false;
  }

  /**
   * Copies selected cells from `src` into `dst`; both hold rows [first, first + count) starting at
   * byte 0. Bytes are copied as they are, so values stay bit-identical (NaN payloads included).
   */
  patch(dst: Uint8Array, src: Uint8Array, first: number, count: number): void {
    const { rowBytes } = this;
    // Whole 4-byte words when every run allows it: one copy per cell of the usual int32/float32 outputs.
    if (this.inner % 4 === 0 && rowBytes % 4 === 0 && dst.byteOffset % 4 === 0 && src.byteOffset % 4 === 0) {
      const d = new Uint32Array(dst.buffer, dst.byteOffset, dst.byteLength >>> 2);
      const s = new Uint32Array(src.buffer, src.byteOffset, src.byteLength >>> 2);
      copyRuns32(d, s, this.byteRunsByA, this.lenA, first, count, rowBytes);
    } else {
      copyRuns8(dst, src, this.byteRunsByA, this.lenA, first, count, rowBytes);
    }
  }

  /** File offset of a row, given where the variable is stored. */
  rowOffset(raw: RawExtent, row: number): number {
    const record = Math.floor(row / this.rowsPerRecord);
    return raw.offset + record * raw.recordStride + (row - record * this.rowsPerRecord) * this.rowBytes;
  }
}

/**
 * Copies the runs of rows [first, first + count) from src to dst, in 4-byte words. Two copies of one
 * loop (words, bytes) so that each stays monomorphic: the element accesses then compile to plain loads.
 * Runs of up to 64 elements (whole grid rows when a batch's block of cells failed) are copied element by
 * element: cheaper than making a subarray view for `set` (measured, issue 11).
 */
function copyRuns32(
  dst: Uint32Array,
  src: Uint32Array,
  runsByA: Int32Array[],
  lenA: number,
  first: number,
  count: number,
  rowBytes: number,
): void {
  for (let i = 0; i < count; i++) {
    const runs = runsByA[(first + i) % lenA];
    const rowStart = i * rowBytes;
    for (let k = 0; k < runs.length; k += 2) {
      const from = (rowStart + runs[k]) >>> 2;
      const to = from + (runs[k + 1] >>> 2);
      if (to - from <= 64) {
        for (let p = from; p < to; p++) dst[p] = src[p];
      } else {
        dst.set(src.subarray(from, to), from);
      }
    }
  }
}

/** copyRuns32 in bytes. */
function copyRuns8(
  dst: Uint8Array,
  src: Uint8Array,
  runsByA: Int32Array[],
  lenA: number,
  first: number,
  count: number,
  rowBytes: number,
): void {
  for (let i = 0; i < count; i++) {
    const runs = runsByA[(first + i) % lenA];
    const rowStart = i * rowBytes;
    for (let k = 0; k < runs.length; k += 2) {
      const from = rowStart + runs[k];
      const to = from + runs[k + 1];
      if (to - from <= 64) {
        for (let p = from; p < to; p++) dst[p] = src[p];
      } else {
        dst.set(src.subarray(from, to), from);
      }
    }
  }
}

function buildRuns(grid: GridShape, cells: ArrayLike<number>, yFirst: boolean, lenA: number): Int32Array[] {
  const perA: number[][] = Array.from({ length: lenA }, () => []);
  for (let i = 0; i < cells.length; i++) {
    const row = Math.floor(cells[i] / grid.cols);
    const col = cells[i] % grid.cols;
    perA[yFirst ? row : col].push(yFirst ? col : row);
  }
  return perA.map((bs) => {
    bs.sort((p, q) => p - q);
    const runs: number[] = [];
    for (const b of bs) {
      const n = runs.length;
      if (n && runs[n - 2] + runs[n - 1] === b) runs[n - 1]++;
      else runs.push(b, 1);
    }
    return Int32Array.from(runs);
  });
}
