/**
 * The legend: one entry per cell state with its colour and count (`#legend [data-state=…] .count`),
 * and, when the runtime layer is on, the heat-map scale. Built with DOM calls and textContent only.
 */
import { CELL_STATE_LABELS, CELL_STATES, type CellState } from '../src/shared/cellStates';
import { formatSeconds } from './cellInfo';
import { cssRgb, heatColor, inkOn, STATE_GLYPHS, type Palette } from './colors';

/** The legend's picture of the glyphs the grid draws on large cells. */
const GLYPH_TEXT = { cross: '×', clock: '◷' } as const;

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

export class Legend {
  private readonly items = new Map<CellState, { row: HTMLElement; swatch: HTMLElement; count: HTMLElement }>();
  private readonly heatBox: HTMLElement;
  private readonly heatBar: HTMLCanvasElement;
  private readonly heatMin: HTMLElement;
  private readonly heatMax: HTMLElement;
  private readonly heatNone: HTMLElement;
  private readonly selectedSwatch: HTMLElement;

  constructor(readonly root: HTMLElement) {
    root.replaceChildren();
    root.append(el('h2', 'side-title', 'Cell status'));
    const list = el('ul', 'legend-list');
    list.setAttribute('role', 'list');
    for (const s of CELL_STATES) {
      const row = el('li', 'legend-item');
      row.dataset.state = s;
      const glyph = STATE_GLYPHS[s];
      const swatch = el('span', 'swatch', glyph ? GLYPH_TEXT[glyph] : undefined);
      swatch.setAttribute('aria-hidden', 'true');
      const count = el('span', 'count', '0');
      row.append(swatch, el('span', 'label', CELL_STATE_LABELS[s]), count);
      list.append(row);
      this.items.set(s, { row, swatch, count });
    }
    const selRow = el('li', 'legend-item legend-selected');
    this.selectedSwatch = el('span', 'swatch swatch-selected');
    selRow.append(this.selectedSwatch, el('span', 'label', 'selected (tint)'));
    list.append(selRow);
    root.append(list);

    this.heatBox = el('div', 'heat-legend');
    this.heatBox.hidden = true;
    this.heatBox.append(el('h2', 'side-title', 'Total runtime'));
    this.heatBar = el('canvas', 'heat-bar');
    this.heatBar.width = 160;
    this.heatBar.height = 12;
    const labels = el('div', 'heat-labels');
    this.heatMin = el('span', 'heat-min', '');
    this.heatMax = el('span', 'heat-max', '');
    labels.append(this.heatMin, this.heatMax);
    const none = el('div', 'legend-item heat-none');
    this.heatNone = el('span', 'swatch');
    none.append(this.heatNone, el('span', 'label', 'no runtime'));
    this.heatBox.append(this.heatBar, labels, none);
    root.append(this.heatBox);
  }

  setCounts(counts: Record<CellState, number>, total: number): void {
    for (const s of CELL_STATES) {
      const item = this.items.get(s)!;
      const n = counts[s] ?? 0;
      item.count.textContent = String(n);
      item.row.title = `${CELL_STATE_LABELS[s]}: ${n} of ${total} cells (${total ? ((100 * n) / total).toFixed(1) : '0'} %)`;
      item.row.classList.toggle('empty', n === 0);
    }
  }

  setPalette(p: Palette): void {
    for (const s of CELL_STATES) {
      const swatch = this.items.get(s)!.swatch;
      swatch.style.backgroundColor = cssRgb(p.state[s]);
      swatch.style.color = cssRgb(inkOn(p.state[s]));
    }
    this.selectedSwatch.style.backgroundColor = cssRgb(p.selection);
    this.heatNone.style.backgroundColor = cssRgb(p.noData);
    const ctx = this.heatBar.getContext('2d');
    if (ctx) {
      const w = this.heatBar.width;
      for (let x = 0; x < w; x++) {
        ctx.fillStyle = cssRgb(heatColor(x / (w - 1), p));
        ctx.fillRect(x, 0, 1, this.heatBar.height);
      }
    }
  }

  /** Shows the runtime scale (or hides it with `null`). */
  setHeatRange(range: { min: number; max: number } | null): void {
    this.heatBox.hidden = range === null;
    if (range) {
      this.heatMin.textContent = Number.isFinite(range.min) ? formatSeconds(range.min) : '—';
      this.heatMax.textContent = Number.isFinite(range.max) ? formatSeconds(range.max) : '—';
    }
  }
}
