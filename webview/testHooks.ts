/**
 * `window.__gridTest`: what the UI tests (test/e2e) read from the grid that the DOM does not show
 * (cell colours, where a cell is drawn). Installed only in test builds: esbuild.mjs defines
 * `__TEST_HOOKS__` false for `--production` (unless GRID_TEST_HOOKS=1, as the .vsix UI tests build it),
 * and the shipped bundle leaves this module out.
 */
import type { GridData } from '../src/shared/protocol';
import { cssRgb, unpack } from './colors';
import type { GridRenderer } from './gridRenderer';
import { runtimeHistogram, type HistogramLayout, type RuntimeHistogram } from './histogram';

export interface GridTestHooks {
  /** CSS colour the cell is drawn with (before the selection tint), e.g. "rgb(229, 20, 0)"; "" outside the grid. */
  cellColor(row: number, col: number): string;
  /** Cell under a client point, or null. */
  cellAt(clientX: number, clientY: number): { row: number; col: number } | null;
  /** Client coordinates of a cell's centre (panning it into view first if it is off-screen). */
  cellCenter(row: number, col: number): { x: number; y: number };
  /** The highlighted (keyboard cursor) cell, or null. */
  highlighted(): { row: number; col: number } | null;
  /** The runtime histogram's bins and where it drew them (canvas#histogram pixels), or null when not shown. */
  histogram(): { data: RuntimeHistogram; layout: HistogramLayout } | null;
}

declare global {
  interface Window {
    __gridTest?: GridTestHooks;
  }
}

export interface TestHookSource {
  renderer: GridRenderer;
  data: () => GridData | null;
  histogramLayout: () => HistogramLayout | null;
}

export function installTestHooks({ renderer, data, histogramLayout }: TestHookSource): void {
  window.__gridTest = {
    cellColor: (row, col) => {
      const c = renderer.cellRgba(row, col);
      return c === undefined ? '' : cssRgb(unpack(c));
    },
    cellAt: (x, y) => renderer.cellAt(x, y),
    highlighted: () => (renderer.showCursor ? renderer.cursor : null),
    histogram: () => {
      const d = data();
      const bins = d?.runtime ? runtimeHistogram(d.status, d.runtime, d.cellTimelimit) : null;
      const layout = histogramLayout();
      return bins && layout ? { data: bins, layout } : null;
    },
    cellCenter: (row, col) => {
      // Pans the cell into view first (when it is in the grid), so the point can be hovered.
      const d = data();
      if (d && row >= 0 && col >= 0 && row < d.rows && col < d.cols) {
        renderer.reveal({ row, col });
        renderer.draw();
      }
      return renderer.cellCenterClient(row, col);
    },
  };
}
