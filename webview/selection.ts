/**
 * Cell selection (no DOM; unit tested in Node): a bitmap over the grid, rectangle and toggle
 * operations that record the region they changed (so the renderer repaints only that), keyboard
 * cursor moves, and a compact run-length form for the webview state.
 */
import type { Cell, CellRange } from './viewport';

export function rectBetween(a: Cell, b: Cell): CellRange {
  return {
    r0: Math.min(a.row, b.row),
    r1: Math.max(a.row, b.row),
    c0: Math.min(a.col, b.col),
    c1: Math.max(a.col, b.col),
  };
}

export function unionRange(a: CellRange | null, b: CellRange): CellRange {
  if (!a) return { ...b };
  return { r0: Math.min(a.r0, b.r0), r1: Math.max(a.r1, b.r1), c0: Math.min(a.c0, b.c0), c1: Math.max(a.c1, b.c1) };
}

export class CellSelection {
  readonly bits: Uint8Array;
  private n = 0;
  private dirty: CellRange | null = null;

  constructor(
    readonly rows: number,
    readonly cols: number,
  ) {
    this.bits = new Uint8Array(rows * cols);
  }

  get count(): number {
    return this.n;
  }

  has(row: number, col: number): boolean {
    return this.inside(row, col) && this.bits[row * this.cols + col] === 1;
  }

  /** Sets one cell; returns whether it changed. */
  set(row: number, col: number, on: boolean): boolean {
    if (!this.inside(row, col)) return false;
    const i = row * this.cols + col;
    const v = on ? 1 : 0;
    if (this.bits[i] === v) return false;
    this.bits[i] = v;
    this.n += on ? 1 : -1;
    this.dirty = unionRange(this.dirty, { r0: row, r1: row, c0: col, c1: col });
    return true;
  }

  /** Flips one cell; returns its new value. */
  toggle(row: number, col: number): boolean {
    if (!this.inside(row, col)) return false;
    const on = !this.has(row, col);
    this.set(row, col, on);
    return on;
  }

  /** Selects (or deselects) every cell of a rectangle (clipped to the grid); returns how many changed. */
  setRect(rect: CellRange, on: boolean): number {
    const r0 = Math.max(0, rect.r0);
    const r1 = Math.min(this.rows - 1, rect.r1);
    const c0 = Math.max(0, rect.c0);
    const c1 = Math.min(this.cols - 1, rect.c1);
    if (r0 > r1 || c0 > c1) return 0;
    const v = on ? 1 : 0;
    let changed = 0;
    for (let r = r0; r <= r1; r++) {
      const base = r * this.cols;
      for (let i = base + c0; i <= base + c1; i++) {
        if (this.bits[i] !== v) {
          this.bits[i] = v;
          changed++;
        }
      }
    }
    this.n += on ? changed : -changed;
    if (changed) this.dirty = unionRange(this.dirty, { r0, r1, c0, c1 });
    return changed;
  }

  clear(): void {
    if (this.n === 0) return;
    this.bits.fill(0);
    this.n = 0;
    this.markAllDirty();
  }

  /** Adds every cell for which `pick(flatIndex)` is true; returns how many were added. */
  addWhere(pick: (i: number) => boolean): number {
    let added = 0;
    for (let i = 0; i < this.bits.length; i++) {
      if (this.bits[i] === 0 && pick(i)) {
        this.bits[i] = 1;
        added++;
      }
    }
    this.n += added;
    if (added) this.markAllDirty();
    return added;
  }

  /** Selected flat indices (row * cols + col), ascending. */
  indices(): Int32Array {
    const out = new Int32Array(this.n);
    let k = 0;
    for (let i = 0; i < this.bits.length && k < this.n; i++) if (this.bits[i]) out[k++] = i;
    return out;
  }

  /** Run-length form [start, length, start, length, …] of the selected flat indices. */
  toRuns(): number[] {
    const runs: number[] = [];
    let i = 0;
    const len = this.bits.length;
    while (i < len) {
      if (!this.bits[i]) {
        i++;
        continue;
      }
      const start = i;
      while (i < len && this.bits[i]) i++;
      runs.push(start, i - start);
    }
    return runs;
  }

  /** Replaces the selection by the runs (bad or out-of-range runs are skipped). */
  loadRuns(runs: readonly number[]): void {
    this.bits.fill(0);
    this.n = 0;
    for (let k = 0; k + 1 < runs.length; k += 2) {
      const start = runs[k];
      const end = Math.min(this.bits.length, start + runs[k + 1]);
      if (!Number.isInteger(start) || start < 0) continue;
      for (let i = start; i < end; i++) {
        if (!this.bits[i]) {
          this.bits[i] = 1;
          this.n++;
        }
      }
    }
    this.markAllDirty();
  }

  /** The region changed since the last call (null if none), and forgets it. */
  takeDirty(): CellRange | null {
    const d = this.dirty;
    this.dirty = null;
    return d;
  }

  private markAllDirty(): void {
    if (this.rows > 0 && this.cols > 0) this.dirty = { r0: 0, r1: this.rows - 1, c0: 0, c1: this.cols - 1 };
  }

  private inside(row: number, col: number): boolean {
    return Number.isInteger(row) && Number.isInteger(col) && row >= 0 && row < this.rows && col >= 0 && col < this.cols;
  }
}

export interface KeyMove {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
}

/**
 * The keyboard cursor after a navigation key, or undefined if the key does not move it.
 * Arrows move one cell; Home/End go to the first/last column (with Ctrl/Cmd: first/last cell);
 * PageUp/PageDown move by `pageRows`. With no cursor yet, any move starts at (0, 0).
 */
export function moveCursor(
  cursor: Cell | null,
  ev: KeyMove,
  rows: number,
  cols: number,
  pageRows = 10,
): Cell | undefined {
  if (rows <= 0 || cols <= 0) return undefined;
  const navigation = ['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Home', 'End', 'PageUp', 'PageDown'];
  if (!navigation.includes(ev.key)) return undefined;
  if (!cursor) return { row: 0, col: 0 };
  const ctrl = !!(ev.ctrlKey || ev.metaKey);
  let { row, col } = cursor;
  switch (ev.key) {
    case 'ArrowUp':
      row--;
      break;
    case 'ArrowDown':
      row++;
      break;
    case 'ArrowLeft':
      col--;
      break;
    case 'ArrowRight':
      col++;
      break;
    case 'Home':
      col = 0;
      if (ctrl) row = 0;
      break;
    case 'End':
      col = cols - 1;
      if (ctrl) row = rows - 1;
      break;
    case 'PageUp':
      row -= Math.max(1, pageRows);
      break;
    case 'PageDown':
      row += Math.max(1, pageRows);
      break;
  }
  return { row: Math.min(rows - 1, Math.max(0, row)), col: Math.min(cols - 1, Math.max(0, col)) };
}
