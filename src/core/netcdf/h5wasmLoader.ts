/**
 * Loads h5wasm lazily (it is ESM-only, large, and only needed for NetCDF-4 files) and keeps the
 * HDF5 library's diagnostic stack traces off the user's terminal.
 */
import type * as H5 from 'h5wasm/node' with { 'resolution-mode': 'import' };

export type H5wasm = typeof H5;

let loading: Promise<H5wasm> | undefined;
let loaded: H5wasm | undefined;

export function loadH5wasm(): Promise<H5wasm> {
  loading ??= import('h5wasm/node').then(async (mod) => {
    // Depending on how it is bundled, the module namespace or its default export holds the API.
    const api = ((mod as unknown as { default?: H5wasm }).default ?? mod) as H5wasm;
    await api.ready;
    loaded = api;
    return api;
  });
  return loading;
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
  const stderr = process.stderr;
  const original = stderr.write;
  let captured = '';
  stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    captured += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    cb?.();
    return true;
  }) as typeof stderr.write;
  try {
    return fn();
  } catch (err) {
    if (err instanceof Error && captured) (err as Error & { hdf5Trace?: string }).hdf5Trace = captured;
    throw err;
  } finally {
    stderr.write = original;
  }
}

/** The most telling line of an HDF5 diagnostic trace ("minor: Not an HDF5 file"), if any. */
export function hdf5Reason(err: unknown): string | undefined {
  const trace = (err as { hdf5Trace?: string } | undefined)?.hdf5Trace;
  if (!trace) return undefined;
  const minors = [...trace.matchAll(/minor: (.*)/g)].map((m) => m[1].trim());
  const details = [...trace.matchAll(/in (H5\w+)\(\): (.*)/g)].map((m) => m[2].trim());
  return details.at(-1) ?? minors.at(-1);
}
