/**
 * Per-cell codes and the zoomed-out images built from them (no DOM; unit tested in Node).
 * One byte per cell; a pixel of a zoomed-out level shows the largest code of its block, so a single
 * failed (or slowest) cell among thousands still shows.
 */
import { STATUS_CODES } from '../src/shared/cellStates';
import { HEAT_LEVELS, STATE_CODE } from './colors';

const C_SUCCESS = STATE_CODE.success;
const C_MASKED = STATE_CODE.masked;
const C_TIMEOUT = STATE_CODE.timeout;
const C_FAIL = STATE_CODE.fail;
const C_UNWRITTEN = STATE_CODE.unwritten;
const C_OTHER = STATE_CODE.other;

/** Status-layer code of every cell (same classification as core `cellState`). */
export function statusCodes(status: Int32Array, out: Uint8Array = new Uint8Array(status.length)): Uint8Array {
  const { masked, timeout, fail, fill } = STATUS_CODES;
  for (let i = 0; i < status.length; i++) {
    const s = status[i];
    out[i] =
      s > 0
        ? C_SUCCESS
        : s === masked
          ? C_MASKED
          : s === timeout
            ? C_TIMEOUT
            : s === fail
              ? C_FAIL
              : s === fill
                ? C_UNWRITTEN
                : C_OTHER;
  }
  return out;
}

export interface RuntimeCodes {
  codes: Uint8Array;
  /** Shortest and longest runtime (s); NaN when no cell has one. */
  min: number;
  max: number;
}

/** Runtime-layer codes: 0 where there is no runtime (NaN), else 1..255 linear from min to max. */
export function runtimeCodes(runtime: Float32Array): RuntimeCodes {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < runtime.length; i++) {
    const v = runtime[i];
    if (v < min) min = v; // NaN compares false: skipped
    if (v > max) max = v;
  }
  const codes = new Uint8Array(runtime.length);
  if (min > max) return { codes, min: NaN, max: NaN };
  const span = max - min;
  const k = span > 0 ? (HEAT_LEVELS - 1) / span : 0;
  const flat = span > 0 ? 0 : Math.floor((HEAT_LEVELS - 1) / 2);
  for (let i = 0; i < runtime.length; i++) {
    const v = runtime[i];
    codes[i] = v === v ? 1 + (span > 0 ? Math.round((v - min) * k) : flat) : 0;
  }
  return { codes, min, max };
}

export interface Level {
  /** Cells per pixel side. */
  factor: number;
  width: number;
  height: number;
  codes: Uint8Array;
}

/** Block maximum of `codes` (rows × cols, row-major) over factor × factor blocks. */
export function downsampleMax(codes: Uint8Array, rows: number, cols: number, factor: number): Level {
  if (factor <= 1) return { factor: 1, width: cols, height: rows, codes };
  const width = Math.ceil(cols / factor);
  const height = Math.ceil(rows / factor);
  const out = new Uint8Array(width * height);
  for (let r = 0; r < rows; r++) {
    const orow = ((r / factor) | 0) * width;
    const irow = r * cols;
    for (let bx = 0; bx < width; bx++) {
      const c0 = bx * factor;
      const c1 = Math.min(cols, c0 + factor);
      let m = out[orow + bx];
      for (let c = c0; c < c1; c++) {
        const v = codes[irow + c];
        if (v > m) m = v;
      }
      out[orow + bx] = m;
    }
  }
  return { factor, width, height, codes: out };
}

/**
 * Block maximum restricted to a cell range (inclusive), written into an existing level (used to
 * repaint only the part of the selection overlay that changed). Returns the pixel range touched.
 */
export function downsampleMaxRegion(
  codes: Uint8Array,
  rows: number,
  cols: number,
  level: Level,
  r0: number,
  r1: number,
  c0: number,
  c1: number,
): { x0: number; y0: number; x1: number; y1: number } {
  const f = level.factor;
  const x0 = Math.floor(c0 / f);
  const x1 = Math.floor(c1 / f);
  const y0 = Math.floor(r0 / f);
  const y1 = Math.floor(r1 / f);
  for (let by = y0; by <= y1; by++) {
    for (let bx = x0; bx <= x1; bx++) {
      let m = 0;
      const rEnd = Math.min(rows, (by + 1) * f);
      const cEnd = Math.min(cols, (bx + 1) * f);
      for (let r = by * f; r < rEnd; r++) {
        const irow = r * cols;
        for (let c = bx * f; c < cEnd; c++) if (codes[irow + c] > m) m = codes[irow + c];
      }
      level.codes[by * level.width + bx] = m;
    }
  }
  return { x0, y0, x1, y1 };
}

/** Fills pixels (Uint32 view of ImageData) from codes through a lookup table. */
export function paint(codes: Uint8Array, lut: Uint32Array, out: Uint32Array): void {
  for (let i = 0; i < codes.length; i++) out[i] = lut[codes[i]];
}
