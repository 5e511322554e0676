/**
 * Run Status Grid webview: entry point (bundled by esbuild.mjs into dist/webview.js, browser IIFE).
 * Talks to src/extension/statusGridPanel.ts only through src/shared/protocol.ts. Text from the
 * extension (names, paths, errors) is only ever set with textContent.
 */
import {
  WebviewMessenger,
  type Envelope,
  type GridData,
  type GridLayer,
  type PersistedGridState,
  type ToWebview,
  type WebviewCommand,
} from '../src/shared/protocol';
import { validateGridData, validatePersistedState } from '../src/shared/validate';
// The toolkit is an ES module and tsc checks this repo as CommonJS (TS1479 on a static import).
// esbuild bundles it as ESM, and a static import lets it drop the components we do not use
// (about 80 kB minified instead of 290 kB with a dynamic import). Never loaded by Node.
// @ts-expect-error TS1479: ESM-only package imported from a file tsc treats as CommonJS
import { provideVSCodeDesignSystem, vsCodeButton, vsCodeCheckbox } from '@vscode/webview-ui-toolkit';
import { cellTooltip } from './cellInfo';
import { cssRgb, heatLut, resolvePalette, STATE_CODE, STATE_GLYPHS, statusLut, unpack, type Palette } from './colors';
import { GridRenderer, type Glyph } from './gridRenderer';
import { HistogramView, runtimeHistogram, type HistogramLayout, type RuntimeHistogram } from './histogram';
import { Legend } from './legend';
import { runtimeCodes, statusCodes, type RuntimeCodes } from './levels';
import { CellSelection, moveCursor, rectBetween } from './selection';
import { Toolbar } from './toolbar';
import type { Cell } from './viewport';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState<T>(state: T): T;
}
declare function acquireVsCodeApi(): VsCodeApi;

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

/** Status-layer glyphs by cell code. */
const STATUS_GLYPHS: ReadonlyMap<number, Glyph> = new Map(
  Object.entries(STATE_GLYPHS).map(([state, glyph]) => [STATE_CODE[state as keyof typeof STATE_CODE], glyph]),
);

/** Selections larger than this many runs are not kept in the webview state (it is JSON). */
const MAX_PERSISTED_RUNS = 200_000;

function byId<T extends HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`#${id} missing from the page`);
  return e as T;
}

class GridApp {
  private readonly messenger: WebviewMessenger;
  private readonly renderer: GridRenderer;
  private readonly legend: Legend;
  private readonly histogram: HistogramView;
  private readonly toolbar: Toolbar;
  private readonly canvas = byId<HTMLCanvasElement>('grid');
  private readonly wrap = byId<HTMLElement>('grid-wrap');
  private readonly tooltip = byId<HTMLElement>('tooltip');
  private readonly runName = byId<HTMLElement>('run-name');
  private readonly runMeta = byId<HTMLElement>('run-meta');
  private readonly message = byId<HTMLElement>('message');
  private readonly selectionInfo = byId<HTMLElement>('selection-info');

  private data: GridData | null = null;
  private codes: Uint8Array | null = null;
  private runtime: RuntimeCodes | null = null;
  private layer: GridLayer = 'status';
  private selection = new CellSelection(0, 0);
  private palette: Palette;
  private state: PersistedGridState | undefined;
  private pendingRestore: PersistedGridState | undefined;
  private writing = false;
  /** capturePng requests that arrived before the first grid: answered once it is drawn. */
  private pendingCaptures: number[] = [];
  private pendingReveal: Cell | null = null;
  private commandBusy = false;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  /** Run-length selection for the state, recomputed only when the selection changed. */
  private persistedRuns: number[] | undefined;
  private drag: {
    mode: 'press' | 'pan' | 'rect';
    pointerId: number;
    x: number;
    y: number;
    start: Cell | null;
    select: boolean;
  } | null = null;

  constructor(private readonly vscode: VsCodeApi) {
    this.messenger = new WebviewMessenger(
      (env) => this.vscode.postMessage(env),
      (body) => this.onMessage(body),
    );
    this.renderer = new GridRenderer(this.canvas);
    this.renderer.onDraw = () => this.scheduleSave();
    this.legend = new Legend(byId('legend'));
    this.histogram = new HistogramView(byId('runtime-histogram'));
    this.toolbar = new Toolbar(byId('toolbar'), {
      writeMask: () => void this.writeMask(),
      selectProblems: () => this.selectProblems(),
      clearSelection: () => this.changeSelection(() => this.selection.clear()),
      toggleRuntime: (on) => this.setLayer(on ? 'runtime' : 'status'),
      zoomIn: () => this.renderer.zoom(1.5),
      zoomOut: () => this.renderer.zoom(1 / 1.5),
      fit: () => this.renderer.fit(),
      salvage: () => void this.runCommand('salvage'),
      merge: () => void this.runCommand('merge'),
      exportCsv: () => void this.runCommand('exportFailedCells'),
      exportPng: () => void this.exportPng(null),
    });
    this.palette = this.readPalette();
    this.legend.setPalette(this.palette);
    this.histogram.setPalette(this.palette);
    this.renderer.setPalette(this.palette, getComputedStyle(document.body).fontFamily);
    this.toolbar.setSelectionCount(0, false);
    this.toolbar.setProblemsAvailable(0);
    this.toolbar.setRuntimeAvailable(false, false);

    this.state = validatePersistedState(this.vscode.getState());
    if (this.state) {
      this.pendingRestore = this.state;
      this.layer = this.state.layer;
      this.runName.textContent = this.state.runName;
    }
  }

  start(): void {
    window.addEventListener('message', (e: MessageEvent) => this.onRawMessage(e.data));
    this.wireCanvas();
    new ResizeObserver(() => this.renderer.resize()).observe(this.wrap);
    new ResizeObserver(() => this.histogram.draw()).observe(this.histogram.root);
    const themeChanged = () => requestAnimationFrame(() => this.refreshPalette());
    new MutationObserver(themeChanged).observe(document.body, { attributes: true, attributeFilter: ['class'] });
    new MutationObserver(themeChanged).observe(document.documentElement, {
      attributes: true,
      attributeFilter: ['style', 'class'],
    });
    window.addEventListener('error', (e) => this.log('error', `webview error: ${e.message}`));
    window.addEventListener('unhandledrejection', (e) => this.log('error', `webview error: ${String(e.reason)}`));
    window.__gridTest = {
      cellColor: (row, col) => {
        const c = this.renderer.cellRgba(row, col);
        return c === undefined ? '' : cssRgb(unpack(c));
      },
      cellAt: (x, y) => this.renderer.cellAt(x, y),
      highlighted: () => (this.renderer.showCursor ? this.renderer.cursor : null),
      histogram: () => {
        const data = this.data?.runtime
          ? runtimeHistogram(this.data.status, this.data.runtime, this.data.cellTimelimit)
          : null;
        return data && this.histogram.layout ? { data, layout: this.histogram.layout } : null;
      },
      cellCenter: (row, col) => {
        // Pans the cell into view first (when it is in the grid), so the point can be hovered.
        if (this.data && row >= 0 && col >= 0 && row < this.data.rows && col < this.data.cols) {
          this.renderer.reveal({ row, col });
          this.renderer.draw();
        }
        return this.renderer.cellCenterClient(row, col);
      },
    };
    this.messenger.send({ type: 'ready' });
  }

  // ------------------------------------------------------------------ messages

  private onRawMessage(raw: unknown): void {
    if (typeof raw !== 'object' || raw === null) return;
    const env = raw as Envelope<ToWebview>;
    if (
      typeof env.id !== 'number' ||
      typeof env.body !== 'object' ||
      env.body === null ||
      typeof env.body.type !== 'string'
    )
      return;
    this.messenger.receive(env);
  }

  private onMessage(body: ToWebview): void {
    switch (body.type) {
      case 'init':
        this.runName.textContent = body.runName;
        this.runMeta.textContent = body.runFolder;
        this.runMeta.title = body.runFolder;
        this.state = { ...(this.state ?? this.emptyState()), runFolderUri: body.runFolderUri, runName: body.runName };
        this.scheduleSave();
        break;
      case 'loading':
        this.runMeta.classList.add('loading');
        break;
      case 'gridData': {
        this.runMeta.classList.remove('loading');
        const checked = validateGridData(body.data);
        if (!checked.ok) this.showMessage(`Cannot draw this run_status: ${checked.reason}`, 'error');
        else this.applyData(checked.value);
        break;
      }
      case 'loadError':
        this.runMeta.classList.remove('loading');
        this.showMessage(body.message, 'error');
        break;
      case 'revealCell':
        if (this.data) this.revealCell(body);
        else this.pendingReveal = { row: body.row, col: body.col };
        break;
      case 'capturePng':
        if (this.data) void this.exportPng(body.token);
        else this.pendingCaptures.push(body.token);
        break;
      default:
        break; // replies are handled by the messenger
    }
  }

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    try {
      this.messenger.send({ type: 'log', level, message });
    } catch {
      /* nothing to do */
    }
  }

  // ------------------------------------------------------------------ data

  private emptyState(): PersistedGridState {
    return {
      v: 1,
      runFolderUri: '',
      runName: '',
      layer: 'status',
      rows: 0,
      cols: 0,
      view: null,
      selection: [],
      cursor: null,
    };
  }

  private applyData(d: GridData): void {
    const t0 = performance.now();
    const prev = this.data;
    const sameShape = prev !== null && prev.rows === d.rows && prev.cols === d.cols;
    this.data = d;
    this.codes = statusCodes(d.status, sameShape && this.codes ? this.codes : undefined);
    this.runtime = null;
    if (!sameShape) {
      this.selection = new CellSelection(d.rows, d.cols);
      this.persistedRuns = undefined;
    }
    if (!d.runtime && this.layer === 'runtime') this.layer = 'status';

    const restore = this.pendingRestore;
    this.pendingRestore = undefined;
    const restoring = !prev && restore && restore.rows === d.rows && restore.cols === d.cols;
    if (restoring) {
      this.selection.loadRuns(restore.selection);
      this.persistedRuns = undefined;
      this.layer = d.runtime ? restore.layer : 'status';
    }

    this.runName.textContent = d.runName;
    this.runMeta.textContent = `${d.runStatusPath} · ${d.format} · ${d.rows} × ${d.cols} cells · updated ${new Date(d.mtimeMs).toLocaleTimeString()}`;
    this.runMeta.title = d.runStatusPath;
    this.hideMessageIfError();
    this.legend.setCounts(d.counts, d.rows * d.cols);
    this.histogram.set(d.runtime ? runtimeHistogram(d.status, d.runtime, d.cellTimelimit) : null);
    this.toolbar.setProblemsAvailable(d.counts.fail + d.counts.timeout);
    this.toolbar.setRuntimeAvailable(d.runtime !== null, this.layer === 'runtime');

    this.pushCells();
    if (restoring) {
      if (restore.view) this.renderer.setView(restore.view);
      if (restore.cursor) this.renderer.cursor = restore.cursor;
    }
    this.renderer.selectionChanged();
    this.renderer.draw();
    this.canvas.dataset.cells = String(d.rows * d.cols);
    this.canvas.dataset.renderMs = (performance.now() - t0).toFixed(1);
    this.canvas.setAttribute('aria-label', `Run status grid, ${d.rows} rows by ${d.cols} columns; row 0 at top`);
    this.selectionUpdated();
    if (this.hoverClient) this.updateHover(this.hoverClient.x, this.hoverClient.y);
    for (const token of this.pendingCaptures.splice(0)) void this.exportPng(token);
    if (this.pendingReveal) this.revealCell(this.pendingReveal);
    this.pendingReveal = null;
  }

  /** Pans a cell into view and marks it with the keyboard cursor and its tooltip (from the runs tree). */
  private revealCell(cell: Cell): void {
    const d = this.data;
    if (
      !d ||
      !Number.isInteger(cell.row) ||
      !Number.isInteger(cell.col) ||
      cell.row < 0 ||
      cell.col < 0 ||
      cell.row >= d.rows ||
      cell.col >= d.cols
    )
      return;
    const r = this.renderer;
    this.canvas.focus();
    r.cursor = { row: cell.row, col: cell.col };
    r.showCursor = true;
    r.reveal(r.cursor);
    r.draw();
    this.showCellTooltip(r.cursor);
    this.scheduleSave();
  }

  /** Sends the current layer's codes and colours to the renderer. */
  private pushCells(): void {
    const d = this.data;
    if (!d || !this.codes) return;
    if (this.layer === 'runtime' && d.runtime) {
      this.runtime ??= runtimeCodes(d.runtime);
      this.renderer.glyphs = null;
      this.renderer.setCells(d.rows, d.cols, this.runtime.codes, heatLut(this.palette), this.selection);
      this.legend.setHeatRange({ min: this.runtime.min, max: this.runtime.max });
    } else {
      this.renderer.glyphs = STATUS_GLYPHS;
      this.renderer.setCells(d.rows, d.cols, this.codes, statusLut(this.palette), this.selection);
      this.legend.setHeatRange(null);
    }
  }

  private setLayer(layer: GridLayer): void {
    if (layer === this.layer) return;
    this.layer = layer === 'runtime' && this.data?.runtime ? 'runtime' : 'status';
    this.pushCells();
    this.renderer.draw();
    this.scheduleSave();
  }

  private readPalette(): Palette {
    // The --state-* variables are declared on body (media/grid.css), so theme-class overrides apply.
    const rootStyle = getComputedStyle(document.body);
    const probe = document.createElement('canvas').getContext('2d');
    const normalize = (css: string) => {
      if (!probe) return css;
      probe.fillStyle = '#010203';
      probe.fillStyle = css;
      return String(probe.fillStyle);
    };
    return resolvePalette((name) => rootStyle.getPropertyValue(name), normalize);
  }

  private refreshPalette(): void {
    this.palette = this.readPalette();
    this.legend.setPalette(this.palette);
    this.histogram.setPalette(this.palette);
    this.renderer.setPalette(this.palette, getComputedStyle(document.body).fontFamily);
    this.pushCells();
  }

  // ------------------------------------------------------------------ selection

  private changeSelection(change: () => void): void {
    change();
    this.persistedRuns = undefined;
    this.renderer.selectionChanged();
    this.selectionUpdated();
  }

  private selectionUpdated(): void {
    const n = this.selection.count;
    this.selectionInfo.textContent =
      n === 0 ? 'No cells selected' : n === 1 ? '1 cell selected' : `${n} cells selected`;
    this.toolbar.setSelectionCount(n, this.writing);
    this.scheduleSave();
  }

  private selectProblems(): void {
    const codes = this.codes;
    if (!codes) return;
    const fail = STATE_CODE.fail;
    const timeout = STATE_CODE.timeout;
    this.changeSelection(() => this.selection.addWhere((i) => codes[i] === fail || codes[i] === timeout));
  }

  private async writeMask(): Promise<void> {
    if (this.writing || this.selection.count === 0) return;
    this.writing = true;
    this.toolbar.setSelectionCount(this.selection.count, true);
    try {
      const reply = await this.messenger.call({ type: 'writeMask', cells: this.selection.indices() });
      if (reply.path) this.showMessage(`New run-mask written: ${reply.path}`, 'info');
      else this.showMessage('No run-mask written (cancelled).', 'info');
    } catch (err) {
      this.showMessage(`Could not write the run-mask: ${err instanceof Error ? err.message : String(err)}`, 'error');
    } finally {
      this.writing = false;
      this.toolbar.setSelectionCount(this.selection.count, false);
    }
  }

  /** The grid canvas as drawn (without hover and cursor marks) as PNG bytes, sent to the extension to save. */
  private async exportPng(token: number | null): Promise<void> {
    try {
      const r = this.renderer;
      const { hover, showCursor } = r;
      r.hover = null;
      r.showCursor = false;
      r.draw();
      const blob = await new Promise<Blob | null>((resolve) => this.canvas.toBlob(resolve, 'image/png'));
      r.hover = hover;
      r.showCursor = showCursor;
      r.requestDraw();
      if (!blob) throw new Error('the canvas gave no image');
      const png = new Uint8Array(await blob.arrayBuffer());
      const reply = await this.messenger.call({ type: 'exportPng', png, token });
      if (reply.path) this.showMessage(`Grid image written: ${reply.path}`, 'info');
    } catch (err) {
      this.showMessage(`Could not export the grid image: ${err instanceof Error ? err.message : String(err)}`, 'error');
    }
  }

  private async runCommand(command: WebviewCommand): Promise<void> {
    if (this.commandBusy) return;
    this.commandBusy = true;
    this.toolbar.setCommandsBusy(true);
    try {
      await this.messenger.call({ type: 'runCommand', command });
    } catch (err) {
      this.showMessage(
        `${{ salvage: 'Salvage', merge: 'Merge', exportFailedCells: 'Export' }[command]} failed: ${err instanceof Error ? err.message : String(err)}`,
        'error',
      );
    } finally {
      this.commandBusy = false;
      this.toolbar.setCommandsBusy(false);
    }
  }

  // ------------------------------------------------------------------ pointer and keyboard

  private hoverClient: { x: number; y: number } | null = null;

  private wireCanvas(): void {
    const c = this.canvas;
    c.addEventListener('pointerdown', (e) => {
      if (e.button !== 0 || !this.data) return;
      c.focus();
      c.setPointerCapture(e.pointerId);
      const start = this.renderer.cellAt(e.clientX, e.clientY);
      this.drag = {
        mode: e.shiftKey ? 'rect' : 'press',
        pointerId: e.pointerId,
        x: e.clientX,
        y: e.clientY,
        start,
        select: !e.altKey,
      };
      if (this.drag.mode === 'rect' && start) this.renderer.dragRect = rectBetween(start, start);
      this.renderer.requestDraw();
    });
    c.addEventListener('pointermove', (e) => {
      const d = this.drag;
      if (d && d.pointerId === e.pointerId) {
        if (d.mode === 'press' && Math.hypot(e.clientX - d.x, e.clientY - d.y) > 3) d.mode = 'pan';
        if (d.mode === 'pan') {
          this.renderer.pan(e.clientX - d.x, e.clientY - d.y);
          d.x = e.clientX;
          d.y = e.clientY;
          this.hideTooltip();
          return;
        }
        if (d.mode === 'rect') {
          const end = this.renderer.cellNear(e.clientX, e.clientY);
          if (!d.start) d.start = end;
          if (d.start && end) this.renderer.dragRect = rectBetween(d.start, end);
          this.renderer.requestDraw();
        }
      }
      this.updateHover(e.clientX, e.clientY);
    });
    const endDrag = (e: PointerEvent, cancelled: boolean) => {
      const d = this.drag;
      if (!d || d.pointerId !== e.pointerId) return;
      this.drag = null;
      const rect = this.renderer.dragRect;
      this.renderer.dragRect = null;
      if (cancelled) {
        this.renderer.requestDraw();
        return;
      }
      const cell = this.renderer.cellAt(e.clientX, e.clientY);
      if (d.mode === 'press' && cell) {
        this.changeSelection(() => this.selection.toggle(cell.row, cell.col));
        this.renderer.cursor = cell;
      } else if (d.mode === 'rect' && rect) {
        const single = rect.r0 === rect.r1 && rect.c0 === rect.c1;
        const anchor = this.renderer.cursor;
        const target = single && anchor && cell ? rectBetween(anchor, cell) : rect;
        this.changeSelection(() => this.selection.setRect(target, d.select));
        if (cell) this.renderer.cursor = cell;
      }
      this.renderer.requestDraw();
    };
    c.addEventListener('pointerup', (e) => endDrag(e, false));
    c.addEventListener('pointercancel', (e) => endDrag(e, true));
    c.addEventListener('pointerleave', () => {
      if (this.drag) return;
      this.hoverClient = null;
      this.renderer.hover = null;
      this.hideTooltip();
      this.renderer.requestDraw();
    });
    c.addEventListener(
      'wheel',
      (e) => {
        if (!this.data) return;
        e.preventDefault();
        const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1;
        const dy = e.deltaY * unit;
        if (e.shiftKey && !e.ctrlKey) {
          this.renderer.pan(-dy, 0);
          return;
        }
        this.renderer.zoom(Math.exp(-dy * 0.002), e.clientX, e.clientY);
        this.updateHover(e.clientX, e.clientY);
      },
      { passive: false },
    );
    c.addEventListener('focus', () => {
      this.renderer.showCursor = true;
      this.renderer.requestDraw();
    });
    c.addEventListener('blur', () => {
      this.renderer.showCursor = false;
      this.renderer.requestDraw();
    });
    c.addEventListener('keydown', (e) => this.onKey(e));
  }

  private onKey(e: KeyboardEvent): void {
    const d = this.data;
    if (!d) return;
    const r = this.renderer;
    const next = moveCursor(r.cursor, e, d.rows, d.cols, r.pageRows());
    if (next) {
      e.preventDefault();
      r.cursor = next;
      r.showCursor = true;
      if (e.shiftKey) this.changeSelection(() => this.selection.set(next.row, next.col, true));
      r.reveal(next);
      this.showCellTooltip(next);
      return;
    }
    switch (e.key) {
      case ' ':
      case 'Enter': {
        e.preventDefault();
        const cell = r.cursor ?? { row: 0, col: 0 };
        r.cursor = cell;
        this.changeSelection(() => this.selection.toggle(cell.row, cell.col));
        r.reveal(cell);
        this.showCellTooltip(cell);
        break;
      }
      case 'Escape':
        if (this.drag) {
          this.drag = null;
          r.dragRect = null;
          r.requestDraw();
        } else this.changeSelection(() => this.selection.clear());
        break;
      case '+':
      case '=':
        e.preventDefault();
        r.zoom(1.5);
        break;
      case '-':
      case '_':
        e.preventDefault();
        r.zoom(1 / 1.5);
        break;
      case '0':
        e.preventDefault();
        r.fit();
        break;
      case 'a':
      case 'A':
        if (e.ctrlKey || e.metaKey) {
          e.preventDefault();
          this.changeSelection(() => this.selection.setRect({ r0: 0, r1: d.rows - 1, c0: 0, c1: d.cols - 1 }, true));
        }
        break;
      default:
        break;
    }
  }

  // ------------------------------------------------------------------ tooltip and messages

  private updateHover(clientX: number, clientY: number): void {
    this.hoverClient = { x: clientX, y: clientY };
    const cell = this.renderer.cellAt(clientX, clientY);
    const prev = this.renderer.hover;
    if (cell?.row !== prev?.row || cell?.col !== prev?.col) {
      this.renderer.hover = cell;
      this.renderer.requestDraw();
    }
    if (!cell || !this.data) {
      this.hideTooltip();
      return;
    }
    this.tooltip.textContent = cellTooltip(this.data, cell.row, cell.col);
    this.placeTooltip(clientX, clientY);
  }

  private showCellTooltip(cell: Cell): void {
    if (!this.data) return;
    this.tooltip.textContent = cellTooltip(this.data, cell.row, cell.col);
    const p = this.renderer.cellCenterClient(cell.row, cell.col);
    this.placeTooltip(p.x, p.y);
  }

  private placeTooltip(clientX: number, clientY: number): void {
    const t = this.tooltip;
    t.hidden = false;
    const box = this.wrap.getBoundingClientRect();
    const w = t.offsetWidth;
    const h = t.offsetHeight;
    let x = clientX - box.left + 14;
    let y = clientY - box.top + 16;
    if (x + w > box.width - 4) x = Math.max(4, clientX - box.left - w - 10);
    if (y + h > box.height - 4) y = Math.max(4, clientY - box.top - h - 10);
    t.style.left = `${x}px`;
    t.style.top = `${y}px`;
  }

  private hideTooltip(): void {
    this.tooltip.hidden = true;
  }

  private showMessage(text: string, kind: 'info' | 'error'): void {
    this.message.replaceChildren();
    const span = document.createElement('span');
    span.textContent = text;
    const close = document.createElement('vscode-button');
    close.setAttribute('appearance', 'icon');
    close.setAttribute('aria-label', 'Dismiss');
    close.title = 'Dismiss';
    close.textContent = '×';
    close.addEventListener('click', () => {
      this.message.hidden = true;
    });
    this.message.append(span, close);
    this.message.dataset.kind = kind;
    this.message.hidden = false;
  }

  private hideMessageIfError(): void {
    if (this.message.dataset.kind === 'error') this.message.hidden = true;
  }

  // ------------------------------------------------------------------ state

  private scheduleSave(): void {
    if (this.saveTimer !== undefined) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.saveState();
    }, 250);
  }

  private saveState(): void {
    const base = this.state ?? this.emptyState();
    if (!base.runFolderUri) return; // nothing to restore without knowing the run
    const d = this.data;
    if (this.persistedRuns === undefined) {
      const runs = this.selection.count > 0 ? this.selection.toRuns() : [];
      this.persistedRuns = runs.length <= MAX_PERSISTED_RUNS * 2 ? runs : [];
    }
    const selection = this.persistedRuns;
    const r = this.renderer;
    this.state = {
      ...base,
      layer: this.layer,
      rows: d?.rows ?? base.rows,
      cols: d?.cols ?? base.cols,
      view: d ? (r.autoFit ? null : { ...r.view }) : base.view,
      selection: d ? selection : base.selection,
      cursor: d ? r.cursor : base.cursor,
    };
    this.vscode.setState(this.state);
  }
}

function main(): void {
  // Registered before the toolbar is built, so its elements are upgraded on creation.
  provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeCheckbox());
  new GridApp(acquireVsCodeApi()).start();
}

try {
  main();
} catch (err: unknown) {
  const box = document.getElementById('message');
  if (box) {
    box.textContent = `The run status grid failed to start: ${err instanceof Error ? err.message : String(err)}`;
    box.dataset.kind = 'error';
    box.hidden = false;
  }
}
