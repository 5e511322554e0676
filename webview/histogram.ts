/**
 * The runtime histogram of the side panel: how long the successful cells took (total_runtime), with
 * the run's cell_timelimit marked, so a user sees whether timed-out cells were slow cells or the
 * limit was too tight. Binning is pure (unit tested in Node); drawing uses one canvas.
 */
import { formatSeconds } from './cellInfo';
import { cssRgb, type Palette } from './colors';

export interface RuntimeHistogram {
  /** Counts per bin; bin i covers [i * width, (i + 1) * width) seconds (the last bin includes hi). */
  counts: number[];
  width: number;
  /** Upper end of the axis (s): the slowest cell or the limit, whichever is larger. */
  hi: number;
  /** Successful cells with a runtime (all of them are in some bin). */
  cells: number;
  slowest: number;
  limit: number | null;
}

export const HISTOGRAM_BINS = 20;

/** Bins the runtime of successful cells (status > 0) from 0 s up to the slowest cell or the limit. */
export function runtimeHistogram(
  status: Int32Array,
  runtime: Float32Array,
  limit: number | null,
  bins = HISTOGRAM_BINS,
): RuntimeHistogram | null {
  let slowest = -Infinity;
  let cells = 0;
  for (let i = 0; i < status.length; i++) {
    const v = runtime[i];
    if (status[i] > 0 && Number.isFinite(v)) {
      cells++;
      if (v > slowest) slowest = v;
    }
  }
  if (cells === 0) return null;
  const hi = Math.max(slowest, limit ?? 0, 1e-9);
  const width = hi / bins;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < status.length; i++) {
    const v = runtime[i];
    if (status[i] > 0 && Number.isFinite(v)) counts[Math.min(bins - 1, Math.max(0, Math.floor(v / width)))]++;
  }
  return { counts, width, hi, cells, slowest, limit };
}

/** One line summing the histogram up, e.g. `6 successful cells · slowest 40 s · limit 61 s`. */
export function histogramCaption(h: RuntimeHistogram): string {
  const limit = h.limit === null ? 'no cell_timelimit' : `limit ${formatSeconds(h.limit)}`;
  return `${h.cells} successful cell${h.cells === 1 ? '' : 's'} · slowest ${formatSeconds(h.slowest)} · ${limit}`;
}

const HEIGHT_CSS = 90;

/** Where the drawing put things, in canvas (device) pixels: for the tests reading the canvas. */
export interface HistogramLayout {
  /** x of the limit line, or null. */
  limitX: number | null;
  /** Each bar's [x0, x1) and top y (bottom is `baseY`); bars of empty bins have top === baseY. */
  bars: { x0: number; x1: number; top: number }[];
  baseY: number;
}

export class HistogramView {
  readonly canvas: HTMLCanvasElement;
  private readonly caption: HTMLElement;
  private readonly axisLo: HTMLElement;
  private readonly axisHi: HTMLElement;
  private data: RuntimeHistogram | null = null;
  private palette: Palette | null = null;
  layout: HistogramLayout | null = null;

  constructor(readonly root: HTMLElement) {
    root.replaceChildren();
    root.hidden = true;
    const title = document.createElement('h2');
    title.className = 'side-title';
    title.textContent = 'Runtime of successful cells';
    this.canvas = document.createElement('canvas');
    this.canvas.id = 'histogram';
    this.canvas.setAttribute('role', 'img');
    const axis = document.createElement('div');
    axis.className = 'heat-labels';
    this.axisLo = document.createElement('span');
    this.axisHi = document.createElement('span');
    axis.append(this.axisLo, this.axisHi);
    this.caption = document.createElement('p');
    this.caption.className = 'histogram-caption';
    root.append(title, this.canvas, axis, this.caption);
  }

  set(data: RuntimeHistogram | null): void {
    this.data = data;
    this.root.hidden = data === null;
    if (data) {
      const text = histogramCaption(data);
      this.caption.textContent = text;
      this.canvas.setAttribute('aria-label', `Histogram of total_runtime: ${text}`);
      this.axisLo.textContent = '0 s';
      this.axisHi.textContent = formatSeconds(data.hi);
    }
    this.draw();
  }

  setPalette(p: Palette): void {
    this.palette = p;
    this.draw();
  }

  draw(): void {
    const h = this.data;
    const p = this.palette;
    this.layout = null;
    if (!h || !p || this.root.hidden) return;
    const dpr = window.devicePixelRatio || 1;
    const cssWidth = Math.max(60, this.canvas.clientWidth || 180);
    const w = Math.round(cssWidth * dpr);
    const ht = Math.round(HEIGHT_CSS * dpr);
    if (this.canvas.width !== w) this.canvas.width = w;
    if (this.canvas.height !== ht) this.canvas.height = ht;
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, w, ht);
    const top = Math.round(4 * dpr);
    const baseY = ht - Math.round(2 * dpr);
    const peak = Math.max(...h.counts);
    const binW = w / h.counts.length;
    const bars: HistogramLayout['bars'] = [];
    ctx.fillStyle = cssRgb(p.state.success);
    h.counts.forEach((n, i) => {
      const x0 = Math.round(i * binW);
      const x1 = Math.round((i + 1) * binW) - (binW >= 4 ? 1 : 0);
      const barTop = n ? Math.round(baseY - ((baseY - top) * n) / peak) : baseY;
      if (n) ctx.fillRect(x0, barTop, x1 - x0, baseY - barTop);
      bars.push({ x0, x1, top: barTop });
    });
    ctx.fillStyle = cssRgb(p.axis);
    ctx.fillRect(0, baseY, w, Math.max(1, Math.round(dpr)));
    let limitX: number | null = null;
    if (h.limit !== null) {
      limitX = Math.min(w - 2, Math.round((h.limit / h.hi) * w));
      const lw = Math.max(2, Math.round(2 * dpr));
      ctx.fillStyle = cssRgb(p.state.timeout);
      ctx.fillRect(limitX - Math.floor(lw / 2), 0, lw, ht);
    }
    this.layout = { limitX, bars, baseY };
  }
}
