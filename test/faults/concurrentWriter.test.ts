/**
 * run_status.nc rewritten by a running dvmdostem while the tools read it (the runs tree follows a
 * running batch live). A writer process rewrites run_status.nc in a loop — in place, cell by cell as
 * dvmdostem does; truncated and rewritten; written to a temporary file and renamed — while it is read
 * over and over. Both formats dvmdostem writes: classic (serial build), read by readRunStatus in this
 * process; NetCDF-4 (MPI build), read the way the runs tree and the grid read it, through the
 * extension's reading worker (dist/coreWorker.js), which replaces itself if the HDF5 library can no
 * longer be trusted. Every read must return a grid whose values are ones the writer wrote (for the
 * whole-file writers: exactly one version of the file) or a UserError; none may crash; and once the
 * writer is done, a read shows its final state.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { UserError } from '../../src/core/errors';
import { readClassicHeader } from '../../src/core/netcdf/classic';
import { readRunStatus, type RunStatus } from '../../src/core/runStatus';
import { CoreWorker } from '../../src/extension/coreClient';
import { fixture, repoRoot, tempDir } from '../helpers/files';
import { Matrix, removeTree, workspace } from './harness';

const matrix = new Matrix('Fault matrix: run_status.nc rewritten while it is read');
/** The writer keeps rewriting until the reader has read this many times and this long. */
const MIN_READS = 100;
const WRITE_MS = Number(process.env.REWRITE_MS ?? 1500);

type Mode = 'in-place' | 'truncate' | 'rename';
const MODES: [Mode, string][] = [
  ['in-place', 'rewritten in place, cell by cell (as dvmdostem does)'],
  ['truncate', 'truncated and rewritten (O_TRUNC, then one write)'],
  ['rename', 'written to a temporary file, then renamed over it'],
];

/** The writer: alternates versions A and B until the time is up, then writes C, the final state. */
const WRITER = `
const fs = require('fs');
const [target, mode, stopFile, a, b, c, statusAt, runtimeAt, cells] = process.argv.slice(1);
const versions = [a, b, c].map((x) => Buffer.from(x, 'base64'));
const S = Number(statusAt), R = Number(runtimeAt), N = Number(cells);
function write(buf) {
  if (mode === 'truncate') fs.writeFileSync(target, buf);
  else if (mode === 'rename') { fs.writeFileSync(target + '.tmp', buf); fs.renameSync(target + '.tmp', target); }
  else {
    const fd = fs.openSync(target, 'r+');
    for (let i = 0; i < N; i++) {
      fs.writeSync(fd, buf, S + 4 * i, 4, S + 4 * i);
      fs.writeSync(fd, buf, R + 4 * i, 4, R + 4 * i);
    }
    fs.closeSync(fd);
  }
}
const end = Date.now() + 120000; // the reader says when to stop (stopFile); this only ends a lost run
let k = 0;
while (Date.now() < end && !fs.existsSync(stopFile)) write(versions[k++ % 2]);
write(versions[2]);
process.stdout.write(String(k));
`;

/** A run_status.nc as dvmdostem writes it, and where its two variables' int32 values lie. */
interface Flavor {
  name: string;
  bytes: Buffer;
  statusAt: number;
  runtimeAt: number;
  write32(b: Buffer, v: number, at: number): void;
  read32(b: Buffer, at: number): number;
}

function classicFlavor(): Flavor {
  const header = readClassicHeader(path.join(fixture.original, 'run_status.nc'));
  const at = (name: string) => header.variables.find((v) => v.name === name)!.begin;
  return {
    name: 'classic',
    bytes: fs.readFileSync(path.join(fixture.original, 'run_status.nc')),
    statusAt: at('run_status'),
    runtimeAt: at('total_runtime'),
    write32: (b, v, o) => b.writeInt32BE(v, o),
    read32: (b, o) => b.readInt32BE(o),
  };
}

/**
 * The fixture's run_status.nc converted to NetCDF-4 by netCDF-C (nccopy), as an MPI build writes it;
 * the offsets of its contiguous datasets come from h5dump (H5Dget_offset), not from our reader.
 */
function netcdf4Flavor(): Flavor {
  const file = path.join(tempDir('rewrite-nc4'), 'run_status.nc');
  execFileSync('nccopy', ['-k', 'nc4', path.join(fixture.original, 'run_status.nc'), file]);
  const dump = execFileSync('h5dump', ['-p', '-H', file], { encoding: 'utf8' });
  const at = (name: string) => {
    const m = new RegExp(
      `DATASET "${name}" \\{\\s*DATATYPE\\s+H5T_STD_I32LE[\\s\\S]*?CONTIGUOUS\\s+SIZE 400\\s+OFFSET (\\d+)`,
    ).exec(dump);
    assert.ok(m, `h5dump shows no contiguous int32 little-endian ${name} of 400 bytes in ${file}:\n${dump}`);
    return Number(m[1]);
  };
  return {
    name: 'NetCDF-4',
    bytes: fs.readFileSync(file),
    statusAt: at('run_status'),
    runtimeAt: at('total_runtime'),
    write32: (b, v, o) => b.writeInt32LE(v, o),
    read32: (b, o) => b.readInt32LE(o),
  };
}

after(() => matrix.print());

for (const flavor of [classicFlavor(), netcdf4Flavor()])
  describe(`run_status.nc (${flavor.name}) rewritten while it is read`, () => {
    let ws: string;
    const original = flavor.bytes;
    const cells = 100;
    /** A copy of the file with other values written into both variables. */
    const version = (status: (i: number) => number, runtime: (i: number) => number) => {
      const b = Buffer.from(original);
      for (let i = 0; i < cells; i++) {
        flavor.write32(b, status(i), flavor.statusAt + 4 * i);
        flavor.write32(b, runtime(i), flavor.runtimeAt + 4 * i);
      }
      return b;
    };
    const A = original;
    const B = version(
      () => 100,
      (i) => 7 + (i % 5),
    );
    const C = version(
      (i) => (i % 2 ? 100 : -5),
      (i) => (i % 2 ? i : -9999),
    );
    const decode = (buf: Buffer, at: number) => Array.from({ length: cells }, (_, i) => flavor.read32(buf, at + 4 * i));
    const asRead = (buf: Buffer) => ({
      status: decode(buf, flavor.statusAt),
      runtime: decode(buf, flavor.runtimeAt).map((v) => (v === -9999 ? NaN : v)),
    });
    const VERSIONS = { A: asRead(A), B: asRead(B), C: asRead(C) };
    const same = (x: ArrayLike<number>, y: number[]) => x.length === y.length && y.every((v, i) => Object.is(v, x[i]));
    // Classic: the core in this process. NetCDF-4: the extension's reading worker, as the tree reads.
    const worker =
      flavor.name === 'classic'
        ? undefined
        : new CoreWorker(path.join(repoRoot, 'dist', 'coreWorker.js'), { debug: () => {}, warn: () => {} });
    const read = (p: string): Promise<RunStatus> =>
      worker ? worker.call('readRunStatus', { path: p }) : readRunStatus(p);

    before(() => {
      ws = workspace('faults-rewrite');
    });
    after(() => {
      worker?.dispose();
      removeTree(ws);
    });

    for (const [mode, description] of MODES) {
      it(`${description}: every read is consistent or a UserError, never a crash; the final state shows`, () =>
        matrix.run(`${flavor.name}, ${mode}`, description, 'consistent or UserError', async () => {
          const dir = path.join(ws, mode);
          fs.mkdirSync(dir);
          const target = path.join(dir, 'run_status.nc');
          fs.writeFileSync(target, A);
          const stopFile = path.join(dir, 'stop');
          const started = Date.now();
          const writer = spawn(
            process.execPath,
            [
              '-e',
              WRITER,
              target,
              mode,
              stopFile,
              A.toString('base64'),
              B.toString('base64'),
              C.toString('base64'),
              String(flavor.statusAt),
              String(flavor.runtimeAt),
              String(cells),
            ],
            { stdio: ['ignore', 'pipe', 'inherit'] },
          );
          let rewrites = '';
          writer.stdout.on('data', (d) => (rewrites += d));
          let running = true;
          const exited = new Promise<number | null>((resolve) =>
            writer.on('exit', (code) => {
              running = false;
              resolve(code);
            }),
          );
          const seen: Record<string, number> = { A: 0, B: 0, C: 0, mixed: 0 };
          const errors = new Map<string, number>();
          let reads = 0;
          const check = (rs: RunStatus): void => {
            assert.deepEqual(rs.grid, { rows: 10, cols: 10 });
            const exact = (Object.entries(VERSIONS) as [string, { status: number[]; runtime: number[] }][]).find(
              ([, v]) => same(rs.status, v.status) && rs.runtime && same(rs.runtime, v.runtime),
            );
            if (exact) {
              seen[exact[0]]++;
              return;
            }
            // A cell-by-cell writer shows states between versions: every value must still be one it wrote there.
            assert.equal(mode, 'in-place', `a ${mode} rewrite was read as a mix of versions`);
            for (let i = 0; i < cells; i++) {
              assert.ok(
                [VERSIONS.A, VERSIONS.B, VERSIONS.C].some((v) => Object.is(v.status[i], rs.status[i])),
                `cell ${i}: run_status ${rs.status[i]} was never written`,
              );
              assert.ok(
                [VERSIONS.A, VERSIONS.B, VERSIONS.C].some((v) => Object.is(v.runtime[i], rs.runtime![i])),
                `cell ${i}: total_runtime ${rs.runtime![i]} was never written`,
              );
            }
            seen.mixed++;
          };
          while (running) {
            reads++;
            if (reads >= MIN_READS && Date.now() - started >= WRITE_MS && !fs.existsSync(stopFile))
              fs.writeFileSync(stopFile, '');
            try {
              check(await read(target));
            } catch (err) {
              if (!(err instanceof UserError)) throw err;
              const key = err.message.replace(target, 'run_status.nc').replace(/\d+/g, 'N');
              errors.set(key, (errors.get(key) ?? 0) + 1);
            }
            // Let the writer's exit be noticed: reading a classic file never waits on I/O events.
            await new Promise((resolve) => setImmediate(resolve));
          }
          assert.equal(await exited, 0, 'the writer failed');
          const final = await read(target);
          assert.ok(
            same(final.status, VERSIONS.C.status) && same(final.runtime!, VERSIONS.C.runtime),
            'after the writer is done, the read shows its final state',
          );
          assert.ok(
            fs.existsSync(stopFile) && reads >= MIN_READS,
            `only ${reads} reads overlapped the writer (it stopped by itself after 120 s)`,
          );
          const userErrors = [...errors.values()].reduce((a, b) => a + b, 0);
          const top = [...errors.entries()]
            .sort((a, b) => b[1] - a[1])
            .slice(0, 3)
            .map(([m, n]) => `${n}× "${m.slice(0, 70)}"`)
            .join('; ');
          const fresh = worker ? ` (${worker.started} reading worker${worker.started === 1 ? '' : 's'})` : '';
          return `${reads} reads${fresh} during ${rewrites} rewrites: ${seen.A + seen.B + seen.C} whole versions (A ${seen.A}, B ${seen.B}, C ${seen.C}), ${seen.mixed} cell-wise states, ${userErrors} UserErrors${top ? ` (${top})` : ''}; final read = final state`;
        }));
    }
  });
