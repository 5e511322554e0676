/**
 * The one message protocol between the extension host (src/extension/statusGridPanel.ts) and the
 * Run Status Grid webview (webview/main.ts).
 *
 * Messages travel in the envelopes of src/shared/messenger.ts (the request/reply helper shared with
 * the core worker), so a request is a typed promise on the requesting side
 * ({@link WebviewMessenger.call}). Typed arrays travel as typed arrays (VS Code's postMessage carries
 * ArrayBuffers and typed array views without JSON-encoding them).
 *
 * This file is imported by the webview bundle: like everything in src/shared it imports nothing
 * from outside src/shared.
 *
 * Model: microsoft/vscode-hexeditor `shared/protocol.ts`.
 */
import type { CellState } from './cellStates';
import { Messenger, type Envelope, type ErrorReply, type Handlers, type MessageOf } from './messenger';

export { Messenger, RemoteError, type Envelope, type ErrorReply } from './messenger';

// ---------------------------------------------------------------------------------------------
// Payload
// ---------------------------------------------------------------------------------------------

/** One run's status grid as the webview draws it. Arrays are row-major, rows × cols long. */
export interface GridData {
  /** Display name of the run (the folder's name). Shown with textContent only. */
  runName: string;
  /** The run folder, for display (fsPath). */
  runFolder: string;
  /** The run_status.nc read, for display. */
  runStatusPath: string;
  /** NetCDF flavour of run_status.nc (e.g. "classic", "netcdf4"). */
  format: string;
  /** Modification time of run_status.nc when read. */
  mtimeMs: number;
  rows: number;
  cols: number;
  /** run_status values; the fill value (-9999) where a cell was never written (also for NaN in double files). */
  status: Int32Array;
  /** total_runtime in seconds; NaN = none. Null when the file has no total_runtime. */
  runtime: Float32Array | null;
  /** Cell latitudes/longitudes from the run-mask, when known. */
  lat: Float32Array | null;
  lon: Float32Array | null;
  counts: Record<CellState, number>;
  /** Reasons dvmdostem gave in fail_log.txt, by flat cell index (row * cols + col); absent when none. */
  failReasons?: { cell: number; message: string }[];
  /** model_settings.cell_timelimit (s) from the run's config_record.js; null when unknown or no limit. */
  cellTimelimit: number | null;
  /**
   * A batch-split run's grid: the batch folder names, and per cell (row-major) the index in `names` of
   * the batch the cell comes from (-1: none). Absent for a single run folder.
   */
  batches?: { names: string[]; cell: Int32Array };
}

// ---------------------------------------------------------------------------------------------
// Extension -> webview
// ---------------------------------------------------------------------------------------------

/** First message after the webview says `ready`: which run this panel shows (before any data). */
export interface InitMessage {
  type: 'init';
  /** Folder name, shown in #run-name. */
  runName: string;
  /** fsPath, for display. */
  runFolder: string;
  /** `Uri.toString()` of the run folder: kept in the webview state so a reload can restore the panel. */
  runFolderUri: string;
}

/** A (new) grid to draw: sent after `ready` and each time run_status.nc changes. */
export interface GridDataMessage {
  type: 'gridData';
  data: GridData;
}

/** run_status.nc could not be read (missing, being written, not a run_status file…). */
export interface LoadErrorMessage {
  type: 'loadError';
  message: string;
}

/** Reading has started (shown as a small "loading…" note). */
export interface LoadingMessage {
  type: 'loading';
}

/** Reply to `writeMask`: the new mask's path for display, or null when the user cancelled. */
export interface MaskWrittenReply {
  type: 'maskWritten';
  path: string | null;
}

/**
 * Send the grid as PNG (answered by an `exportPng` request carrying `token`): the
 * `dvmdostem.exportGridPng` command with a destination already chosen.
 */
export interface CapturePngMessage {
  type: 'capturePng';
  token: number;
}

/** Show and highlight one cell (a failed cell clicked in the runs tree). */
export interface RevealCellMessage {
  type: 'revealCell';
  row: number;
  col: number;
}

/** Reply to `exportPng`: where the PNG was written, or null when the user cancelled. */
export interface ExportedReply {
  type: 'exported';
  path: string | null;
}

/** Reply to a request that has no result. */
export interface DoneReply {
  type: 'done';
}

export type ToWebviewEvent =
  InitMessage | GridDataMessage | LoadErrorMessage | LoadingMessage | CapturePngMessage | RevealCellMessage;
export type ToWebviewReply = MaskWrittenReply | ExportedReply | DoneReply | ErrorReply;
export type ToWebview = ToWebviewEvent | ToWebviewReply;

// ---------------------------------------------------------------------------------------------
// Webview -> extension
// ---------------------------------------------------------------------------------------------

/** The webview script is running and listening: send `init` and the grid. */
export interface ReadyMessage {
  type: 'ready';
}

/** Something for the extension's log (webview errors). */
export interface LogMessage {
  type: 'log';
  level: 'info' | 'warn' | 'error';
  message: string;
}

/**
 * Write a new run-mask enabling exactly these cells (flat row-major indices, row * cols + col).
 * Never carries a path: the extension asks the user where to write.
 */
export interface WriteMaskRequest {
  type: 'writeMask';
  cells: Int32Array;
}

/** Run one of the extension's commands (salvage, merge, export the failed cells) for this run folder. */
export interface RunCommandRequest {
  type: 'runCommand';
  command: WebviewCommand;
}

/**
 * The grid as a PNG file's bytes. `token` answers a `capturePng` (the destination is known); null when
 * the user pressed Export PNG (the extension asks where). Never carries a path.
 */
export interface ExportPngRequest {
  type: 'exportPng';
  png: Uint8Array;
  token: number | null;
}

/** Re-read run_status.nc now. */
export interface ReloadRequest {
  type: 'reload';
}

export type FromWebviewEvent = ReadyMessage | LogMessage;
export type FromWebviewRequest = WriteMaskRequest | RunCommandRequest | ReloadRequest | ExportPngRequest;
export type FromWebview = FromWebviewEvent | FromWebviewRequest;

/** The successful reply of each request (an {@link ErrorReply} rejects the promise instead). */
export interface ResponseMap {
  writeMask: MaskWrittenReply;
  runCommand: DoneReply;
  reload: DoneReply;
  exportPng: ExportedReply;
}

export const WEBVIEW_COMMANDS = ['salvage', 'merge', 'exportFailedCells'] as const;
export type WebviewCommand = (typeof WEBVIEW_COMMANDS)[number];
/** Largest PNG accepted from the webview. */
export const MAX_PNG_BYTES = 64 * 1024 * 1024;
export const LOG_LEVELS = ['info', 'warn', 'error'] as const;
/** Longest log text accepted from the webview (longer is truncated). */
export const MAX_LOG_LENGTH = 4000;

// ---------------------------------------------------------------------------------------------
// Handlers (the request/reply helper itself is src/shared/messenger.ts)
// ---------------------------------------------------------------------------------------------

/**
 * The extension's handler of each webview message: a request's handler resolves to its reply (or an
 * {@link ErrorReply}), an event's to nothing. A new message type without a handler does not compile.
 */
export type FromWebviewHandlers = {
  [K in FromWebview['type']]: (
    body: MessageOf<FromWebview, K>,
    envelope: Envelope<MessageOf<FromWebview, K>>,
  ) => Promise<K extends keyof ResponseMap ? ResponseMap[K] | ErrorReply : void>;
};

/** The webview's handler of each event from the extension (replies settle requests instead). */
export type ToWebviewHandlers = Handlers<ToWebviewEvent, void>;

/** The webview's side: sends {@link FromWebview}, receives {@link ToWebview}; requests typed by {@link ResponseMap}. */
export class WebviewMessenger extends Messenger<FromWebview, ToWebview> {
  call<K extends FromWebviewRequest['type']>(body: Extract<FromWebviewRequest, { type: K }>): Promise<ResponseMap[K]> {
    return this.request<ResponseMap[K]>(body);
  }
}

// ---------------------------------------------------------------------------------------------
// Webview state (vscode.setState / getState; also what the panel serializer receives)
// ---------------------------------------------------------------------------------------------

export type GridLayer = 'status' | 'runtime';

export interface GridViewState {
  /** CSS pixels per cell. */
  scale: number;
  /** Position of cell (0, 0)'s top-left corner in the plot area, CSS pixels. */
  ox: number;
  oy: number;
}

export interface PersistedGridState {
  v: 1;
  runFolderUri: string;
  runName: string;
  layer: GridLayer;
  /** Grid shape the view/selection belong to (ignored when the new data has another shape). */
  rows: number;
  cols: number;
  view: GridViewState | null;
  /** Selected cells as runs of flat indices: [start0, length0, start1, length1, …]. */
  selection: number[];
  cursor: { row: number; col: number } | null;
}
