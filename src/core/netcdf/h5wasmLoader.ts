/**
 * Loads h5wasm lazily (it is ESM-only, large, and only needed for NetCDF-4 files) and keeps the
 * HDF5 library's diagnostic stack traces off the user's terminal.
 */
import type * as H5 from 'h5wasm/node' with { 'resolution-mode': 'import' };
// The fs module object itself (not an import-star copy): the HDF5 C library writes its diagnostics to
// file descriptor 2 through it (emscripten NODERAWFS), so that is where they are captured.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the module object itself, see above
import nodeFs = require('node:fs');

export type H5wasm = typeof H5;

let loading: Promise<H5wasm> | undefined;
let loaded: H5wasm | undefined;
/** The module namespace: its live `FS` binding shows which files the library has open. */
let loadedModule: { FS?: { streams?: ({ path?: string } | null)[] } | null } | undefined;

export function loadH5wasm(): Promise<H5wasm> {
  loading ??= import('h5wasm/node').then(async (mod) => {
    // Depending on how it is bundled, the module namespace or its default export holds the API.
    const api = (mod as unknown as { default?: H5wasm }).default ?? mod;
    await api.ready;
    loaded = api;
    loadedModule = mod as unknown as typeof loadedModule;
    return api;
  });
  return loading;
}

/**
 * Set when the library died inside a call (a wasm trap such as "memory access out of bounds", or an
 * abort) on a damaged file: it may have written outside its buffers, so nothing it returns in this
 * process can be trusted any more. Reads then fail cleanly until the process restarts.
 */
let poisoned: string | undefined;

export function h5wasmPoisoned(): string | undefined {
  return poisoned;
}

/**
 * The first error the library reported in this process (an exception from a call, or a diagnostic
 * trace): it met a damaged or incomplete file. It refuses such files cleanly, but its own state may
 * still be harmed in ways no check sees (a fuzz run showed a failed checksum leaving it damaged for
 * every later file). Reads go on (a command that met an error ends anyway); a long-lived reader
 * should start afresh (see hdf5NeedsRestart).
 */
let libraryError: string | undefined;

export function h5wasmReportedError(): string | undefined {
  return libraryError;
}

function noteFailure(err: unknown, trace: string): void {
  const message = String((err as Error)?.message ?? err);
  if (err instanceof WebAssembly.RuntimeError || /^Aborted\(|program has already aborted/.test(message))
    poisoned ??= message;
  libraryError ??= traceReason(trace) ?? (message.split('\n')[0] || 'an HDF5 error');
}

export function h5wasmSync(): H5wasm {
  if (!loaded) throw new Error('h5wasm is not loaded yet: await loadH5wasm() first');
  return loaded;
}

/**
 * Runs `fn` with stderr captured: the HDF5 C library prints an "HDF5-DIAG" trace for every failed
 * call. The captured text is returned with the error so callers can log it, not print it.
 */
export function quietly<T>(fn: () => T): T {
  return quietlyWithTrace(fn).value;
}

/**
 * Like `quietly`, and also returns what the library printed when the call did not throw: h5wasm
 * reports some failures (e.g. an object header that fails its checksum) only as a diagnostic trace.
 */
export function quietlyWithTrace<T>(fn: () => T): { value: T; trace: string } {
  const stderr = process.stderr;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept to be put back as it was
  const original = stderr.write;
  const originalWriteSync = nodeFs.writeSync;
  let captured = '';
  stderr.write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
    captured += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    cb?.();
    return true;
  };
  // The C library's fprintf(stderr) reaches fs.writeSync(2, bytes, offset, length, position).
  nodeFs.writeSync = function (this: unknown, fd: number, buffer: unknown, ...rest: unknown[]) {
    if (fd !== 2) return (originalWriteSync as (...a: unknown[]) => number).call(this, fd, buffer, ...rest);
    if (typeof buffer === 'string') {
      captured += buffer;
      return Buffer.byteLength(buffer);
    }
    const view = buffer as ArrayBufferView;
    const offset = typeof rest[0] === 'number' ? rest[0] : 0;
    const length = typeof rest[1] === 'number' ? rest[1] : view.byteLength - offset;
    captured += Buffer.from(view.buffer, view.byteOffset + offset, length).toString();
    return length;
  };
  try {
    const value = fn();
    if (/HDF5-DIAG/.test(captured)) libraryError ??= traceReason(captured) ?? 'an HDF5 diagnostic';
    return { value, trace: captured };
  } catch (err) {
    if (err instanceof Error && captured) (err as Error & { hdf5Trace?: string }).hdf5Trace = captured;
    noteFailure(err, captured);
    throw err;
  } finally {
    stderr.write = original;
    nodeFs.writeSync = originalWriteSync;
  }
}

/** The most telling line of a captured HDF5 diagnostic trace. */
export function traceReason(trace: string): string | undefined {
  return hdf5Reason({ hdf5Trace: trace });
}

/** Paths of files the HDF5 library (emscripten file system) still holds open. */
export function openHdf5Paths(): string[] {
  const fsys = loadedModule?.FS;
  return (fsys?.streams ?? [])
    .filter((s): s is { path: string } => !!s?.path && !s.path.startsWith('/dev/'))
    .map((s) => s.path);
}

/** The most telling line of an HDF5 diagnostic trace ("minor: Not an HDF5 file"), if any. */
export function hdf5Reason(err: unknown): string | undefined {
  const trace = (err as { hdf5Trace?: string } | undefined)?.hdf5Trace;
  if (!trace) return undefined;
  const minors = [...trace.matchAll(/minor: (.*)/g)].map((m) => m[1].trim());
  const details = [...trace.matchAll(/in (H5\w+)\(\): (.*)/g)].map((m) => m[2].trim());
  return details.at(-1) ?? minors.at(-1);
}
