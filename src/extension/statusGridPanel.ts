/**
 * Host of the Run Status Grid webview panel (viewType `dvmdostem.statusGrid`): one panel per run
 * folder, live updates from a watcher on the folder's run_status.nc, restore after a window reload
 * through a panel serializer. File reading and writing are injected ({@link GridPanelDeps}) so they
 * can run in the core worker; every message from the webview is validated before anything is done.
 */
import * as vscode from 'vscode';
import {
  Messenger,
  type FromWebview,
  type FromWebviewHandlers,
  type GridData,
  type ToWebview,
} from '../shared/protocol';
import { validateFromWebview, validatePersistedState } from '../shared/validate';
import { gridHtml, makeNonce } from './gridHtml';
import { RUN_STATUS_FILE } from '../shared/runFiles';

export const STATUS_GRID_VIEW_TYPE = 'dvmdostem.statusGrid';
const RELOAD_DEBOUNCE_MS = 300;
const CAPTURE_TIMEOUT_MS = 30_000;
const RUN_COMMANDS = {
  salvage: 'dvmdostem.salvage',
  merge: 'dvmdostem.merge',
  exportFailedCells: 'dvmdostem.exportFailedCells',
} as const;

export interface GridPanelDeps {
  /** Reads run_status.nc (+ a run-mask's lat/lon when known). */
  loadGrid(runFolder: vscode.Uri): Promise<GridData>;
  /** Asks the user where, writes; undefined if cancelled. */
  writeMaskForCells(runFolder: vscode.Uri, cells: Int32Array): Promise<vscode.Uri | undefined>;
  runCommand(
    command: 'dvmdostem.salvage' | 'dvmdostem.merge' | 'dvmdostem.exportFailedCells',
    runFolder: vscode.Uri,
  ): Promise<void>;
  /** Writes the grid's PNG to `dest`, or asks where; the path written, or undefined if cancelled. */
  writePng(runFolder: vscode.Uri, png: Uint8Array, dest?: string): Promise<string | undefined>;
  log: vscode.LogOutputChannel;
}

/** The page, with a strict CSP and scripts/styles only from the extension's dist/ and media/. */
export function buildGridHtml(
  webview: Pick<vscode.Webview, 'cspSource' | 'asWebviewUri'>,
  extensionUri: vscode.Uri,
  nonce: string,
): string {
  return gridHtml({
    cspSource: webview.cspSource,
    nonce,
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js')).toString(),
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'grid.css')).toString(),
  });
}

export function gridWebviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    enableForms: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media'), vscode.Uri.joinPath(extensionUri, 'dist')],
  };
}

export function folderName(runFolder: vscode.Uri): string {
  const parts = runFolder.path.split('/').filter(Boolean);
  return parts[parts.length - 1] ?? runFolder.fsPath;
}

const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class StatusGridPanel {
  private static readonly panels = new Map<string, StatusGridPanel>();
  private static readonly visibilityChanged = new vscode.EventEmitter<void>();
  /** A grid panel was opened, closed, shown or hidden (the run_status poller follows this). */
  static readonly onDidChangeVisibility = StatusGridPanel.visibilityChanged.event;

  /** Opens the grid for a run folder, or reveals the panel already showing it. */
  static show(extensionUri: vscode.Uri, runFolder: vscode.Uri, deps: GridPanelDeps): StatusGridPanel {
    const existing = StatusGridPanel.panels.get(runFolder.toString());
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      STATUS_GRID_VIEW_TYPE,
      `Run Status: ${folderName(runFolder)}`,
      { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
      // Not retained when hidden: the webview keeps zoom, selection and layer with setState and
      // gets fresh data when shown again.
      { ...gridWebviewOptions(extensionUri), retainContextWhenHidden: false, enableFindWidget: false },
    );
    return new StatusGridPanel(panel, extensionUri, runFolder, deps);
  }

  /** Takes over a panel VS Code restored after a reload (see {@link registerStatusGridSerializer}). */
  static revive(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    runFolder: vscode.Uri,
    deps: GridPanelDeps,
  ): StatusGridPanel {
    return new StatusGridPanel(panel, extensionUri, runFolder, deps);
  }

  /** The open panel for a run folder, if any. */
  static get(runFolder: vscode.Uri): StatusGridPanel | undefined {
    return StatusGridPanel.panels.get(runFolder.toString());
  }

  /** The grid panel that is the active editor tab, if any. */
  static active(): StatusGridPanel | undefined {
    for (const p of StatusGridPanel.panels.values()) if (p.panel.active) return p;
    return undefined;
  }

  /** Every open grid panel. */
  static all(): StatusGridPanel[] {
    return [...StatusGridPanel.panels.values()];
  }

  static disposeAll(): void {
    for (const p of [...StatusGridPanel.panels.values()]) p.dispose();
  }

  private readonly messenger: Messenger<ToWebview, FromWebview>;
  private readonly disposables: vscode.Disposable[] = [];
  private cellCount = 0;
  private loading = false;
  private reloadAgain = false;
  private debounce: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  private nextCapture = 1;
  private webviewReady = false;
  /** The last cell asked to be revealed, sent again when the page (re)loads. */
  private pendingReveal: { row: number; col: number } | undefined;
  /** capturePng tokens waiting for the webview's PNG: where to write it, and who waits. */
  private readonly captures = new Map<
    number,
    { dest: string | undefined; settle: (result: { path?: string; error?: Error }) => void }
  >();

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    readonly runFolder: vscode.Uri,
    private readonly deps: GridPanelDeps,
  ) {
    StatusGridPanel.panels.set(runFolder.toString(), this);
    panel.title = `Run Status: ${folderName(runFolder)}`;
    panel.webview.options = gridWebviewOptions(extensionUri);
    this.messenger = new Messenger<ToWebview, FromWebview>(
      (env) => panel.webview.postMessage(env),
      (_body, env) => void this.messenger.handle(this.handlers, env),
    );
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => this.onRawMessage(raw)),
      panel.onDidDispose(() => this.dispose()),
      // A hidden panel's page is discarded; it says 'ready' again when shown.
      panel.onDidChangeViewState((e) => {
        if (!e.webviewPanel.visible) this.webviewReady = false;
        StatusGridPanel.visibilityChanged.fire();
      }),
    );
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(runFolder, RUN_STATUS_FILE));
    this.disposables.push(
      watcher,
      watcher.onDidChange(() => this.scheduleReload()),
      watcher.onDidCreate(() => this.scheduleReload()),
      watcher.onDidDelete(() => this.scheduleReload()),
    );
    panel.webview.html = buildGridHtml(panel.webview, extensionUri, makeNonce());
    StatusGridPanel.visibilityChanged.fire();
  }

  /** run_status.nc changed (seen by polling where file events do not arrive): reload if visible. */
  runStatusChanged(): void {
    this.scheduleReload();
  }

  reveal(): void {
    this.panel.reveal();
  }

  /** Shows and highlights a cell (sent when the page is listening; the page waits for its grid). */
  revealCell(row: number, col: number): void {
    this.pendingReveal = { row, col };
    if (this.webviewReady) {
      this.messenger.send({ type: 'revealCell', row, col });
      this.pendingReveal = undefined;
    }
  }

  /** Asks the webview for the grid as PNG and writes it to `dest`; resolves with the path written. */
  capturePng(dest?: string): Promise<string | undefined> {
    const token = this.nextCapture++;
    return new Promise<string | undefined>((resolve, reject) => {
      const timer = setTimeout(
        () => settle({ error: new Error('the grid did not send its image (is the panel visible?)') }),
        CAPTURE_TIMEOUT_MS,
      );
      const settle = (r: { path?: string; error?: Error }) => {
        clearTimeout(timer);
        this.captures.delete(token);
        if (r.error) reject(r.error);
        else resolve(r.path);
      };
      this.captures.set(token, { dest, settle });
      // A panel just opened gets the request once its script is listening (see 'ready').
      if (this.webviewReady) this.messenger.send({ type: 'capturePng', token });
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (StatusGridPanel.panels.get(this.runFolder.toString()) === this)
      StatusGridPanel.panels.delete(this.runFolder.toString());
    if (this.debounce) clearTimeout(this.debounce);
    this.messenger.dispose('panel closed');
    for (const c of [...this.captures.values()]) c.settle({ error: new Error('the grid panel was closed') });
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
    StatusGridPanel.visibilityChanged.fire();
  }

  /** Re-reads run_status.nc and sends it (also called by the watcher, debounced). */
  async reload(): Promise<void> {
    if (this.disposed) return;
    if (this.loading) {
      this.reloadAgain = true;
      return;
    }
    this.loading = true;
    try {
      do {
        this.reloadAgain = false;
        this.messenger.send({ type: 'loading' });
        try {
          const data = await this.deps.loadGrid(this.runFolder);
          if (this.disposed) return;
          this.cellCount = data.rows * data.cols;
          this.messenger.send({ type: 'gridData', data });
        } catch (err) {
          if (this.disposed) return;
          this.deps.log.warn(`Run status grid: cannot read ${this.runFolder.fsPath}: ${describe(err)}`);
          this.messenger.send({ type: 'loadError', message: describe(err) });
        }
      } while (this.reloadAgain && !this.disposed);
    } finally {
      this.loading = false;
    }
  }

  private scheduleReload(delay = RELOAD_DEBOUNCE_MS): void {
    if (this.disposed) return;
    // A hidden webview is discarded (not retained); when shown again it sends 'ready' and gets
    // fresh data then, so changes while hidden need no reading now.
    if (!this.panel.visible) return;
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      void this.reload();
    }, delay);
  }

  private onRawMessage(raw: unknown): void {
    const checked = validateFromWebview(raw, { cellCount: this.cellCount });
    if (!checked.ok) {
      this.deps.log.warn(`Run status grid: ignored a message from the webview (${checked.reason})`);
      // Answer a well-formed request id so the webview does not wait forever; nothing is done.
      const id = (raw as { id?: unknown } | null)?.id;
      if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) {
        this.messenger.reply({ id }, { type: 'error', message: `rejected: ${checked.reason}` });
      }
      return;
    }
    this.messenger.receive(checked.value);
  }

  /** What the panel does with each (validated) message from the webview; a request's result is its reply. */
  private readonly handlers: FromWebviewHandlers = {
    ready: async () => {
      this.messenger.send({
        type: 'init',
        runName: folderName(this.runFolder),
        runFolder: this.runFolder.fsPath,
        runFolderUri: this.runFolder.toString(),
      });
      this.webviewReady = true;
      // The webview answers a capture once it has drawn the grid; captures asked before it was ready go now.
      for (const token of this.captures.keys()) this.messenger.send({ type: 'capturePng', token });
      if (this.pendingReveal) this.messenger.send({ type: 'revealCell', ...this.pendingReveal });
      this.pendingReveal = undefined;
      await this.reload();
    },
    log: (body) => {
      this.deps.log[body.level](`Run status grid webview: ${body.message}`);
      return Promise.resolve();
    },
    reload: async () => {
      await this.reload();
      return { type: 'done' };
    },
    writeMask: async (body) => {
      try {
        const written = await this.deps.writeMaskForCells(this.runFolder, body.cells);
        const shown = written ? (written.scheme === 'file' ? written.fsPath : written.toString()) : null;
        return { type: 'maskWritten', path: shown };
      } catch (err) {
        this.deps.log.error(
          `Run status grid: writing a run-mask for ${body.cells.length} cells of ${this.runFolder.fsPath} failed: ${describe(err)}`,
        );
        return { type: 'error', message: describe(err) };
      }
    },
    exportPng: async (body) => {
      const capture = body.token === null ? undefined : this.captures.get(body.token);
      if (body.token !== null && !capture) return { type: 'error', message: 'no image was asked for' };
      try {
        const written = await this.deps.writePng(this.runFolder, body.png, capture?.dest);
        capture?.settle({ path: written });
        return { type: 'exported', path: written ?? null };
      } catch (err) {
        this.deps.log.error(`Run status grid: writing the PNG of ${this.runFolder.fsPath} failed: ${describe(err)}`);
        capture?.settle({ error: err instanceof Error ? err : new Error(describe(err)) });
        return { type: 'error', message: describe(err) };
      }
    },
    runCommand: async (body) => {
      const command = RUN_COMMANDS[body.command];
      try {
        await this.deps.runCommand(command, this.runFolder);
        return { type: 'done' };
      } catch (err) {
        this.deps.log.error(`Run status grid: ${command} failed: ${describe(err)}`);
        return { type: 'error', message: describe(err) };
      }
    },
  };
}

/**
 * Restores grid panels after a window reload. Call once from `activate` and push the result to
 * `context.subscriptions`. Needs `"onWebviewPanel:dvmdostem.statusGrid"` in activationEvents.
 */
export function registerStatusGridSerializer(context: vscode.ExtensionContext, deps: GridPanelDeps): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(STATUS_GRID_VIEW_TYPE, {
    deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
      const saved = validatePersistedState(state);
      let folder: vscode.Uri | undefined;
      if (saved) {
        try {
          folder = vscode.Uri.parse(saved.runFolderUri, true);
        } catch {
          folder = undefined;
        }
      }
      if (!folder) {
        deps.log.warn(
          'Run status grid: a panel from the last session could not be restored (no run folder in its state)',
        );
        panel.dispose();
        return Promise.resolve();
      }
      const existing = StatusGridPanel.get(folder);
      if (existing) {
        panel.dispose();
        existing.reveal();
        return Promise.resolve();
      }
      StatusGridPanel.revive(panel, context.extensionUri, folder, deps);
      return Promise.resolve();
    },
  });
}
