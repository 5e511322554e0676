/**
 * The one gateway to the HDF5 library (h5wasm): loading it, opening and closing files, keeping its
 * diagnostic output off the user's terminal, and knowing whether it can still be trusted in this
 * process. Nothing else in the code touches h5wasm's module state, its output or its open files.
 */
import * as nodePath from 'node:path';
import type * as H5 from 'h5wasm/node' with { 'resolution-mode': 'import' };
import type { Dataset, Entity, File as H5File, Group } from 'h5wasm/node' with { 'resolution-mode': 'import' };
// The fs module object itself (not an import-star copy): the HDF5 C library writes its diagnostics to
// file descriptor 2 through it (emscripten NODERAWFS), so that is where they are captured.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the module object itself, see above
import nodeFs = require('node:fs');
import { UserError } from '../errors';

export type H5wasm = typeof H5;
export type { H5File };

/** What a library call returned, with the diagnostic trace it printed (empty when it printed none). */
export interface Traced<T> {
  value: T;
  trace: string;
}

/** An error thrown inside the library, carrying the diagnostic trace it printed. */
type TracedError = Error & { hdf5Trace?: string };

/** The module namespace: its live `FS` binding shows which files the library has open. */
interface H5Module {
  FS?: { streams?: ({ path?: string } | null)[] } | null;
}

export class Hdf5Library {
  private loading: Promise<H5wasm> | undefined;
  private api: H5wasm | undefined;
  private module: H5Module | undefined;
  /**
   * Set when the library died inside a call (a wasm trap such as "memory access out of bounds", or an
   * abort) on a damaged file: it may have written outside its buffers, so nothing it returns in this
   * process can be trusted any more. Opens then fail cleanly until the process restarts.
   */
  private failed: string | undefined;
  /**
   * The first error the library reported in this process (an exception from a call, or a diagnostic
   * trace): it met a damaged or incomplete file. It refuses such files cleanly, but its own state may
   * still be harmed in ways no check sees (a fuzz run showed a failed checksum leaving it damaged for
   * every later file). Reads go on (a command that met an error ends anyway); a long-lived reader
   * should start afresh (see needsRestart).
   */
  private reported: string | undefined;
  /**
   * Files (device:inode) that the library could not close after a failed read: on a damaged file some
   * HDF5 calls leave objects open, and HDF5 then keeps the whole file open and hands its stale state to
   * every later open of the same file. Such a file is refused until the process restarts.
   */
  private readonly leaked = new Set<string>();

  /** Loads h5wasm once (it is ESM-only, large, and only needed for NetCDF-4 files). */
  load(): Promise<H5wasm> {
    this.loading ??= import('h5wasm/node').then(async (mod) => {
      // Depending on how it is bundled, the module namespace or its default export holds the API.
      const api = (mod as unknown as { default?: H5wasm }).default ?? mod;
      await api.ready;
      this.api = api;
      this.module = mod as unknown as H5Module;
      return api;
    });
    return this.loading;
  }

  /** Whether h5wasm was ever asked for in this process (the fast paths never load it). */
  wasLoaded(): boolean {
    return this.loading !== undefined;
  }

  /**
   * Why HDF5 reads in this process should not go on, or undefined: the library failed inside a call,
   * holds a damaged file open, or reported an error on a damaged or incomplete file. A long-lived
   * reader (the extension's reading worker) then starts afresh, so one bad file never affects the next.
   */
  needsRestart(): string | undefined {
    if (this.failed) return `the HDF5 library failed on a damaged file (${this.failed})`;
    const leaked = this.leaked.size;
    if (leaked > 0)
      return `the HDF5 library could not close ${leaked === 1 ? 'a damaged file' : `${leaked} damaged files`}`;
    if (this.reported)
      return `the HDF5 library met a damaged or incomplete file (${this.reported}); its state is not trusted further`;
    return undefined;
  }

  /** The wasm trap or abort that made the library untrustworthy in this process, if any. */
  failure(): string | undefined {
    return this.failed;
  }

  /** Whether `path` is a file the library could not close (refused until the process restarts). */
  isLeaked(path: string): boolean {
    const key = fileKey(path);
    return key !== undefined && this.leaked.has(key);
  }

  /** Paths of files the library (emscripten file system) still holds open. */
  openPaths(): string[] {
    return (this.module?.FS?.streams ?? [])
      .filter((s): s is { path: string } => !!s?.path && !s.path.startsWith('/dev/'))
      .map((s) => s.path);
  }

  isDataset(entity: Entity | null): entity is Dataset {
    return entity instanceof this.loaded().Dataset;
  }

  isGroup(entity: Entity | null): entity is Group {
    return entity instanceof this.loaded().Group;
  }

  /**
   * Opens `path`, runs `fn` and closes the file. A failure of the library itself anywhere in between
   * (an abort or trap inside the library, or an HDF5 error, including while closing) becomes a
   * UserError naming the file; errors of our own code pass through unchanged.
   */
  withFile<T>(path: string, mode: 'r' | 'a', fn: (file: H5File) => T): T {
    const file = this.open(path, mode);
    let result: { value: T } | undefined;
    try {
      result = { value: fn(file) };
    } catch (err) {
      throw libraryFailure(path, mode, err);
    } finally {
      try {
        this.call(() => file.close());
      } catch (err) {
        // After a failure, that failure is the one to report; after a success, a failed close is one.
        // eslint-disable-next-line no-unsafe-finally -- only reached after a success, so nothing is hidden
        if (result) throw libraryFailure(path, mode, err);
      } finally {
        this.noteIfLeaked(path);
      }
    }
    return result.value;
  }

  /** Runs a library call with its diagnostic output captured (attached to the error if it throws). */
  call<T>(fn: () => T): T {
    return this.callTraced(fn).value;
  }

  /**
   * Like `call`, and also returns what the library printed when the call did not throw: h5wasm
   * reports some failures (e.g. an object header that fails its checksum) only as a diagnostic trace.
   */
  callTraced<T>(fn: () => T): Traced<T> {
    const captured = captureStderr();
    try {
      const value = fn();
      const trace = captured.text();
      if (/HDF5-DIAG/.test(trace)) this.reported ??= traceReason(trace) ?? 'an HDF5 diagnostic';
      return { value, trace };
    } catch (err) {
      const trace = captured.text();
      if (err instanceof Error && trace) (err as TracedError).hdf5Trace = trace;
      this.noteFailure(err, trace);
      throw err;
    } finally {
      captured.restore();
    }
  }

  private loaded(): H5wasm {
    if (!this.api) throw new Error('h5wasm is not loaded yet: await hdf5Library.load() first');
    return this.api;
  }

  private open(path: string, mode: 'r' | 'a'): H5File {
    const h5 = this.loaded();
    if (this.failed)
      throw new UserError(
        `${path}: cannot read NetCDF-4 files any more in this process: the HDF5 library failed on an earlier damaged file (${this.failed}); run again`,
      );
    if (this.isLeaked(path))
      throw new UserError(
        `${path}: cannot open as NetCDF-4/HDF5 (an earlier read of this damaged file left it open in the HDF5 library; restart to read it again)`,
      );
    let file: H5File | undefined;
    let openTrace = '';
    try {
      const opened = this.callTraced(() => new h5.File(path, mode));
      file = opened.value;
      openTrace = opened.trace;
      const f = file;
      this.call(() => f.keys()); // h5wasm opens lazily: make a bad file fail here, not later
      return file;
    } catch (err) {
      // Close what did open: a file left open in the library would be reused, stale, by later opens of
      // the same file (HDF5 shares open files by inode).
      if (file) {
        const f = file;
        try {
          this.call(() => f.close());
        } catch {
          // The open itself failed: nothing to close.
        }
        this.noteIfLeaked(path);
      }
      const reason = traceReason(openTrace) ?? hdf5Reason(err) ?? (err as Error).message;
      throw new UserError(`${path}: cannot open as NetCDF-4/HDF5 (${reason})`);
    }
  }

  private noteFailure(err: unknown, trace: string): void {
    const message = String((err as Error)?.message ?? err);
    if (err instanceof WebAssembly.RuntimeError || /^Aborted\(|program has already aborted/.test(message))
      this.failed ??= message;
    this.reported ??= traceReason(trace) ?? (message.split('\n')[0] || 'an HDF5 error');
  }

  /** Remembers `path` as leaked when the library still holds it open after it was closed. */
  private noteIfLeaked(path: string): void {
    const abs = nodePath.resolve(path);
    if (!this.openPaths().some((p) => nodePath.resolve(p) === abs)) return;
    const key = fileKey(path);
    if (key) this.leaked.add(key);
  }
}

/** The process's one HDF5 library. */
export const hdf5Library = new Hdf5Library();

/** The most telling line of a captured HDF5 diagnostic trace ("minor: Not an HDF5 file"), if any. */
export function traceReason(trace: string | undefined): string | undefined {
  if (!trace) return undefined;
  const minors = [...trace.matchAll(/minor: (.*)/g)].map((m) => m[1].trim());
  const details = [...trace.matchAll(/in (H5\w+)\(\): (.*)/g)].map((m) => m[2].trim());
  return details.at(-1) ?? minors.at(-1);
}

/** The most telling line of the trace a library call printed before it threw `err`, if any. */
export function hdf5Reason(err: unknown): string | undefined {
  return traceReason((err as TracedError | undefined)?.hdf5Trace);
}

/** A UserError for a failure inside the HDF5 library; anything else (our own errors) unchanged. */
function libraryFailure(path: string, mode: 'r' | 'a', err: unknown): unknown {
  if (err instanceof UserError) return err;
  const fromLibrary =
    err instanceof WebAssembly.RuntimeError ||
    (err as TracedError | null)?.hdf5Trace !== undefined ||
    /^Aborted\(/.test(String((err as Error)?.message));
  if (!fromLibrary) return err;
  const reason = hdf5Reason(err) ?? (err as Error).message;
  return new UserError(
    `${path}: the HDF5 library failed while ${mode === 'a' ? 'updating' : 'reading'} this NetCDF-4 file (${reason}); it may be damaged`,
  );
}

function fileKey(path: string): string | undefined {
  try {
    const st = nodeFs.statSync(path);
    return `${st.dev}:${st.ino}`;
  } catch {
    return undefined;
  }
}

/**
 * Captures what is written to stderr until `restore`: the HDF5 C library prints an "HDF5-DIAG" trace
 * for every failed call, through process.stderr and (its fprintf) fs.writeSync(2, ...).
 */
function captureStderr(): { text(): string; restore(): void } {
  const stderr = process.stderr;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept to be put back as it was
  const originalWrite = stderr.write;
  const originalWriteSync = nodeFs.writeSync;
  let captured = '';
  stderr.write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
    captured += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    cb?.();
    return true;
  };
  // fprintf(stderr) reaches fs.writeSync(2, bytes, offset, length, position).
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
  return {
    text: () => captured,
    restore: () => {
      stderr.write = originalWrite;
      nodeFs.writeSync = originalWriteSync;
    },
  };
}
