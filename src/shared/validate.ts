/**
 * Runtime validation of what crosses the webview boundary.
 *
 * The extension must never act on a forged or malformed message: every message from the webview
 * goes through {@link validateFromWebview} first, which rebuilds a fresh object holding only the
 * known fields (anything extra, such as a `path`, is dropped) or rejects the message with a reason.
 * Also here: the webview state the panel serializer gets back after a reload
 * ({@link validatePersistedState}) and a sanity check of the grid payload on the webview side
 * ({@link validateGridData}). No `vscode`, DOM or Node imports: used by both bundles and unit tests.
 */
import { CELL_STATES, type CellState } from './cellStates';
import {
  LOG_LEVELS,
  MAX_LOG_LENGTH,
  MAX_PNG_BYTES,
  WEBVIEW_COMMANDS,
  type Envelope,
  type FromWebview,
  type GridData,
  type GridLayer,
  type PersistedGridState,
} from './protocol';
import { isRecord, validateMessage, type Validated, type Validators } from './messenger';

export type { Validated } from './messenger';

export interface ValidationContext {
  /** rows * cols of the grid the webview was last sent; 0 before any grid was sent. */
  cellCount: number;
}

const fail = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

/** Largest grid accepted anywhere (100 million cells: far beyond any dvmdostem run). */
export const MAX_CELLS = 100_000_000;
const MAX_TEXT = 10_000;

const isIndex = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

/** Tag check that works across realms (an Int32Array revived in another context is still one). */
const tagOf = (x: unknown) => Object.prototype.toString.call(x);
const isInt32Array = (x: unknown): x is Int32Array => tagOf(x) === '[object Int32Array]';
const isFloat32Array = (x: unknown): x is Float32Array => tagOf(x) === '[object Float32Array]';
const isUint8Array = (x: unknown): x is Uint8Array => tagOf(x) === '[object Uint8Array]';
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Cell indices for a new run-mask: an Int32Array (or a plain array of numbers) of flat indices
 * (row * cols + col), each an integer in [0, cellCount), at least one. Returns a new sorted,
 * de-duplicated Int32Array (never the received buffer).
 */
export function validateCellIndices(raw: unknown, cellCount: number): Validated<Int32Array> {
  if (!isIndex(cellCount) || cellCount === 0) return fail('no grid is loaded');
  let values: ArrayLike<unknown>;
  if (isInt32Array(raw)) values = raw;
  else if (Array.isArray(raw)) values = raw;
  else return fail('cells must be an Int32Array of cell indices');
  if (values.length === 0) return fail('no cells selected');
  if (values.length > cellCount) return fail(`more cell indices (${values.length}) than cells (${cellCount})`);
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isInteger(v)) return fail(`cell index ${String(v)} is not an integer`);
    if (v < 0 || v >= cellCount) return fail(`cell index ${v} is out of range (0..${cellCount - 1})`);
    out[i] = v;
  }
  out.sort();
  let n = 0;
  for (let i = 0; i < out.length; i++) if (i === 0 || out[i] !== out[i - 1]) out[n++] = out[i];
  return { ok: true, value: n === out.length ? out : out.slice(0, n) };
}

/**
 * The validator of each message from the webview (a new message type without one does not compile);
 * each returns a fresh message holding only the known fields.
 */
const fromWebviewValidators: Validators<FromWebview, ValidationContext> = {
  ready: () => ({ ok: true, value: { type: 'ready' } }),
  reload: () => ({ ok: true, value: { type: 'reload' } }),
  log: (raw) => {
    const level = raw.level;
    if (typeof level !== 'string' || !(LOG_LEVELS as readonly string[]).includes(level))
      return fail('log: unknown level');
    if (typeof raw.message !== 'string') return fail('log: message is not a string');
    return {
      ok: true,
      value: {
        type: 'log',
        level: level as (typeof LOG_LEVELS)[number],
        message: raw.message.slice(0, MAX_LOG_LENGTH),
      },
    };
  },
  runCommand: (raw) => {
    const command = raw.command;
    if (typeof command !== 'string' || !(WEBVIEW_COMMANDS as readonly string[]).includes(command)) {
      return fail(`runCommand: unknown command ${JSON.stringify(String(command)).slice(0, 80)}`);
    }
    return { ok: true, value: { type: 'runCommand', command: command as (typeof WEBVIEW_COMMANDS)[number] } };
  },
  exportPng: (raw) => {
    const png = raw.png;
    if (!isUint8Array(png)) return fail('exportPng: png must be a Uint8Array');
    if (png.length > MAX_PNG_BYTES) return fail(`exportPng: png larger than ${MAX_PNG_BYTES} bytes`);
    if (png.length < 64 || PNG_SIGNATURE.some((b, i) => png[i] !== b)) return fail('exportPng: not a PNG image');
    const token = raw.token ?? null;
    if (token !== null && !isIndex(token)) return fail('exportPng: token must be null or a non-negative integer');
    return { ok: true, value: { type: 'exportPng', png: png.slice(), token } };
  },
  writeMask: (raw, ctx) => {
    const cells = validateCellIndices(raw.cells, ctx.cellCount);
    if (!cells.ok) return fail(`writeMask: ${cells.reason}`);
    return { ok: true, value: { type: 'writeMask', cells: cells.value } };
  },
};

/** Validates the body of a message from the webview; the result holds only known fields. */
export function validateFromWebviewBody(raw: unknown, ctx: ValidationContext): Validated<FromWebview> {
  return validateMessage(fromWebviewValidators, raw, ctx);
}

/**
 * Validates a whole envelope from the webview. The extension never sends requests to the webview,
 * so an envelope claiming to be a reply (`inReplyTo`) is rejected too.
 */
export function validateFromWebview(raw: unknown, ctx: ValidationContext): Validated<Envelope<FromWebview>> {
  if (!isRecord(raw)) return fail('message is not an object');
  if (!isIndex(raw.id)) return fail('message id is not a non-negative integer');
  if (raw.inReplyTo !== undefined) return fail('unexpected reply: the extension sends no requests');
  const body = validateFromWebviewBody(raw.body, ctx);
  if (!body.ok) return body;
  return { ok: true, value: { id: raw.id, body: body.value } };
}

function finiteNumber(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

/**
 * The state the webview saved with setState (it comes back to the panel serializer after a window
 * reload, and to the webview on getState). Bad parts are dropped; without a usable `runFolderUri`
 * the whole state is rejected (undefined).
 */
export function validatePersistedState(raw: unknown): PersistedGridState | undefined {
  if (!isRecord(raw)) return undefined;
  const uri = raw.runFolderUri;
  if (typeof uri !== 'string' || uri.length === 0 || uri.length > 8192 || !/^[a-z][a-z0-9+.-]*:/i.test(uri))
    return undefined;
  const rows = isIndex(raw.rows) ? raw.rows : 0;
  const cols = isIndex(raw.cols) ? raw.cols : 0;
  const n = rows * cols <= MAX_CELLS ? rows * cols : 0;
  const layer: GridLayer = raw.layer === 'runtime' ? 'runtime' : 'status';
  let view: PersistedGridState['view'] = null;
  if (isRecord(raw.view)) {
    const { scale, ox, oy } = raw.view;
    if (finiteNumber(scale) && scale > 0 && finiteNumber(ox) && finiteNumber(oy)) view = { scale, ox, oy };
  }
  let selection: number[] = [];
  if (Array.isArray(raw.selection) && raw.selection.length % 2 === 0 && n > 0) {
    let end = -1;
    let okRuns = true;
    for (let i = 0; i < raw.selection.length; i += 2) {
      const start: unknown = raw.selection[i];
      const len: unknown = raw.selection[i + 1];
      if (!isIndex(start) || !isIndex(len) || len === 0 || start <= end || start + len > n) {
        okRuns = false;
        break;
      }
      end = start + len - 1;
    }
    if (okRuns) selection = (raw.selection as number[]).slice();
  }
  let cursor: PersistedGridState['cursor'] = null;
  if (
    isRecord(raw.cursor) &&
    isIndex(raw.cursor.row) &&
    isIndex(raw.cursor.col) &&
    raw.cursor.row < rows &&
    raw.cursor.col < cols
  ) {
    cursor = { row: raw.cursor.row, col: raw.cursor.col };
  }
  const runName = typeof raw.runName === 'string' ? raw.runName.slice(0, MAX_TEXT) : '';
  return { v: 1, runFolderUri: uri, runName, layer, rows, cols, view, selection, cursor };
}

/**
 * Checks a grid payload before the webview draws it (sizes agree, arrays of the promised types),
 * so a broken payload shows an error instead of a half-drawn grid.
 */
export function validateGridData(raw: unknown): Validated<GridData> {
  if (!isRecord(raw)) return fail('grid data is not an object');
  const { rows, cols } = raw;
  if (!isIndex(rows) || !isIndex(cols) || rows === 0 || cols === 0) return fail('grid has no cells');
  const n = rows * cols;
  if (n > MAX_CELLS) return fail(`grid of ${rows} × ${cols} cells is too large to draw`);
  if (!isInt32Array(raw.status) || raw.status.length !== n) return fail(`status must be an Int32Array of ${n} values`);
  for (const key of ['runtime', 'lat', 'lon'] as const) {
    const a = raw[key];
    if (a !== null && !(isFloat32Array(a) && a.length === n))
      return fail(`${key} must be null or a Float32Array of ${n} values`);
  }
  for (const key of ['runName', 'runFolder', 'runStatusPath', 'format'] as const) {
    if (typeof raw[key] !== 'string') return fail(`${key} is not a string`);
  }
  if (typeof raw.mtimeMs !== 'number') return fail('mtimeMs is not a number');
  const limit = raw.cellTimelimit ?? null;
  if (limit !== null && !(finiteNumber(limit) && limit > 0))
    return fail('cellTimelimit must be null or a positive number of seconds');
  if (!isRecord(raw.counts)) return fail('counts is not an object');
  const counts = {} as Record<CellState, number>;
  for (const s of CELL_STATES) {
    const c = raw.counts[s];
    if (!isIndex(c)) return fail(`counts.${s} is not a count`);
    counts[s] = c;
  }
  const failReasons: { cell: number; message: string }[] = [];
  if (raw.failReasons !== undefined) {
    if (!Array.isArray(raw.failReasons)) return fail('failReasons is not an array');
    for (const r of raw.failReasons) {
      if (!isRecord(r) || !isIndex(r.cell) || r.cell >= n || typeof r.message !== 'string') {
        return fail('failReasons holds an entry that is not { cell, message } of this grid');
      }
      failReasons.push({ cell: r.cell, message: r.message.slice(0, MAX_TEXT) });
    }
  }
  let batches: GridData['batches'];
  if (raw.batches !== undefined) {
    const b = raw.batches;
    if (!isRecord(b) || !Array.isArray(b.names) || !b.names.every((x) => typeof x === 'string'))
      return fail('batches.names must be an array of batch names');
    if (!isInt32Array(b.cell) || b.cell.length !== n) return fail(`batches.cell must be an Int32Array of ${n} values`);
    const names = b.names.map((x) => x.slice(0, 200));
    for (const k of b.cell) if (k < -1 || k >= names.length) return fail('batches.cell holds an index out of range');
    batches = { names, cell: b.cell };
  }
  return {
    ok: true,
    value: {
      ...(batches ? { batches } : {}),
      runName: (raw.runName as string).slice(0, MAX_TEXT),
      runFolder: (raw.runFolder as string).slice(0, MAX_TEXT),
      runStatusPath: (raw.runStatusPath as string).slice(0, MAX_TEXT),
      format: (raw.format as string).slice(0, 100),
      mtimeMs: raw.mtimeMs,
      rows,
      cols,
      status: raw.status,
      runtime: (raw.runtime as Float32Array | null) ?? null,
      lat: (raw.lat as Float32Array | null) ?? null,
      lon: (raw.lon as Float32Array | null) ?? null,
      counts,
      ...(failReasons.length ? { failReasons } : {}),
      cellTimelimit: limit,
    },
  };
}
