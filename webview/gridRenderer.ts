/**
 * Draws the grid on canvas#grid: one pixel per cell (or per block of cells when zoomed far out)
 * in an offscreen canvas filled through ImageData, scaled onto the visible canvas with
 * imageSmoothingEnabled = false. Axes, selection, hover and keyboard cursor are drawn on top.
 * Zoom, pan and hit-testing are arithmetic (./viewport.ts).
 */
import type { Palette, Rgba } from './colors';
import { cssRgb, inkOn, pack, unpack } from './colors';
import { downsampleMax, downsampleMaxRegion, paint, type Level } from './levels';
import type { CellSelection } from './selection';
import {
  cellAtPoint,
  cellCenter,
  clampView,
  ensureVisible,
  fitView,
  levelFactor,
  panBy,
  tickStep,
  visibleRange,
  zoomAt,
  type Cell,
  type CellRange,
  type Size,
  type View,
} from './viewport';

interface LevelCanvas {
  level: Level;
  canvas: HTMLCanvasElement;
  ctx: CanvasRenderingContext2D;
  image: ImageData;
  pixels: Uint32Array;
}

const AXIS_FONT_PX = 11;
const TOP_GUTTER = 18;
/** Cells at least this many device pixels wide get grid lines and outlined selection. */
const DETAIL_DEVICE_PX = 8;
/** Cells at least this many CSS pixels wide get their state's glyph (failed ×, timed out clock). */
export const GLYPH_CSS_PX = 12;

export type Glyph = 'cross' | 'clock';

function makeLevelCanvas(level: Level): LevelCanvas {
  const canvas = document.createElement('canvas');
  canvas.width = level.width;
  canvas.height = level.height;
  const ctx = canvas.getContext('2d', { alpha: true }) as CanvasRenderingContext2D;
  const image = ctx.createImageData(level.width, level.height);
  return { level, canvas, ctx, image, pixels: new Uint32Array(image.data.buffer) };
}

export class GridRenderer {
  rows = 0;
  cols = 0;
  view: View = { scale: 1, ox: 0, oy: 0 };
  /** True until the user zooms or pans: the grid then follows the panel's size. */
  autoFit = true;
  hover: Cell | null = null;
  cursor: Cell | null = null;
  showCursor = false;
  dragRect: CellRange | null = null;
  /** Glyph drawn on large cells, by cell code (null: no glyphs, e.g. on the runtime layer). */
  glyphs: ReadonlyMap<number, Glyph> | null = null;

  private readonly ctx: CanvasRenderingContext2D;
  private codes: Uint8Array = new Uint8Array(0);
  private lut: Uint32Array = new Uint32Array(256);
  private palette: Palette | null = null;
  private selection: CellSelection | null = null;
  private readonly base = new Map<number, LevelCanvas>();
  private readonly overlay = new Map<number, LevelCanvas>();
  private cssWidth = 0;
  private cssHeight = 0;
  private dpr = 1;
  private gutterLeft = 32;
  private fontFamily = 'sans-serif';
  private frame = 0;
  /** Called after every frame (for the view state). */
  onDraw: (() => void) | undefined;

  constructor(readonly canvas: HTMLCanvasElement) {
    const ctx = canvas.getContext('2d', { alpha: true });
    if (!ctx) throw new Error('no 2D canvas context');
    this.ctx = ctx;
  }

  // ------------------------------------------------------------------ data

  /** New grid (or new layer/colours for the same grid). Keeps the view when the shape is unchanged. */
  setCells(rows: number, cols: number, codes: Uint8Array, lut: Uint32Array, selection: CellSelection): void {
    const reshaped = rows !== this.rows || cols !== this.cols;
    this.rows = rows;
    this.cols = cols;
    this.codes = codes;
    this.lut = lut;
    this.selection = selection;
    this.base.clear();
    this.overlay.clear();
    this.canvas.dataset.rows = String(rows);
    this.canvas.dataset.cols = String(cols);
    if (reshaped) {
      this.autoFit = true;
      this.hover = null;
      this.cursor = null;
    }
    this.measure();
    if (this.autoFit) this.view = this.fitted();
    else this.view = clampView(this.view, rows, cols, this.plotSize());
    this.requestDraw();
  }

  setPalette(palette: Palette, fontFamily: string): void {
    this.palette = palette;
    this.fontFamily = fontFamily || 'sans-serif';
    this.overlay.clear();
    this.requestDraw();
  }

  /** The selection changed: repaint only the changed part of the overlay. */
  selectionChanged(): void {
    const sel = this.selection;
    if (!sel) return;
    const dirty = sel.takeDirty();
    if (dirty) {
      for (const [f, lc] of this.overlay) {
        if (f !== this.currentFactor()) this.overlay.delete(f);
        else this.repaintOverlay(lc, dirty);
      }
    }
    this.requestDraw();
  }

  /** Packed colour of a cell as drawn (before the selection tint). */
  cellRgba(row: number, col: number): number | undefined {
    if (row < 0 || col < 0 || row >= this.rows || col >= this.cols) return undefined;
    return this.lut[this.codes[row * this.cols + col]];
  }

  // ------------------------------------------------------------------ geometry

  /** Canvas size changed (call from a ResizeObserver). */
  resize(): void {
    this.measure();
    if (this.rows === 0) return;
    this.view = this.autoFit ? this.fitted() : clampView(this.view, this.rows, this.cols, this.plotSize());
    this.requestDraw();
  }

  plotSize(): Size {
    return { width: Math.max(1, this.cssWidth - this.gutterLeft), height: Math.max(1, this.cssHeight - TOP_GUTTER) };
  }

  fit(): void {
    this.autoFit = true;
    this.view = this.fitted();
    this.requestDraw();
  }

  setView(v: View): void {
    this.autoFit = false;
    this.view = clampView(v, this.rows, this.cols, this.plotSize());
    this.requestDraw();
  }

  /** Zooms around a client point (default: the plot's centre). */
  zoom(factor: number, clientX?: number, clientY?: number): void {
    if (this.rows === 0) return;
    const area = this.plotSize();
    let px = area.width / 2;
    let py = area.height / 2;
    if (clientX !== undefined && clientY !== undefined) {
      const p = this.clientToPlot(clientX, clientY);
      px = p.x;
      py = p.y;
    }
    this.autoFit = false;
    this.view = zoomAt(this.view, factor, px, py, this.rows, this.cols, area);
    this.requestDraw();
  }

  pan(dx: number, dy: number): void {
    if (this.rows === 0) return;
    this.autoFit = false;
    this.view = panBy(this.view, dx, dy, this.rows, this.cols, this.plotSize());
    this.requestDraw();
  }

  reveal(cell: Cell): void {
    const next = ensureVisible(this.view, cell, this.plotSize());
    if (next.ox !== this.view.ox || next.oy !== this.view.oy) {
      this.autoFit = false;
      this.view = next;
    }
    this.requestDraw();
  }

  clientToPlot(clientX: number, clientY: number): { x: number; y: number } {
    const rect = this.canvas.getBoundingClientRect();
    return { x: clientX - rect.left - this.gutterLeft, y: clientY - rect.top - TOP_GUTTER };
  }

  /** The cell under a client point, or null (outside the grid, or over the axes). */
  cellAt(clientX: number, clientY: number): Cell | null {
    if (this.rows === 0) return null;
    const { x, y } = this.clientToPlot(clientX, clientY);
    const area = this.plotSize();
    if (x < 0 || y < 0 || x >= area.width || y >= area.height) return null;
    return cellAtPoint(this.view, this.rows, this.cols, x, y);
  }

  /** Nearest cell to a client point, clamped into the grid (for drags that leave it). */
  cellNear(clientX: number, clientY: number): Cell | null {
    if (this.rows === 0) return null;
    const { x, y } = this.clientToPlot(clientX, clientY);
    const col = Math.min(this.cols - 1, Math.max(0, Math.floor((x - this.view.ox) / this.view.scale)));
    const row = Math.min(this.rows - 1, Math.max(0, Math.floor((y - this.view.oy) / this.view.scale)));
    return { row, col };
  }

  cellCenterClient(row: number, col: number): { x: number; y: number } {
    const rect = this.canvas.getBoundingClientRect();
    const c = cellCenter(this.view, row, col);
    return { x: rect.left + this.gutterLeft + c.x, y: rect.top + TOP_GUTTER + c.y };
  }

  /** Rows that fit on one screen (for PageUp/PageDown). */
  pageRows(): number {
    return Math.max(1, Math.floor(this.plotSize().height / this.view.scale) - 1);
  }

  // ------------------------------------------------------------------ drawing

  requestDraw(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  /** Draws now (synchronously). */
  draw(): void {
    if (this.frame) {
      cancelAnimationFrame(this.frame);
      this.frame = 0;
    }
    const ctx = this.ctx;
    const dpr = this.dpr;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    if (this.rows === 0 || !this.palette) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const p = this.palette;
    const area = this.plotSize();
    const v = this.view;
    const left = this.gutterLeft;
    const top = TOP_GUTTER;
    const range = visibleRange(v, this.rows, this.cols, area);
    const devicePx = v.scale * dpr;
    const f = levelFactor(devicePx);

    if (range) {
      ctx.save();
      // Clip to the plot area and the grid.
      const gx0 = Math.max(0, v.ox);
      const gy0 = Math.max(0, v.oy);
      const gx1 = Math.min(area.width, v.ox + this.cols * v.scale);
      const gy1 = Math.min(area.height, v.oy + this.rows * v.scale);
      ctx.beginPath();
      ctx.rect(left + gx0, top + gy0, gx1 - gx0, gy1 - gy0);
      ctx.clip();
      ctx.imageSmoothingEnabled = false;
      const base = this.baseLevel(f);
      this.blit(base, range, f, 1);
      if (this.glyphs && v.scale >= GLYPH_CSS_PX) this.drawGlyphs(range, this.glyphs);
      const sel = this.selection;
      if (sel && sel.count > 0) {
        const detail = devicePx >= DETAIL_DEVICE_PX;
        this.blit(this.overlayLevel(f), range, f, detail ? 0.3 : 0.6);
        if (detail) this.outlineSelected(range, p.selection);
      }
      if (devicePx >= DETAIL_DEVICE_PX) this.gridLines(range, p.background);
      ctx.restore();
    }

    if (this.dragRect) {
      const r = this.dragRect;
      const x = left + v.ox + r.c0 * v.scale;
      const y = top + v.oy + r.r0 * v.scale;
      const w = (r.c1 - r.c0 + 1) * v.scale;
      const h = (r.r1 - r.r0 + 1) * v.scale;
      ctx.save();
      ctx.fillStyle = cssRgb({ ...p.selection, a: 0.15 });
      ctx.fillRect(x, y, w, h);
      ctx.setLineDash([4, 3]);
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = cssRgb(p.selection);
      ctx.strokeRect(x, y, w, h);
      ctx.restore();
    }
    if (this.cursor && this.showCursor) this.markCell(this.cursor, p.selection, p.background, true);
    if (this.hover) this.markCell(this.hover, p.hover, p.background, false);
    this.axes(range, p);
    this.onDraw?.();
  }

  // ------------------------------------------------------------------ internals

  private measure(): void {
    this.dpr = window.devicePixelRatio || 1;
    this.cssWidth = this.canvas.clientWidth;
    this.cssHeight = this.canvas.clientHeight;
    const w = Math.max(1, Math.round(this.cssWidth * this.dpr));
    const h = Math.max(1, Math.round(this.cssHeight * this.dpr));
    if (this.canvas.width !== w) this.canvas.width = w;
    if (this.canvas.height !== h) this.canvas.height = h;
    this.ctx.font = `${AXIS_FONT_PX}px ${this.fontFamily}`;
    const widest = this.rows > 0 ? this.ctx.measureText(String(this.rows - 1)).width : 10;
    this.gutterLeft = Math.ceil(Math.max(24, widest + 12));
  }

  private fitted(): View {
    return fitView(this.rows, this.cols, this.plotSize());
  }

  private currentFactor(): number {
    return levelFactor(this.view.scale * this.dpr);
  }

  private baseLevel(f: number): LevelCanvas {
    let lc = this.base.get(f);
    if (!lc) {
      const level = downsampleMax(this.codes, this.rows, this.cols, f);
      lc = makeLevelCanvas(level);
      paint(level.codes, this.lut, lc.pixels);
      lc.ctx.putImageData(lc.image, 0, 0);
      this.remember(this.base, f, lc);
    }
    return lc;
  }

  private overlayLevel(f: number): LevelCanvas {
    let lc = this.overlay.get(f);
    if (!lc && this.selection && this.palette) {
      const level = downsampleMax(this.selection.bits, this.rows, this.cols, f);
      // A level of factor 1 shares the selection's own bitmap: copy so later repaints see changes.
      lc = makeLevelCanvas(f === 1 ? { ...level, codes: this.selection.bits } : level);
      const lut = new Uint32Array(256);
      lut[1] = pack(this.palette.selection);
      paint(lc.level.codes, lut, lc.pixels);
      lc.ctx.putImageData(lc.image, 0, 0);
      this.remember(this.overlay, f, lc);
    }
    return lc as LevelCanvas;
  }

  private repaintOverlay(lc: LevelCanvas, dirty: CellRange): void {
    if (!this.selection || !this.palette) return;
    const sel = pack(this.palette.selection);
    const f = lc.level.factor;
    let x0: number, y0: number, x1: number, y1: number;
    if (f === 1) {
      ({ c0: x0, r0: y0, c1: x1, r1: y1 } = dirty);
    } else {
      ({ x0, y0, x1, y1 } = downsampleMaxRegion(
        this.selection.bits,
        this.rows,
        this.cols,
        lc.level,
        dirty.r0,
        dirty.r1,
        dirty.c0,
        dirty.c1,
      ));
    }
    const codes = lc.level.codes;
    const w = lc.level.width;
    for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) lc.pixels[y * w + x] = codes[y * w + x] ? sel : 0;
    lc.ctx.putImageData(lc.image, 0, 0, x0, y0, x1 - x0 + 1, y1 - y0 + 1);
  }

  private remember(cache: Map<number, LevelCanvas>, f: number, lc: LevelCanvas): void {
    cache.set(f, lc);
    while (cache.size > 3) cache.delete(cache.keys().next().value as number);
  }

  /** Draws the visible part of a level canvas. */
  private blit(lc: LevelCanvas, range: CellRange, f: number, alpha: number): void {
    const v = this.view;
    const sx0 = Math.floor(range.c0 / f);
    const sy0 = Math.floor(range.r0 / f);
    const sx1 = Math.floor(range.c1 / f);
    const sy1 = Math.floor(range.r1 / f);
    const sw = sx1 - sx0 + 1;
    const sh = sy1 - sy0 + 1;
    const ctx = this.ctx;
    ctx.globalAlpha = alpha;
    ctx.drawImage(
      lc.canvas,
      sx0,
      sy0,
      sw,
      sh,
      this.gutterLeft + v.ox + sx0 * f * v.scale,
      TOP_GUTTER + v.oy + sy0 * f * v.scale,
      sw * f * v.scale,
      sh * f * v.scale,
    );
    ctx.globalAlpha = 1;
  }

  /** Failed cells get a ×, timed-out cells a clock, in black or white to stand out on the cell colour. */
  private drawGlyphs(range: CellRange, glyphs: ReadonlyMap<number, Glyph>): void {
    const ctx = this.ctx;
    const v = this.view;
    const s = v.scale;
    ctx.save();
    ctx.lineWidth = Math.max(1.5, s / 12);
    ctx.lineCap = 'round';
    for (let r = range.r0; r <= range.r1; r++) {
      for (let c = range.c0; c <= range.c1; c++) {
        const code = this.codes[r * this.cols + c];
        const glyph = glyphs.get(code);
        if (!glyph) continue;
        const x = this.gutterLeft + v.ox + c * s;
        const y = TOP_GUTTER + v.oy + r * s;
        ctx.strokeStyle = cssRgb(inkOn(unpack(this.lut[code])));
        ctx.beginPath();
        if (glyph === 'cross') {
          ctx.moveTo(x + 0.25 * s, y + 0.25 * s);
          ctx.lineTo(x + 0.75 * s, y + 0.75 * s);
          ctx.moveTo(x + 0.75 * s, y + 0.25 * s);
          ctx.lineTo(x + 0.25 * s, y + 0.75 * s);
        } else {
          ctx.arc(x + 0.5 * s, y + 0.5 * s, 0.3 * s, 0, 2 * Math.PI);
          ctx.moveTo(x + 0.5 * s, y + 0.5 * s);
          ctx.lineTo(x + 0.5 * s, y + 0.32 * s);
          ctx.moveTo(x + 0.5 * s, y + 0.5 * s);
          ctx.lineTo(x + 0.64 * s, y + 0.5 * s);
        }
        ctx.stroke();
      }
    }
    ctx.restore();
  }

  private outlineSelected(range: CellRange, color: Rgba): void {
    const sel = this.selection;
    if (!sel) return;
    const v = this.view;
    const path = new Path2D();
    const inset = Math.min(2, v.scale / 6);
    let any = false;
    for (let r = range.r0; r <= range.r1; r++) {
      const base = r * this.cols;
      for (let c = range.c0; c <= range.c1; c++) {
        if (!sel.bits[base + c]) continue;
        path.rect(
          this.gutterLeft + v.ox + c * v.scale + inset,
          TOP_GUTTER + v.oy + r * v.scale + inset,
          v.scale - 2 * inset,
          v.scale - 2 * inset,
        );
        any = true;
      }
    }
    if (!any) return;
    this.ctx.lineWidth = Math.max(1, Math.min(2.5, v.scale / 8));
    this.ctx.strokeStyle = cssRgb(color);
    this.ctx.stroke(path);
  }

  private gridLines(range: CellRange, color: Rgba): void {
    const ctx = this.ctx;
    const v = this.view;
    const x0 = this.gutterLeft + v.ox;
    const y0 = TOP_GUTTER + v.oy;
    ctx.beginPath();
    for (let c = range.c0; c <= range.c1 + 1; c++) {
      const x = Math.round((x0 + c * v.scale) * this.dpr) / this.dpr;
      ctx.moveTo(x, y0 + range.r0 * v.scale);
      ctx.lineTo(x, y0 + (range.r1 + 1) * v.scale);
    }
    for (let r = range.r0; r <= range.r1 + 1; r++) {
      const y = Math.round((y0 + r * v.scale) * this.dpr) / this.dpr;
      ctx.moveTo(x0 + range.c0 * v.scale, y);
      ctx.lineTo(x0 + (range.c1 + 1) * v.scale, y);
    }
    ctx.lineWidth = 1 / this.dpr;
    ctx.strokeStyle = cssRgb({ ...color, a: 0.7 });
    ctx.stroke();
  }

  /** Outline around a cell (at least 6 px, so it shows when zoomed far out). */
  private markCell(cell: Cell, color: Rgba, halo: Rgba, dashed: boolean): void {
    const ctx = this.ctx;
    const v = this.view;
    const size = Math.max(6, v.scale);
    const cx = this.gutterLeft + v.ox + (cell.col + 0.5) * v.scale;
    const cy = TOP_GUTTER + v.oy + (cell.row + 0.5) * v.scale;
    ctx.save();
    ctx.beginPath();
    ctx.rect(this.gutterLeft, TOP_GUTTER, this.cssWidth - this.gutterLeft, this.cssHeight - TOP_GUTTER);
    ctx.clip();
    ctx.lineWidth = 3;
    ctx.strokeStyle = cssRgb(halo);
    ctx.strokeRect(cx - size / 2, cy - size / 2, size, size);
    ctx.lineWidth = 1.5;
    if (dashed) ctx.setLineDash([3, 2]);
    ctx.strokeStyle = cssRgb(color);
    ctx.strokeRect(cx - size / 2, cy - size / 2, size, size);
    ctx.restore();
  }

  private axes(range: CellRange | null, p: Palette): void {
    const ctx = this.ctx;
    const v = this.view;
    const left = this.gutterLeft;
    ctx.save();
    ctx.font = `${AXIS_FONT_PX}px ${this.fontFamily}`;
    ctx.fillStyle = cssRgb(p.axis);
    ctx.strokeStyle = cssRgb(p.axis);
    ctx.lineWidth = 1;
    if (range) {
      // Columns, along the top.
      const colLabelPx = ctx.measureText(String(this.cols - 1)).width + 14;
      const cs = tickStep(v.scale, Math.max(28, colLabelPx));
      ctx.textAlign = 'center';
      ctx.textBaseline = 'alphabetic';
      ctx.beginPath();
      for (let c = Math.ceil(range.c0 / cs) * cs; c <= range.c1; c += cs) {
        const x = left + v.ox + (c + 0.5) * v.scale;
        const half = ctx.measureText(String(c)).width / 2;
        if (x - half < left - 4 || x + half > this.cssWidth) continue; // would be cut off
        ctx.fillText(String(c), x, TOP_GUTTER - 5);
        ctx.moveTo(x, TOP_GUTTER - 3);
        ctx.lineTo(x, TOP_GUTTER);
      }
      // Rows, down the left side (row 0 at the top, as stored).
      const rs = tickStep(v.scale, AXIS_FONT_PX + 6);
      ctx.textAlign = 'right';
      ctx.textBaseline = 'middle';
      for (let r = Math.ceil(range.r0 / rs) * rs; r <= range.r1; r += rs) {
        const y = TOP_GUTTER + v.oy + (r + 0.5) * v.scale;
        if (y < TOP_GUTTER || y > this.cssHeight - AXIS_FONT_PX / 2) continue;
        ctx.fillText(String(r), left - 6, y);
        ctx.moveTo(left - 3, y);
        ctx.lineTo(left, y);
      }
      ctx.stroke();
    }
    // Axis lines along the plot edges.
    ctx.globalAlpha = 0.5;
    ctx.beginPath();
    ctx.moveTo(left - 0.5, TOP_GUTTER);
    ctx.lineTo(left - 0.5, this.cssHeight);
    ctx.moveTo(left, TOP_GUTTER - 0.5);
    ctx.lineTo(this.cssWidth, TOP_GUTTER - 0.5);
    ctx.stroke();
    ctx.restore();
  }
}
