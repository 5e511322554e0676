/**
 * Mouse, pen and touch on the grid canvas: click to toggle a cell, drag to pan, shift-drag to select
 * a rectangle (alt-shift-drag to deselect it), the wheel to zoom (shift-wheel to pan), and the hover
 * that shows a cell's tooltip.
 */
import type { GridRenderer } from './gridRenderer';
import { rectBetween, type CellSelection } from './selection';
import { WHEEL_ZOOM_PER_PX, type Cell } from './viewport';

/** A press that moves farther than this (CSS pixels) becomes a pan. */
const DRAG_THRESHOLD_PX = 3;
/** Wheel deltas given in lines or pages (WheelEvent.deltaMode 1, 2), in CSS pixels. */
const WHEEL_LINE_PX = 16;
const WHEEL_PAGE_PX = 400;

/** What the pointer acts on, besides the renderer. */
export interface PointerTarget {
  /** False before the first grid is drawn: the canvas then ignores the pointer. */
  hasGrid(): boolean;
  changeSelection(change: (selection: CellSelection) => void): void;
  showTooltip(cell: Cell, clientX: number, clientY: number): void;
  hideTooltip(): void;
}

interface Drag {
  mode: 'press' | 'pan' | 'rect';
  pointerId: number;
  x: number;
  y: number;
  start: Cell | null;
  /** Rectangle mode: select (true) or deselect (alt held) its cells. */
  select: boolean;
}

export class PointerInput {
  private drag: Drag | null = null;
  /** Where the pointer last hovered the canvas, null once it left. */
  private hoverClient: { x: number; y: number } | null = null;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly renderer: GridRenderer,
    private readonly target: PointerTarget,
  ) {
    this.wire();
  }

  /** Ends a drag without selecting anything; false when there was none. */
  cancelDrag(): boolean {
    if (!this.drag) return false;
    this.drag = null;
    this.renderer.dragRect = null;
    this.renderer.requestDraw();
    return true;
  }

  /** Updates the hover and tooltip for where the pointer is (the grid under it changed). */
  refreshHover(): void {
    if (this.hoverClient) this.updateHover(this.hoverClient.x, this.hoverClient.y);
  }

  private wire(): void {
    const c = this.canvas;
    const r = this.renderer;
    c.addEventListener('pointerdown', (e) => {
      if (e.button !== 0 || !this.target.hasGrid()) return;
      c.focus();
      c.setPointerCapture(e.pointerId);
      const start = r.cellAt(e.clientX, e.clientY);
      this.drag = {
        mode: e.shiftKey ? 'rect' : 'press',
        pointerId: e.pointerId,
        x: e.clientX,
        y: e.clientY,
        start,
        select: !e.altKey,
      };
      if (this.drag.mode === 'rect' && start) r.dragRect = rectBetween(start, start);
      r.requestDraw();
    });
    c.addEventListener('pointermove', (e) => {
      const d = this.drag;
      if (d && d.pointerId === e.pointerId) {
        if (d.mode === 'press' && Math.hypot(e.clientX - d.x, e.clientY - d.y) > DRAG_THRESHOLD_PX) d.mode = 'pan';
        if (d.mode === 'pan') {
          r.pan(e.clientX - d.x, e.clientY - d.y);
          d.x = e.clientX;
          d.y = e.clientY;
          this.target.hideTooltip();
          return;
        }
        if (d.mode === 'rect') {
          const end = r.cellNear(e.clientX, e.clientY);
          if (!d.start) d.start = end;
          if (d.start && end) r.dragRect = rectBetween(d.start, end);
          r.requestDraw();
        }
      }
      this.updateHover(e.clientX, e.clientY);
    });
    c.addEventListener('pointerup', (e) => this.endDrag(e, false));
    c.addEventListener('pointercancel', (e) => this.endDrag(e, true));
    c.addEventListener('pointerleave', () => {
      if (this.drag) return;
      this.hoverClient = null;
      r.hover = null;
      this.target.hideTooltip();
      r.requestDraw();
    });
    c.addEventListener(
      'wheel',
      (e) => {
        if (!this.target.hasGrid()) return;
        e.preventDefault();
        const unit = e.deltaMode === 1 ? WHEEL_LINE_PX : e.deltaMode === 2 ? WHEEL_PAGE_PX : 1;
        const dy = e.deltaY * unit;
        if (e.shiftKey && !e.ctrlKey) {
          r.pan(-dy, 0);
          return;
        }
        r.zoom(Math.exp(-dy * WHEEL_ZOOM_PER_PX), e.clientX, e.clientY);
        this.updateHover(e.clientX, e.clientY);
      },
      { passive: false },
    );
  }

  private endDrag(e: PointerEvent, cancelled: boolean): void {
    const d = this.drag;
    if (!d || d.pointerId !== e.pointerId) return;
    this.drag = null;
    const r = this.renderer;
    const rect = r.dragRect;
    r.dragRect = null;
    if (cancelled) {
      r.requestDraw();
      return;
    }
    const cell = r.cellAt(e.clientX, e.clientY);
    if (d.mode === 'press' && cell) {
      this.target.changeSelection((s) => s.toggle(cell.row, cell.col));
      r.cursor = cell;
    } else if (d.mode === 'rect' && rect) {
      const single = rect.r0 === rect.r1 && rect.c0 === rect.c1;
      const anchor = r.cursor;
      const target = single && anchor && cell ? rectBetween(anchor, cell) : rect;
      this.target.changeSelection((s) => s.setRect(target, d.select));
      if (cell) r.cursor = cell;
    }
    r.requestDraw();
  }

  private updateHover(clientX: number, clientY: number): void {
    this.hoverClient = { x: clientX, y: clientY };
    const r = this.renderer;
    const cell = r.cellAt(clientX, clientY);
    const prev = r.hover;
    if (cell?.row !== prev?.row || cell?.col !== prev?.col) {
      r.hover = cell;
      r.requestDraw();
    }
    if (!cell || !this.target.hasGrid()) {
      this.target.hideTooltip();
      return;
    }
    this.target.showTooltip(cell, clientX, clientY);
  }
}
