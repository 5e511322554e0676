/**
 * Files that are not (valid) NetCDF, fed in every role the tools read a file in: run_status.nc of a
 * salvage, the original mask, run_status.nc of the salvaged side of a merge, and an output file inside
 * the salvaged or the rerun folder of a merge. Each case must end with exit 1 and one line naming the
 * file and what is wrong, inputs byte-identical, no backup / mask / merged folder, no staging left.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hdf5Library } from '../../src/core/netcdf/hdf5Library';
import { fixture } from '../helpers/files';
import { classicHeaderFields } from '../fuzz/mutate';
import {
  assertCleanError,
  assertNoStaging,
  assertUnchanged,
  cli,
  fixtureWorkspace,
  Matrix,
  message,
  removeTree,
  snapshot,
} from './harness';

const matrix = new Matrix('Fault matrix: bad files');

type Flavor = 'classic' | 'netcdf4' | 'other';
interface BadKind {
  name: string;
  flavor: Flavor;
  /** The bad bytes, from a good file of the flavor (classic: run_status / restart, NetCDF-4: mask / GPP output). */
  make: (good: Buffer) => Buffer;
  what: RegExp;
}

const read = (p: string) => fs.readFileSync(p);

/** A classic file with one header field (found by walking the header) set to `value`. */
function withClassicField(good: Buffer, pick: (what: string) => boolean, value: number): Buffer {
  const out = Buffer.from(good);
  const field = classicHeaderFields(good).fields.find((f) => pick(f.what));
  assert.ok(field, 'header field not found');
  if (field.width === 4) out.writeUInt32BE(value >>> 0, field.at);
  else out.writeBigUInt64BE(BigInt(value), field.at);
  return out;
}

const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('0000000d49484452000000100000001008020000009091683600000001', 'hex'),
  Buffer.alloc(64, 7),
]);
const CORRUPT = /truncated|corrupt|damaged|cannot open as NetCDF-4\/HDF5/;

const KINDS: BadKind[] = [
  {
    name: 'text file',
    flavor: 'other',
    make: () => Buffer.from('dvmdostem finished 100 cells\n'),
    what: /not a NetCDF file \(first bytes: .*"dvmdoste"\)/,
  },
  {
    name: 'zero-length file',
    flavor: 'other',
    make: () => Buffer.alloc(0),
    what: /empty file, expected a NetCDF file/,
  },
  {
    name: '4 KiB of NUL bytes',
    flavor: 'other',
    make: () => Buffer.alloc(4096),
    what: /not a NetCDF file \(first bytes: 00 00/,
  },
  {
    name: 'PNG image renamed .nc',
    flavor: 'other',
    make: () => PNG,
    what: /not a NetCDF file \(first bytes: 89 50 4e 47 .*PNG/,
  },
  // Made in before(): an HDF5 file with a plain dataset, no NetCDF-4 dimensions or conventions.
  {
    name: 'plain HDF5, not NetCDF-4',
    flavor: 'other',
    make: () => plainHdf5,
    what: /no variable "run_status"|no variable "run"|hold different variables|has dimensions .*expected \(Y, X\)/,
  },
  {
    name: 'classic, truncated in the header',
    flavor: 'classic',
    make: (g) => g.subarray(0, 40),
    what: /truncated|corrupt/,
  },
  {
    name: 'classic, truncated in the data',
    flavor: 'classic',
    make: (g) => g.subarray(0, Math.floor(g.length * 0.7)),
    what: /truncated NetCDF file \(variable .* needs \d+ bytes, the file has \d+\)/,
  },
  {
    name: 'classic, dimension length 2^31-1',
    flavor: 'classic',
    make: (g) => withClassicField(g, (w) => w === 'dimension 0 length', 0x7fffffff),
    what: /truncated NetCDF file \(variable .* needs \d+ bytes|corrupt/,
  },
  {
    name: 'classic, a 2^40-byte variable (Y = X = 2^20)',
    flavor: 'classic',
    make: (g) =>
      withClassicField(
        withClassicField(g, (w) => w === 'dimension 0 length', 2 ** 20),
        (w) => w === 'dimension 1 length',
        2 ** 20,
      ),
    what: /needs \d+ bytes, the file has \d+/,
  },
  {
    name: 'classic, data offset past the end',
    flavor: 'classic',
    make: (g) => withClassicField(g, (w) => w === 'variable 0 begin', g.length + 4096),
    what: /needs \d+ bytes, the file has \d+/,
  },
  {
    name: 'classic, data offset inside the header',
    flavor: 'classic',
    make: (g) => withClassicField(g, (w) => w === 'variable 0 begin', 8),
    what: /starts inside the header/,
  },
  {
    name: 'NetCDF-4, truncated in the superblock',
    flavor: 'netcdf4',
    make: (g) => g.subarray(0, 40),
    what: /cannot open as NetCDF-4\/HDF5/,
  },
  {
    name: 'NetCDF-4, truncated in the metadata',
    flavor: 'netcdf4',
    make: (g) => g.subarray(0, 3000),
    what: /cannot open as NetCDF-4\/HDF5 \(truncated file/,
  },
  {
    name: 'NetCDF-4, truncated in the data',
    flavor: 'netcdf4',
    make: (g) => g.subarray(0, g.length - 100),
    what: /cannot open as NetCDF-4\/HDF5 \(truncated file/,
  },
  {
    name: 'NetCDF-4, superblock root address damaged',
    flavor: 'netcdf4',
    make: (g) => {
      const b = Buffer.from(g);
      b.fill(0x77, 36, 44);
      return b;
    },
    what: CORRUPT,
  },
  {
    name: 'NetCDF-4, superblock version byte damaged',
    flavor: 'netcdf4',
    make: (g) => {
      const b = Buffer.from(g);
      b[8] = 9;
      return b;
    },
    what: CORRUPT,
  },
];
let plainHdf5: Buffer;

interface Role {
  name: string;
  tool: 'pyddt-salvage' | 'pyddt-merge';
  /** File name replaced inside a folder, or the mask. */
  file: (flavor: Flavor) => string;
  good: (flavor: Flavor) => Buffer;
}

describe('files that are not valid NetCDF, in every role', () => {
  let ws: string;
  let output: string;
  let rerun: string;
  let mask: string;
  const p = (...parts: string[]) => path.join(ws, ...parts);

  before(async () => {
    ({ ws, output, rerun, mask } = fixtureWorkspace('faults-badfiles'));
    const h5 = await hdf5Library.load();
    const f = new h5.File(p('plain.h5'), 'w');
    f.create_dataset({ name: 'data', data: Float32Array.from({ length: 12 }, (_, i) => i), shape: [3, 4] });
    f.close();
    plainHdf5 = fs.readFileSync(p('plain.h5'));
    fs.rmSync(p('plain.h5'));
  });
  after(() => {
    matrix.print();
    removeTree(ws);
  });

  const status = read(path.join(fixture.original, 'run_status.nc'));
  const restart = read(path.join(fixture.original, 'restart-tr.nc'));
  const gpp = read(path.join(fixture.original, 'GPP_monthly_tr.nc'));
  const maskBytes = read(fixture.mask);
  const outputFile = (flavor: Flavor) => (flavor === 'classic' ? 'restart-tr.nc' : 'GPP_monthly_tr.nc');
  const ROLES: Role[] = [
    {
      name: 'salvage: run_status.nc',
      tool: 'pyddt-salvage',
      file: () => path.join(output, 'run_status.nc'),
      good: (f) => (f === 'netcdf4' ? maskBytes : status),
    },
    {
      name: 'salvage: original mask',
      tool: 'pyddt-salvage',
      file: () => mask,
      good: (f) => (f === 'classic' ? status : maskBytes),
    },
    {
      name: 'merge: salvaged run_status.nc',
      tool: 'pyddt-merge',
      file: () => path.join(output, 'run_status.nc'),
      good: (f) => (f === 'netcdf4' ? maskBytes : status),
    },
    {
      name: 'merge: output file, salvaged side',
      tool: 'pyddt-merge',
      file: (f) => path.join(output, outputFile(f)),
      good: (f) => (f === 'classic' ? restart : gpp),
    },
    {
      name: 'merge: output file, rerun side',
      tool: 'pyddt-merge',
      file: (f) => path.join(rerun, outputFile(f)),
      good: (f) => (f === 'classic' ? restart : gpp),
    },
  ];

  for (const role of ROLES) {
    describe(role.name, () => {
      for (const kind of KINDS) {
        it(`${kind.name} → exit 1, one line naming the file, inputs intact, nothing written`, () =>
          matrix.run(role.name, kind.name, 'exit 1, names the file', () => {
            const target = role.file(kind.flavor);
            const original = fs.readFileSync(target);
            fs.writeFileSync(target, kind.make(role.good(kind.flavor)));
            try {
              const inputs = snapshot([output, rerun, mask]);
              const backup = p('backup');
              const newMask = p('new-mask.nc');
              const merged = p('merged');
              const r =
                role.tool === 'pyddt-salvage'
                  ? cli(role.tool, [output, backup, '--original-mask', mask, '--new-mask', newMask])
                  : cli(role.tool, [output, rerun, merged]);
              assertCleanError(role.tool, r, 1, target, kind.what);
              assertUnchanged(inputs);
              for (const x of [backup, newMask, merged])
                assert.ok(!fs.existsSync(x), `${x} must not exist after a failure`);
              assertNoStaging(ws);
              return message(r).replace(ws + path.sep, '');
            } finally {
              fs.writeFileSync(target, original);
            }
          }));
      }
    });
  }
});
