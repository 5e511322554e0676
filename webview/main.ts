/**
 * Run Status Grid webview: entry point (bundled by esbuild.mjs into dist/webview.js, browser IIFE).
 * GridApp holds the grid shown and wires the parts, each in a file of its own: the extension's
 * messages (hostMessages.ts), saved state (savedState.ts), pointer and keyboard (pointer.ts,
 * keyboard.ts), tooltip and banner (tooltip.ts, banners.ts), test hooks (testHooks.ts, test builds
 * only). Talks to src/extension/statusGridPanel.ts only through src/shared/protocol.ts. Text from the
 * extension (names, paths, errors) is only ever set with textContent.
 */
import { dispatch, type Envelope } from '../src/shared/messenger';
import {
  WebviewMessenger,
  type GridData,
  type GridLayer,
  type InitMessage,
  type PersistedGridState,
  type ToWebviewEvent,
  type WebviewCommand,
} from '../src/shared/protocol';
// The toolkit is an ES module and tsc checks this repo as CommonJS (TS1479 on a static import).
// esbuild bundles it as ESM, and a static import lets it drop the components we do not use
// (about 80 kB minified instead of 290 kB with a dynamic import). Never loaded by Node.
// @ts-expect-error TS1479: ESM-only package imported from a file tsc treats as CommonJS
import { provideVSCodeDesignSystem, vsCodeButton, vsCodeCheckbox } from '@vscode/webview-ui-toolkit';
import { Banner, errorText } from './banners';
import { cellTooltip } from './cellInfo';
import { heatLut, resolvePalette, STATE_CODE, STATE_GLYPHS, statusLut, type Palette } from './colors';
import { GridRenderer, type Glyph } from './gridRenderer';
import { HistogramView, runtimeHistogram } from './histogram';
import { hostMessageHandlers, isEnvelope, type HostMessageTarget } from './hostMessages';
import { wireKeyboard } from './keyboard';
import { Legend } from './legend';
import { runtimeCodes, statusCodes, type RuntimeCodes } from './levels';
import { PointerInput } from './pointer';
import { SavedState, type StateStore } from './savedState';
import { CellSelection } from './selection';
import { installTestHooks } from './testHooks';
import { Toolbar } from './toolbar';
import { CellTooltip } from './tooltip';
import { ZOOM_STEP, type Cell } from './viewport';

/** True in development and test builds; esbuild.mjs defines it (false with --production). */
declare const __TEST_HOOKS__: boolean;

interface VsCodeApi extends StateStore {
  postMessage(message: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** Status-layer glyphs by cell code. */
const STATUS_GLYPHS: ReadonlyMap<number, Glyph> = new Map(
  Object.entries(STATE_GLYPHS).map(([state, glyph]) => [STATE_CODE[state as keyof typeof STATE_CODE], glyph]),
);

/** Banner text of a failed toolbar command. */
const COMMAND_TITLES: Record<WebviewCommand, string> = {
  salvage: 'Salvage',
  merge: 'Merge',
  exportFailedCells: 'Export',
};

function byId<T extends HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`#${id} missing from the page`);
  return e as T;
}

class GridApp implements HostMessageTarget {
  private readonly messenger: WebviewMessenger;
  private readonly renderer: GridRenderer;
  private readonly legend: Legend;
  private readonly histogram: HistogramView;
  private readonly toolbar: Toolbar;
  private readonly saved: SavedState;
  private readonly banner = new Banner(byId('message'));
  private readonly canvas = byId<HTMLCanvasElement>('grid');
  private readonly wrap = byId<HTMLElement>('grid-wrap');
  private readonly tooltip = new CellTooltip(byId('tooltip'), this.wrap);
  private readonly runName = byId<HTMLElement>('run-name');
  private readonly runMeta = byId<HTMLElement>('run-meta');
  private readonly selectionInfo = byId<HTMLElement>('selection-info');
  private pointer: PointerInput | undefined;
  private readonly hostHandlers = hostMessageHandlers(this);

  private data: GridData | null = null;
  private codes: Uint8Array | null = null;
  private runtime: RuntimeCodes | null = null;
  private layer: GridLayer = 'status';
  private selection = new CellSelection(0, 0);
  private palette: Palette;
  /** The saved state to apply to the first grid (when its shape still fits). */
  private pendingRestore: PersistedGridState | undefined;
  private writing = false;
  /** capturePng requests that arrived before the first grid: answered once it is drawn. */
  private pendingCaptures: number[] = [];
  private pendingReveal: Cell | null = null;
  private commandBusy = false;

  constructor(private readonly vscode: VsCodeApi) {
    this.messenger = new WebviewMessenger(
      (env) => this.vscode.postMessage(env),
      (_body, env) => dispatch(this.hostHandlers, env as Envelope<ToWebviewEvent>),
    );
    this.renderer = new GridRenderer(this.canvas);
    this.saved = new SavedState(this.vscode, () => ({
      layer: this.layer,
      selection: this.selection,
      grid: this.data
        ? {
            rows: this.data.rows,
            cols: this.data.cols,
            view: this.renderer.autoFit ? null : { ...this.renderer.view },
            cursor: this.renderer.cursor,
          }
        : null,
    }));
    this.renderer.onDraw = () => this.saved.schedule();
    this.legend = new Legend(byId('legend'));
    this.histogram = new HistogramView(byId('runtime-histogram'));
    this.toolbar = new Toolbar(byId('toolbar'), {
      writeMask: () => void this.writeMask(),
      selectProblems: () => this.selectProblems(),
      clearSelection: () => this.changeSelection((s) => s.clear()),
      toggleRuntime: (on) => this.setLayer(on ? 'runtime' : 'status'),
      zoomIn: () => this.renderer.zoom(ZOOM_STEP),
      zoomOut: () => this.renderer.zoom(1 / ZOOM_STEP),
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

    const restored = this.saved.restored;
    if (restored) {
      this.pendingRestore = restored;
      this.layer = restored.layer;
      this.runName.textContent = restored.runName;
    }
  }

  start(): void {
    window.addEventListener('message', (e: MessageEvent) => {
      if (isEnvelope(e.data)) this.messenger.receive(e.data);
    });
    this.pointer = new PointerInput(this.canvas, this.renderer, {
      hasGrid: () => this.data !== null,
      changeSelection: (change) => this.changeSelection(change),
      showTooltip: (cell, x, y) => this.showTooltip(cell, x, y),
      hideTooltip: () => this.tooltip.hide(),
    });
    const pointer = this.pointer;
    wireKeyboard(this.canvas, this.renderer, {
      grid: () => this.data,
      changeSelection: (change) => this.changeSelection(change),
      showCellTooltip: (cell) => this.showCellTooltip(cell),
      cancelDrag: () => pointer.cancelDrag(),
    });
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
    if (__TEST_HOOKS__) {
      installTestHooks({
        renderer: this.renderer,
        data: () => this.data,
        histogramLayout: () => this.histogram.layout,
      });
    }
    this.messenger.send({ type: 'ready' });
  }

  // ------------------------------------------------------------------ messages from the extension

  showRun(run: InitMessage): void {
    this.runName.textContent = run.runName;
    this.runMeta.textContent = run.runFolder;
    this.runMeta.title = run.runFolder;
    this.saved.setRun(run.runFolderUri, run.runName);
  }

  setLoading(loading: boolean): void {
    this.runMeta.classList.toggle('loading', loading);
  }

  showError(text: string): void {
    this.banner.show(text, 'error');
  }

  revealCell(cell: Cell): void {
    if (this.data) this.revealNow(cell);
    else this.pendingReveal = cell;
  }

  capturePng(token: number): void {
    if (this.data) void this.exportPng(token);
    else this.pendingCaptures.push(token);
  }

  showGrid(d: GridData): void {
    const t0 = performance.now();
    const prev = this.data;
    const sameShape = prev !== null && prev.rows === d.rows && prev.cols === d.cols;
    this.data = d;
    this.codes = statusCodes(d.status, sameShape && this.codes ? this.codes : undefined);
    this.runtime = null;
    if (!sameShape) {
      this.selection = new CellSelection(d.rows, d.cols);
      this.saved.selectionChanged();
    }
    if (!d.runtime && this.layer === 'runtime') this.layer = 'status';

    const restore = this.pendingRestore;
    this.pendingRestore = undefined;
    const restoring = !prev && restore && restore.rows === d.rows && restore.cols === d.cols;
    if (restoring) {
      this.selection.loadRuns(restore.selection);
      this.saved.selectionChanged();
      this.layer = d.runtime ? restore.layer : 'status';
    }

    this.runName.textContent = d.runName;
    this.runMeta.textContent = `${d.runStatusPath} · ${d.format} · ${d.rows} × ${d.cols} cells · updated ${new Date(d.mtimeMs).toLocaleTimeString()}`;
    this.runMeta.title = d.runStatusPath;
    this.banner.hideIfError();
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
    this.pointer?.refreshHover();
    for (const token of this.pendingCaptures.splice(0)) void this.exportPng(token);
    if (this.pendingReveal) this.revealNow(this.pendingReveal);
    this.pendingReveal = null;
  }

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    try {
      this.messenger.send({ type: 'log', level, message });
    } catch {
      /* nothing to do */
    }
  }

  // ------------------------------------------------------------------ drawing

  /** Pans a cell into view and marks it with the keyboard cursor and its tooltip (from the runs tree). */
  private revealNow(cell: Cell): void {
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
    this.saved.schedule();
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
    this.saved.schedule();
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

  private showTooltip(cell: Cell, clientX: number, clientY: number): void {
    if (this.data) this.tooltip.show(cellTooltip(this.data, cell.row, cell.col), clientX, clientY);
  }

  private showCellTooltip(cell: Cell): void {
    if (!this.data) return;
    const p = this.renderer.cellCenterClient(cell.row, cell.col);
    this.tooltip.show(cellTooltip(this.data, cell.row, cell.col), p.x, p.y);
  }

  // ------------------------------------------------------------------ selection and commands

  private changeSelection(change: (selection: CellSelection) => void): void {
    change(this.selection);
    this.saved.selectionChanged();
    this.renderer.selectionChanged();
    this.selectionUpdated();
  }

  private selectionUpdated(): void {
    const n = this.selection.count;
    this.selectionInfo.textContent =
      n === 0 ? 'No cells selected' : n === 1 ? '1 cell selected' : `${n} cells selected`;
    this.toolbar.setSelectionCount(n, this.writing);
    this.saved.schedule();
  }

  private selectProblems(): void {
    const codes = this.codes;
    if (!codes) return;
    const fail = STATE_CODE.fail;
    const timeout = STATE_CODE.timeout;
    this.changeSelection((s) => s.addWhere((i) => codes[i] === fail || codes[i] === timeout));
  }

  private async writeMask(): Promise<void> {
    if (this.writing || this.selection.count === 0) return;
    this.writing = true;
    this.toolbar.setSelectionCount(this.selection.count, true);
    try {
      const reply = await this.messenger.call({ type: 'writeMask', cells: this.selection.indices() });
      if (reply.path) this.banner.show(`New run-mask written: ${reply.path}`, 'info');
      else this.banner.show('No run-mask written (cancelled).', 'info');
    } catch (err) {
      this.banner.show(`Could not write the run-mask: ${errorText(err)}`, 'error');
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
      if (reply.path) this.banner.show(`Grid image written: ${reply.path}`, 'info');
    } catch (err) {
      this.banner.show(`Could not export the grid image: ${errorText(err)}`, 'error');
    }
  }

  private async runCommand(command: WebviewCommand): Promise<void> {
    if (this.commandBusy) return;
    this.commandBusy = true;
    this.toolbar.setCommandsBusy(true);
    try {
      await this.messenger.call({ type: 'runCommand', command });
    } catch (err) {
      this.banner.show(`${COMMAND_TITLES[command]} failed: ${errorText(err)}`, 'error');
    } finally {
      this.commandBusy = false;
      this.toolbar.setCommandsBusy(false);
    }
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
    box.textContent = `The run status grid failed to start: ${errorText(err)}`;
    box.dataset.kind = 'error';
    box.hidden = false;
  }
}
