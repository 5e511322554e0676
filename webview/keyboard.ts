/**
 * The keyboard on the grid canvas: arrows, Home/End and PageUp/PageDown move the cursor (with Shift
 * they select as they go), Space/Enter toggle the cursor's cell, Escape cancels a drag or clears the
 * selection, + - 0 zoom and fit, Ctrl/Cmd+A selects every cell. The cursor shows while focused.
 */
import type { GridRenderer } from './gridRenderer';
import { moveCursor, type CellSelection } from './selection';
import { ZOOM_STEP, type Cell } from './viewport';

/** What the keyboard acts on, besides the renderer. */
export interface KeyboardTarget {
  /** Shape of the grid drawn, null before the first one (keys are then ignored). */
  grid(): { rows: number; cols: number } | null;
  changeSelection(change: (selection: CellSelection) => void): void;
  showCellTooltip(cell: Cell): void;
  /** Ends a drag in progress; false when there was none. */
  cancelDrag(): boolean;
}

export function wireKeyboard(canvas: HTMLCanvasElement, renderer: GridRenderer, target: KeyboardTarget): void {
  canvas.addEventListener('focus', () => {
    renderer.showCursor = true;
    renderer.requestDraw();
  });
  canvas.addEventListener('blur', () => {
    renderer.showCursor = false;
    renderer.requestDraw();
  });
  canvas.addEventListener('keydown', (e) => onKey(e, renderer, target));
}

function onKey(e: KeyboardEvent, r: GridRenderer, target: KeyboardTarget): void {
  const d = target.grid();
  if (!d) return;
  const next = moveCursor(r.cursor, e, d.rows, d.cols, r.pageRows());
  if (next) {
    e.preventDefault();
    r.cursor = next;
    r.showCursor = true;
    if (e.shiftKey) target.changeSelection((s) => s.set(next.row, next.col, true));
    r.reveal(next);
    target.showCellTooltip(next);
    return;
  }
  switch (e.key) {
    case ' ':
    case 'Enter': {
      e.preventDefault();
      const cell = r.cursor ?? { row: 0, col: 0 };
      r.cursor = cell;
      target.changeSelection((s) => s.toggle(cell.row, cell.col));
      r.reveal(cell);
      target.showCellTooltip(cell);
      break;
    }
    case 'Escape':
      if (!target.cancelDrag()) target.changeSelection((s) => s.clear());
      break;
    case '+':
    case '=':
      e.preventDefault();
      r.zoom(ZOOM_STEP);
      break;
    case '-':
    case '_':
      e.preventDefault();
      r.zoom(1 / ZOOM_STEP);
      break;
    case '0':
      e.preventDefault();
      r.fit();
      break;
    case 'a':
    case 'A':
      if (e.ctrlKey || e.metaKey) {
        e.preventDefault();
        target.changeSelection((s) => s.setRect({ r0: 0, r1: d.rows - 1, c0: 0, c1: d.cols - 1 }, true));
      }
      break;
    default:
      break;
  }
}
