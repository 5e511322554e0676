/**
 * Shared by the fault and bad-input tests: runs the built CLIs (dist/pyddt-*.js) as a user would,
 * snapshots inputs before and after, checks that a failure is one clean line and that nothing partial
 * is left behind, and collects a case → result matrix that each test file prints at the end.
 */
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixture, repoRoot } from '../helpers/files';

export type Tool = 'pyddt-salvage' | 'pyddt-merge';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export function toolPath(tool: Tool): string {
  const script = path.join(repoRoot, 'dist', `${tool}.js`);
  assert.ok(fs.existsSync(script), `${script} is missing: build it first (ONLY=pyddt node esbuild.mjs)`);
  return script;
}

/**
 * Runs a CLI to completion. `as` runs it as another user (uid/gid), e.g. nobody; `toolDir` runs a copy
 * of the bundle from another folder (the bundles are self-contained).
 */
export function cli(
  tool: Tool,
  args: string[],
  opts: { cwd?: string; as?: { uid: number; gid: number }; timeoutMs?: number; toolDir?: string } = {},
): CliResult {
  const spawnOpts: SpawnSyncOptions = {
    cwd: opts.cwd ?? os.tmpdir(),
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 60_000,
    env: { ...process.env, NODE_OPTIONS: '' },
  };
  if (opts.as) Object.assign(spawnOpts, opts.as);
  const t0 = Date.now();
  const r = spawnSync(
    process.execPath,
    [opts.toolDir ? path.join(opts.toolDir, `${tool}.js`) : toolPath(tool), ...args],
    spawnOpts,
  );
  if (r.error) throw r.error;
  return { code: r.status, signal: r.signal, stdout: String(r.stdout), stderr: String(r.stderr), ms: Date.now() - t0 };
}

/** A fresh temporary folder (removed by the caller with `removeTree`). */
export function workspace(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `pyddt-${tag}-`));
}

/** Removes a tree even where the tests made it read-only. */
export function removeTree(dir: string): void {
  if (!fs.existsSync(dir)) return;
  const open = (p: string) => {
    try {
      const st = fs.lstatSync(p);
      if (st.isSymbolicLink()) return;
      fs.chmodSync(p, st.isDirectory() ? 0o755 : 0o644);
      if (st.isDirectory()) for (const n of fs.readdirSync(p)) open(path.join(p, n));
    } catch {
      // best effort
    }
  };
  open(dir);
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Copies a folder with its files writable (the fixtures are read-only), keeping modification times. */
export function copyTreeWritable(src: string, dst: string): string {
  fs.cpSync(src, dst, { recursive: true, preserveTimestamps: true });
  const walk = (p: string) => {
    const st = fs.statSync(p);
    fs.chmodSync(p, st.isDirectory() ? 0o755 : 0o644);
    if (st.isDirectory()) for (const n of fs.readdirSync(p)) walk(path.join(p, n));
  };
  walk(dst);
  return dst;
}

/** sha256 of a file's bytes. */
export function sha(p: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');
}

/** Every file below `dir` by relative path: sha256, size and mtime (ms), or what the path is when not a folder. */
export function describeTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  let st: fs.Stats;
  try {
    st = fs.lstatSync(dir);
  } catch {
    return { '.': 'missing' };
  }
  if (!st.isDirectory()) return { '.': st.isFile() ? `${sha(dir)} ${st.size} ${st.mtimeMs.toFixed(3)}` : 'other' };
  const walk = (rel: string) => {
    for (const d of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${d.name}` : d.name;
      const p = path.join(dir, r);
      if (d.isDirectory()) {
        out[`${r}/`] = `dir ${fs.statSync(p).mode & 0o777}`;
        walk(r);
      } else if (d.isFile()) {
        const s = fs.statSync(p);
        out[r] = `${sha(p)} ${s.size} ${s.mtimeMs.toFixed(3)}`;
      } else out[r] = 'other';
    }
  };
  walk('');
  return out;
}

/** Contents only (sha256 by relative path), to compare an output with a reference made earlier. */
export function contentTree(dir: string): Record<string, string> {
  return Object.fromEntries(Object.entries(describeTree(dir)).map(([k, v]) => [k, v.split(' ')[0]]));
}

/** `copy` holds the same files as `original`, byte for byte, with modification times kept (to 2 µs: utimes takes float seconds). */
export function assertSameCopy(copy: string, original: string): void {
  const a = describeTree(copy);
  const b = describeTree(original);
  assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort(), `${copy}: not the same files as ${original}`);
  for (const k of Object.keys(b)) {
    const [hashA, sizeA, timeA] = a[k].split(' ');
    const [hashB, sizeB, timeB] = b[k].split(' ');
    assert.equal(`${hashA} ${sizeA}`, `${hashB} ${sizeB}`, `${copy}/${k} differs from the original`);
    if (timeB !== undefined && !k.endsWith('/'))
      assert.ok(
        Math.abs(Number(timeA) - Number(timeB)) <= 0.002,
        `${copy}/${k}: modification time ${timeA}, original ${timeB}`,
      );
  }
}

export interface Snapshot {
  paths: string[];
  state: Record<string, Record<string, string>>;
}

/** Byte-exact state (contents, sizes, modification times) of input files and folders. */
export function snapshot(paths: string[]): Snapshot {
  return { paths, state: Object.fromEntries(paths.map((p) => [p, describeTree(p)])) };
}

export function assertUnchanged(before: Snapshot, what = 'inputs'): void {
  for (const p of before.paths) assert.deepEqual(describeTree(p), before.state[p], `${what}: ${p} changed`);
}

/** Staging leftovers (`.pyddt-staging-*`) directly inside `dirs`. */
export function stagingLeftovers(...dirs: string[]): string[] {
  return dirs.flatMap((d) =>
    fs.existsSync(d)
      ? fs
          .readdirSync(d)
          .filter((n) => n.startsWith('.pyddt-staging-'))
          .map((n) => path.join(d, n))
      : [],
  );
}

export function assertNoStaging(...dirs: string[]): void {
  assert.deepEqual(stagingLeftovers(...dirs), [], 'staging leftovers after the command ended');
}

/**
 * A clean failure: the exit code, and exactly one line on stderr, `<tool>: error: …`, that names the
 * file (`names`: a path or a file name) and says what is wrong (`what`), with no stack trace.
 */
export function assertCleanError(tool: Tool, r: CliResult, code: 1 | 2, names: string | null, what: RegExp): void {
  const lines = r.stderr.split('\n').filter((l) => l.length);
  const context = `exit ${r.code}${r.signal ? ` (${r.signal})` : ''}; stderr:\n${r.stderr}\nstdout:\n${r.stdout}`;
  assert.equal(r.code, code, context);
  assert.doesNotMatch(
    r.stderr,
    /\n\s+at |HDF5-DIAG|internal error|Error:/,
    `no stack trace or library noise expected; ${context}`,
  );
  if (code === 2) {
    assert.match(lines[0] ?? '', new RegExp(`^usage: ${tool} `), context);
    assert.match(lines.at(-1) ?? '', new RegExp(`^${tool}: error: `), context);
    assert.match(r.stderr, what, context);
    return;
  }
  assert.equal(lines.length, 1, `exactly one line on stderr; ${context}`);
  assert.match(lines[0], new RegExp(`^${tool}: error: `), context);
  if (names !== null) assert.ok(lines[0].includes(names), `the message should name ${names}; ${context}`);
  assert.match(lines[0], what, context);
}

export interface MatrixRow {
  area: string;
  name: string;
  expected: string;
  result: string;
  ok: boolean;
}

/** The case → result table a test file prints at its end. */
export class Matrix {
  readonly rows: MatrixRow[] = [];
  constructor(readonly title: string) {}

  /** Runs one case; `check` returns the result text (e.g. the CLI's message) or throws. */
  async run(area: string, name: string, expected: string, check: () => string | Promise<string>): Promise<void> {
    try {
      const result = await check();
      this.rows.push({ area, name, expected, result, ok: true });
    } catch (err) {
      this.rows.push({
        area,
        name,
        expected,
        result: `FAILED: ${String((err as Error).message).split('\n')[0]}`,
        ok: false,
      });
      throw err;
    }
  }

  print(): void {
    const w = (k: keyof MatrixRow, max: number) =>
      Math.min(max, Math.max(...this.rows.map((r) => String(r[k]).length), k.length));
    const [a, n, e] = [w('area', 34), w('name', 50), w('expected', 30)];
    const cut = (s: string, max: number) => (s.length > max ? s.slice(0, max - 1) + '…' : s);
    const lines = [
      `\n${this.title}: ${this.rows.filter((r) => r.ok).length}/${this.rows.length} cases as expected`,
      `${'area'.padEnd(a)}  ${'case'.padEnd(n)}  ${'expected'.padEnd(e)}  result`,
      ...this.rows.map(
        (r) =>
          `${cut(r.area, a).padEnd(a)}  ${cut(r.name, n).padEnd(n)}  ${cut(r.expected, e).padEnd(e)}  ${r.ok ? '' : '✗ '}${cut(r.result, 150)}`,
      ),
    ];
    console.log(lines.join('\n'));
  }
}

/** The one stderr line without the tool prefix, for the matrix. */
export const message = (r: CliResult) => r.stderr.trim().replace(/^pyddt-\w+: error: /, '');

/** Seeded random numbers for kill delays: the same generator the fuzz test uses. */
export { rng } from '../fuzz/mutate';

/** A new workspace with writable copies of the fixture run: output/, rerun/ and run-mask.nc. */
export function fixtureWorkspace(tag: string): { ws: string; output: string; rerun: string; mask: string } {
  const ws = workspace(tag);
  const output = copyTreeWritable(fixture.original, path.join(ws, 'output'));
  const rerun = copyTreeWritable(fixture.rerun, path.join(ws, 'rerun'));
  const mask = path.join(ws, 'run-mask.nc');
  fs.copyFileSync(fixture.mask, mask);
  return { ws, output, rerun, mask };
}
