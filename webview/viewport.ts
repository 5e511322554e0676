/**
 * Viewport math for the grid canvas: zoom, pan, fit and hit-testing by arithmetic (no DOM; unit
 * tested in Node). Coordinates are CSS pixels relative to the plot area (the part of the canvas
 * right of the row axis and below the column axis). Cell (row, col) covers
 *   x in [ox + col * scale, ox + (col + 1) * scale),  y in [oy + row * scale, oy + (row + 1) * scale).
 * Row 0 is drawn at the top: the first row as stored (as ncdump prints it).
 */

export interface Cell {
  row: number;
  col: number;
}

export interface View {
  /** CSS pixels per cell. */
  scale: number;
  /** Plot-area position of cell (0, 0)'s top-left corner. */
  ox: number;
  oy: number;
}

export interface Size {
  width: number;
  height: number;
}

/** Inclusive cell range. */
export interface CellRange {
  r0: number;
  r1: number;
  c0: number;
  c1: number;
}

const FIT_PADDING = 4;
/** Largest zoom: a cell this many CSS pixels wide (or the fit scale, if larger). */
export const MAX_CELL_PX = 96;
/** One zoom step (toolbar buttons, + and - keys): this factor in or out. */
export const ZOOM_STEP = 1.5;
/** Wheel zoom: the scale changes by exp(-deltaY × this) for a wheel delta in CSS pixels. */
export const WHEEL_ZOOM_PER_PX = 0.002;

export function fitView(rows: number, cols: number, area: Size): View {
  const w = Math.max(1, area.width - 2 * FIT_PADDING);
  const h = Math.max(1, area.height - 2 * FIT_PADDING);
  const scale = Math.min(w / cols, h / rows, MAX_CELL_PX);
  return { scale, ox: (area.width - cols * scale) / 2, oy: (area.height - rows * scale) / 2 };
}

export function scaleLimits(rows: number, cols: number, area: Size): { min: number; max: number } {
  const fit = fitView(rows, cols, area).scale;
  return { min: fit / 2, max: Math.max(MAX_CELL_PX, fit) };
}

/** Zooms by `factor` keeping the plot point (px, py) fixed, within the scale limits. */
export function zoomAt(v: View, factor: number, px: number, py: number, rows: number, cols: number, area: Size): View {
  const { min, max } = scaleLimits(rows, cols, area);
  const scale = Math.min(max, Math.max(min, v.scale * factor));
  const k = scale / v.scale;
  return clampView({ scale, ox: px - (px - v.ox) * k, oy: py - (py - v.oy) * k }, rows, cols, area);
}

/** Keeps part of the grid on screen: at least `margin` pixels of it (or all of it when smaller). */
export function clampView(v: View, rows: number, cols: number, area: Size, margin = 40): View {
  const clampAxis = (o: number, len: number, span: number) => {
    const keep = Math.min(margin, len);
    return Math.min(span - keep, Math.max(keep - len, o));
  };
  return {
    scale: v.scale,
    ox: clampAxis(v.ox, cols * v.scale, area.width),
    oy: clampAxis(v.oy, rows * v.scale, area.height),
  };
}

export function panBy(v: View, dx: number, dy: number, rows: number, cols: number, area: Size): View {
  return clampView({ scale: v.scale, ox: v.ox + dx, oy: v.oy + dy }, rows, cols, area);
}

/** The cell under a plot-area point, or null outside the grid. */
export function cellAtPoint(v: View, rows: number, cols: number, x: number, y: number): Cell | null {
  const col = Math.floor((x - v.ox) / v.scale);
  const row = Math.floor((y - v.oy) / v.scale);
  if (!(row >= 0 && row < rows && col >= 0 && col < cols)) return null;
  return { row, col };
}

export function cellCenter(v: View, row: number, col: number): { x: number; y: number } {
  return { x: v.ox + (col + 0.5) * v.scale, y: v.oy + (row + 0.5) * v.scale };
}

/** Cells at least partly inside the plot area, or null when none are. */
export function visibleRange(v: View, rows: number, cols: number, area: Size): CellRange | null {
  const c0 = Math.max(0, Math.floor(-v.ox / v.scale));
  const r0 = Math.max(0, Math.floor(-v.oy / v.scale));
  const c1 = Math.min(cols - 1, Math.ceil((area.width - v.ox) / v.scale) - 1);
  const r1 = Math.min(rows - 1, Math.ceil((area.height - v.oy) / v.scale) - 1);
  return c0 <= c1 && r0 <= r1 ? { r0, r1, c0, c1 } : null;
}

/** Pans the least amount that brings the cell fully into view. */
export function ensureVisible(v: View, cell: Cell, area: Size): View {
  let { ox, oy } = v;
  const x0 = ox + cell.col * v.scale;
  const y0 = oy + cell.row * v.scale;
  const s = Math.min(v.scale, area.width, area.height);
  if (x0 < 0) ox -= x0;
  else if (x0 + s > area.width) ox -= x0 + s - area.width;
  if (y0 < 0) oy -= y0;
  else if (y0 + s > area.height) oy -= y0 + s - area.height;
  return { scale: v.scale, ox, oy };
}

/** Step between axis labels (1, 2, 5, 10, 20, 50, …) so labels are at least `minPx` apart. */
export function tickStep(scale: number, minPx: number): number {
  for (let p = 1; ; p *= 10) {
    for (const m of [1, 2, 5]) if (m * p * scale >= minPx) return m * p;
    if (p > 1e9) return p;
  }
}

/**
 * How many cells (per side) one pixel of the drawn image stands for: 1 when a cell covers at
 * least one device pixel, else the smallest block size whose blocks cover at least one device
 * pixel each (so no cell is silently dropped by nearest-neighbour scaling).
 */
export function levelFactor(devicePxPerCell: number): number {
  if (!(devicePxPerCell > 0)) return 1;
  return Math.max(1, Math.ceil(1 / devicePxPerCell - 1e-9));
}
