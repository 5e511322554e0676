/**
 * What a crash or power loss leaves: a merged folder, a backup, a stitched folder or a new mask that has
 * its final name must hold complete files. A rename reaches the disk independently of the data of the
 * files renamed (ext4 and XFS allocate blocks late), so every file must be on disk before the staging
 * folder is renamed into place, and the rename itself must be put on disk before the command reports
 * success. A power cut cannot be staged in a test; the order of the system calls that guarantee it can:
 * each CLI runs under strace, and the log must show every published file's fdatasync (under its staging
 * path) completed before the rename, the staging folder flushed before it, and its parent after.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeFullDomainBatchRun } from '../helpers/batchRuns';
import { fixture, ncgen, repoRoot } from '../helpers/files';
import { makeWorkdir, STANDIN } from '../helpers/rerunWorkspace';
import { fixtureWorkspace, Matrix, removeTree } from './harness';

const matrix = new Matrix('Fault matrix: crash after the command returns (order of flushes and renames)');

interface Trace {
  /** Paths whose fdatasync or fsync returned 0, with the log lines where it returned. */
  flushes: Map<string, number[]>;
  /** Renames that returned 0: [from, to, line index]. */
  renames: [string, string, number][];
}

/** Runs a built CLI under strace; fails with its stderr unless it exits 0. */
function traced(tool: string, args: string[], ws: string, cwd = ws): Trace {
  const log = path.join(ws, `strace-${tool}-${Date.now()}.log`);
  const r = spawnSync(
    'strace',
    [
      '-f',
      '-qq',
      '-y',
      '-e',
      'trace=fdatasync,fsync,rename,renameat,renameat2',
      '-o',
      log,
      process.execPath,
      path.join(repoRoot, 'dist', `${tool}.js`),
      ...args,
    ],
    { cwd, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } },
  );
  if (r.error) throw new Error(`strace could not be started (Debian package strace): ${r.error.message}`);
  assert.equal(r.status, 0, `${tool} ${args.join(' ')}: ${r.stderr}`);
  return parseTrace(fs.readFileSync(log, 'utf8'));
}

/** Reads strace -f -y output, where a call another thread interrupts is split into "unfinished" and "resumed". */
function parseTrace(text: string): Trace {
  const flushes = new Map<string, number[]>();
  const renames: Trace['renames'] = [];
  const unfinished = new Map<string, string>();
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    const m = /^(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const [, pid, rest] = m;
    let call = rest;
    const resumed = /^<\.\.\. (\w+) resumed>(.*)$/.exec(rest);
    if (resumed) {
      call = (unfinished.get(pid) ?? '') + resumed[2];
      unfinished.delete(pid);
    } else if (rest.endsWith('<unfinished ...>')) {
      unfinished.set(pid, rest.slice(0, -'<unfinished ...>'.length));
      continue;
    }
    if (!/\)\s+= 0$/.test(call)) continue;
    const flush = /^f(?:data)?sync\(\d+<(.*)>/.exec(call);
    if (flush) {
      flushes.set(flush[1], [...(flushes.get(flush[1]) ?? []), i]);
      continue;
    }
    const ren = /^rename(?:at2?)?\((?:AT_FDCWD, )?"(.*?)", (?:AT_FDCWD, )?"(.*?)"/.exec(call);
    if (ren) renames.push([ren[1], ren[2], i]);
  }
  return { flushes, renames };
}

function filesUnder(dir: string, rel = ''): string[] {
  return fs
    .readdirSync(path.join(dir, rel), { withFileTypes: true })
    .flatMap((d) =>
      d.isDirectory() ? filesUnder(dir, path.join(rel, d.name)) : d.isFile() ? [path.join(rel, d.name)] : [],
    );
}

/**
 * Checks that `finalPath` (a folder, or a file when `isFile`) was published the durable way: renamed
 * from its staging path after every file in it was flushed there, and its parent flushed after the rename.
 */
function assertPublishedDurably(trace: Trace, finalPath: string, isFile = false): number {
  const rename = trace.renames.find(([, to]) => to === finalPath);
  assert.ok(rename, `no rename into ${finalPath} in the trace`);
  const [staged, , at] = rename;
  const files = isFile ? [''] : filesUnder(finalPath);
  assert.ok(files.length > 0);
  const flushed = (p: string) => trace.flushes.get(p) ?? [];
  for (const rel of files) {
    const stagedFile = rel ? path.join(staged, rel) : staged;
    assert.ok(
      flushed(stagedFile).some((line) => line < at),
      `${rel || finalPath} was not flushed to disk before it was published`,
    );
  }
  if (!isFile)
    assert.ok(
      flushed(staged).some((line) => line < at),
      `the entries of ${staged} were not flushed before the rename`,
    );
  const parent = path.dirname(finalPath);
  assert.ok(
    flushed(parent).some((line) => line > at),
    `${parent} was not flushed after the rename into it`,
  );
  return files.length;
}

describe('a published result is on disk before the command returns (strace)', () => {
  let ws: string;
  let output: string;
  let rerun: string;
  let mask: string;

  before(() => {
    ({ ws, output, rerun, mask } = fixtureWorkspace('durable'));
  });
  after(() => {
    removeTree(ws);
    matrix.print();
  });

  const expected = 'all flushed, then renamed';
  it('pyddt-merge: every merged file is flushed before the merged folder is renamed into place', () =>
    matrix.run('pyddt-merge', 'merged folder', expected, () => {
      const out = path.join(ws, 'merged');
      const n = assertPublishedDurably(traced('pyddt-merge', [output, rerun, out], ws), out);
      return `${n} files flushed before the rename`;
    }));

  it('pyddt-merge: a file patched in many small windows (flushed after the others) is on disk before the rename too', () =>
    matrix.run('pyddt-merge', 'merged folder, sparse windows', expected, () => {
      // 50×50 cells, one failed: one window per 10 KB time step, the kind of copy the merge flushes last.
      const [rows, cols, times] = [50, 50, 40];
      const sparse = path.join(ws, 'sparse');
      const side = (name: string, seed: number, status: (cell: number) => number) => {
        const dir = path.join(sparse, name);
        fs.mkdirSync(dir, { recursive: true });
        const cells = Array.from({ length: rows * cols }, (_, i) => i);
        ncgen(
          `netcdf run_status { dimensions: Y = ${rows} ; X = ${cols} ;
           variables: int run_status(Y, X) ; data: run_status = ${cells.map(status).join(', ')} ; }`,
          path.join(dir, 'run_status.nc'),
          'classic',
        );
        const values = Array.from({ length: times * rows * cols }, (_, i) => seed * 1e6 + i + 0.5);
        ncgen(
          `netcdf GPP { dimensions: time = ${times} ; y = ${rows} ; x = ${cols} ;
           variables: float GPP(time, y, x) ; data: GPP = ${values.join(', ')} ; }`,
          path.join(dir, 'GPP_monthly_tr.nc'),
          'netCDF-4',
        );
        for (const f of ['run_status.cdl', 'GPP_monthly_tr.cdl']) fs.rmSync(path.join(dir, f));
        return dir;
      };
      const salvaged = side('salvaged', 1, (i) => (i === 0 ? -100 : 100));
      const rerunDir = side('rerun', 2, (i) => (i === 0 ? 100 : 0));
      const out = path.join(sparse, 'merged');
      const n = assertPublishedDurably(traced('pyddt-merge', [salvaged, rerunDir, out], ws), out);
      return `${n} files flushed before the rename`;
    }));

  it('pyddt-salvage: the backup (the only copy once the rerun starts) and the new mask are on disk before it returns', () =>
    matrix.run('pyddt-salvage', 'backup folder and new mask', expected, () => {
      const backup = path.join(ws, 'backup');
      const newMask = path.join(ws, 'new-mask.nc');
      const trace = traced('pyddt-salvage', [output, backup, '--original-mask', mask, '--new-mask', newMask], ws);
      const n = assertPublishedDurably(trace, backup);
      assertPublishedDurably(trace, newMask, true);
      return `${n} files and the mask flushed before their renames`;
    }));

  it('pyddt-batch stitch: every stitched file is flushed before the stitched folder is renamed into place', () =>
    matrix.run('pyddt-batch stitch', 'stitched folder', expected, async () => {
      const batchDir = await makeFullDomainBatchRun(path.join(ws, 'batch-run'));
      const out = path.join(ws, 'stitched');
      const n = assertPublishedDurably(traced('pyddt-batch', ['stitch', batchDir, out], ws), out);
      return `${n} files flushed before the rename`;
    }));

  it('pyddt-rerun: the prepared rerun folder is on disk before it returns', () =>
    matrix.run('pyddt-rerun', 'rerun folder', expected, () => {
      const { workdir, runDir } = makeWorkdir(path.join(ws, 'rerun-workdir'));
      const rerunDir = path.join(workdir, 'RERUN');
      const trace = traced(
        'pyddt-rerun',
        [runDir, rerunDir, '--mask', fixture.rerunMask, '--dvmdostem', STANDIN],
        ws,
        workdir,
      );
      return `${assertPublishedDurably(trace, rerunDir)} files flushed before the rename`;
    }));
});
