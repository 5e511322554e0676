/**
 * Tests for src/core/netcdf/hdf5Layout.ts against real files only: the dvmdostem NetCDF-4 fixtures and
 * files generated at test time with the netCDF/HDF5 command-line tools (ncgen, h5repack, h5import,
 * h5copy, h5jam). The oracle is `h5dump -p -H`, whose STORAGE_LAYOUT block gives, for every dataset,
 * CONTIGUOUS/CHUNKED/COMPACT, SIZE and OFFSET (H5Dget_offset: absolute, user block included).
 */
import { after, before, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Hdf5LayoutError } from '../../src/core/netcdf/hdf5Format';
import { type ContiguousStorage, locateRootDatasets } from '../../src/core/netcdf/hdf5Layout';

type Layouts = Map<string, ContiguousStorage | null>;

const FIXTURE_DIR = 'test/fixtures/dvmdostem-toolik-10x10';
const TOOLS = ['h5dump', 'ncgen', 'h5repack', 'h5import', 'h5copy', 'h5jam'];

/** The repository root, whether this runs from out/test/unit (tsc) or from a bundle elsewhere. */
function findRepoRoot(): string {
  for (const start of [__dirname, process.cwd()]) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      if (fs.existsSync(path.join(dir, FIXTURE_DIR))) return dir;
      if (path.dirname(dir) === dir) break;
    }
  }
  throw new Error(`cannot find ${FIXTURE_DIR} above ${__dirname} or ${process.cwd()}`);
}
const fixtures = path.join(findRepoRoot(), FIXTURE_DIR);

function haveTool(name: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    try {
      fs.accessSync(path.join(dir, name), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
const missingTools = TOOLS.filter((t) => !haveTool(t));

function run(cmd: string, args: string[], cwd?: string): string {
  return execFileSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function isHdf5(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const magic = Buffer.alloc(4);
    return fs.readSync(fd, magic, 0, 4, 0) === 4 && magic.equals(Buffer.from([0x89, 0x48, 0x44, 0x46]));
  } finally {
    fs.closeSync(fd);
  }
}

function locate(file: string): Layouts {
  const fd = fs.openSync(file, 'r');
  try {
    return locateRootDatasets(fd, fs.fstatSync(fd).size);
  } finally {
    fs.closeSync(fd);
  }
}

/** What h5dump says about every dataset directly in the root group. */
function h5dumpLayouts(file: string): Layouts {
  const text = run('h5dump', ['-B', '-p', '-H', file]);
  const userBlock = BigInt(/USERBLOCK_SIZE (\d+)/.exec(text)?.[1] ?? 'x');
  const result: Layouts = new Map();
  let current: string | undefined;
  let kind = '';
  let size = 0;
  for (const line of text.split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^ {3}DATASET "(.*)" \{$/.exec(line))) {
      current = m[1];
      kind = '';
      size = -1;
      result.set(current, null);
    } else if (/^ {0,3}\S/.test(line))
      current = undefined; // anything else at root level: a group, an attribute, ...
    else if (current === undefined) continue;
    else if ((m = /^ {9}(CONTIGUOUS|CHUNKED|COMPACT)\b/.exec(line))) kind = m[1];
    else if ((m = /^ {9}SIZE (\d+)/.exec(line))) size = Number(m[1]);
    else if ((m = /^ {9}OFFSET (\d+)$/.exec(line))) {
      // h5dump prints HADDR_UNDEF + base address, wrapped to 64 bits, for unallocated storage.
      const undefinedOffset = (BigInt(m[1]) - userBlock + 1n) % (1n << 64n) === 0n;
      if (kind === 'CONTIGUOUS' && !undefinedOffset) result.set(current, { address: Number(m[1]), size });
    }
  }
  return result;
}

function sorted(map: Layouts): Array<[string, ContiguousStorage | null]> {
  return [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function assertMatchesH5dump(file: string, minDatasets = 1): Layouts {
  const got = locate(file);
  const expected = h5dumpLayouts(file);
  assert.ok(
    expected.size >= minDatasets,
    `${file}: h5dump lists ${expected.size} datasets, expected at least ${minDatasets}`,
  );
  assert.deepEqual(sorted(got), sorted(expected), `${path.basename(file)} differs from h5dump -p -H`);
  return got;
}

function readRange(file: string, { address, size }: ContiguousStorage): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(size);
    assert.equal(fs.readSync(fd, buf, 0, size, address), size);
    return buf;
  } finally {
    fs.closeSync(fd);
  }
}

/** Raw bytes of a dataset as h5dump writes them in the file's own datatype. */
function h5dumpBytes(file: string, dataset: string, scratch: string): Buffer {
  const out = path.join(scratch, 'dataset.bin');
  run('h5dump', ['-d', dataset, '-b', 'FILE', '-o', out, file]);
  return fs.readFileSync(out);
}

/** Seeded PRNG (mulberry32), so every run fuzzes the same inputs. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------------
// Files generated at test time

function manyVariablesCdl(name: string, count: number): string {
  const lines = [`netcdf ${name} {`, 'dimensions:', '  x = 3 ;', '  y = 2 ;', 'variables:'];
  for (let i = 0; i < count; i++) lines.push(`  double v${String(i).padStart(2, '0')}(y, x) ;`);
  lines.push('data:');
  for (let i = 0; i < count; i++)
    lines.push(`  v${String(i).padStart(2, '0')} = ${[0, 1, 2, 3, 4, 5].map((j) => i * 10 + j).join(', ')} ;`);
  return `${lines.join('\n')}\n}\n`;
}

/** 2400 variables with 246-character names: ~600 KiB of link messages, enough for the fractal heap to
 *  nest a second indirect block, and for the name-index v2 B-tree to reach depth 2. */
function longNamesCdl(): string {
  const lines = ['netcdf longnames {', 'variables:'];
  for (let i = 0; i < 2400; i++) lines.push(`  byte v${String(i).padStart(4, '0')}_${'n'.repeat(240)} ;`);
  return `${lines.join('\n')}\n}\n`;
}

const CHUNKED_CDL = `netcdf chunked {
dimensions:
  time = UNLIMITED ;
  y = 4 ;
  x = 5 ;
variables:
  double zipped(time, y, x) ;
    zipped:_FillValue = -9999. ;
    zipped:_Storage = "chunked" ;
    zipped:_ChunkSizes = 1, 4, 5 ;
    zipped:_DeflateLevel = 4 ;
  int chunky(y, x) ;
    chunky:_Storage = "chunked" ;
    chunky:_ChunkSizes = 2, 5 ;
  float plain(y, x) ;
    plain:_Storage = "contiguous" ;
  int64 time(time) ;
data:
  zipped = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
           21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40 ;
  plain = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 ;
  time = 0, 1 ;
}
`;

const SCALAR_CDL = `netcdf scalar {
dimensions:
  x = 4 ;
variables:
  double pi ;
  int answer ;
  char label(x) ;
  short unwritten(x) ;
data:
  pi = 3.14159 ;
  answer = 42 ;
  label = "abcd" ;
}
`;

function h5importConfig(datasetPath: string, extra = ''): string {
  return (
    `PATH ${datasetPath}\nINPUT-CLASS TEXTFP\nRANK 2\nDIMENSION-SIZES 2 3\nOUTPUT-CLASS FP\nOUTPUT-SIZE 64\n` +
    `OUTPUT-ARCHITECTURE IEEE\nOUTPUT-BYTE-ORDER LE\n${extra}`
  );
}

/** Builds every generated file into `dir`; returns them by role. */
function generateFiles(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const ncgen = (name: string, kind: string, cdl: string): string => {
    fs.writeFileSync(path.join(dir, `${name}.cdl`), cdl);
    run('ncgen', ['-k', kind, '-o', `${name}.nc`, `${name}.cdl`], dir);
    return (files[name] = path.join(dir, `${name}.nc`));
  };
  const repack = (name: string, source: string, args: string[]): string => {
    run('h5repack', [...args, source, path.join(dir, name)]);
    return (files[name] = path.join(dir, name));
  };
  const many = ncgen('many', 'nc4', manyVariablesCdl('many', 80)); // dense links: fractal heap + v2 B-tree
  ncgen('longnames', 'nc4', longNamesCdl());
  ncgen('chunked', 'nc4', CHUNKED_CDL);
  ncgen('scalar', 'nc4', SCALAR_CDL);
  ncgen('classicModel', 'nc7', manyVariablesCdl('classicModel', 12));
  repack('early.h5', many, ['--low=0', '--high=1']); // superblock 0 (new-style groups kept)
  repack('latest.h5', many, ['-L']); // superblock 3, latest message versions
  fs.writeFileSync(path.join(dir, 'userblock.bin'), Buffer.alloc(1024, 0x55));
  repack('userblock.h5', many, ['-u', path.join(dir, 'userblock.bin'), '-b', '1024']);
  repack('compact.h5', many, ['-l', 'v00,v01:COMPA']);
  repack('mixed.h5', many, ['-f', 'v05:GZIP=1', '-l', 'v06:CHUNK=1x3']);
  repack('sharedMessages.h5', many, ['-s', '1']); // shared object header messages (SOHM table)

  // Old-style groups (superblock 0, v1 object headers, symbol table + v1 B-tree of level 1 with 200
  // entries, local heap) from h5import, which takes at most 30 inputs per call but appends to its output.
  fs.writeFileSync(path.join(dir, 'values.txt'), '1 2 3 4 5 6\n');
  const oldStyle = (files.oldStyle = path.join(dir, 'oldStyle.h5'));
  for (let batch = 0; batch < 8; batch++) {
    const args: string[] = [];
    for (let i = batch * 25; i < batch * 25 + 25; i++) {
      const zipped = i % 50 === 7 ? 'CHUNKED-DIMENSION-SIZES 1 3\nCOMPRESSION-TYPE GZIP\nCOMPRESSION-PARAM 6\n' : '';
      fs.writeFileSync(path.join(dir, `d${i}.conf`), h5importConfig(`d${String(i).padStart(3, '0')}`, zipped));
      args.push('values.txt', '-c', `d${i}.conf`);
    }
    if (batch === 0) {
      // a dataset inside a subgroup: not a root-group dataset, must not be reported
      fs.writeFileSync(path.join(dir, 'sub.conf'), h5importConfig('sub/inner'));
      args.push('values.txt', '-c', 'sub.conf');
    }
    run('h5import', [...args, '-o', oldStyle], dir);
  }
  files.oldStyleJam = path.join(dir, 'oldStyleJam.h5');
  run('h5jam', ['-i', oldStyle, '-u', path.join(dir, 'userblock.bin'), '-o', files.oldStyleJam]);
  repack('oldStyleLatest.h5', oldStyle, ['-L']); // new-style dense group without creation order

  // Old-style root group holding datasets with v2 object headers (copied from the netCDF-4 file).
  files.copied = path.join(dir, 'copied.h5');
  for (let i = 0; i < 20; i++) {
    const v = `v${String(i).padStart(2, '0')}`;
    run('h5copy', ['-f', 'noattr', '-i', many, '-o', files.copied, '-s', `/${v}`, '-d', `/copy_${v}`]);
  }
  return files;
}

// ---------------------------------------------------------------------------------------------------

describe('locateRootDatasets', () => {
  it('has the HDF5 and netCDF-C tools it checks against (apt-get install hdf5-tools netcdf-bin)', () => {
    assert.deepEqual(missingTools, []);
  });

  let scratch = '';
  let generated: Record<string, string> = {};

  before(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'hdf5Layout-'));
    generated = generateFiles(scratch);
  });
  after(() => {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  test('dvmdostem NetCDF-4 outputs agree with h5dump', () => {
    const dirs = ['original', 'rerun', 'inputs', 'rerun-mask'].map((d) => path.join(fixtures, d));
    const all = dirs.flatMap((d) =>
      fs
        .readdirSync(d)
        .filter((n) => n.endsWith('.nc'))
        .map((n) => path.join(d, n)),
    );
    const hdf5 = all.filter(isHdf5);
    assert.ok(hdf5.length >= 34, `expected the 34 NetCDF-4 fixtures, found ${hdf5.length}`);
    for (const file of hdf5) assertMatchesH5dump(file, 3);
    // The classic-format files (run_status.nc, restart-*.nc) have no HDF5 signature anywhere.
    for (const file of all.filter((f) => !isHdf5(f))) {
      assert.throws(
        () => locate(file),
        (e: unknown) => e instanceof Hdf5LayoutError && /not an HDF5 file/.test(e.message),
      );
    }
  });

  test('GPP: the located range holds exactly the bytes h5dump reads for the dataset', () => {
    const file = path.join(fixtures, 'original/GPP_monthly_tr.nc');
    const gpp = locate(file).get('GPP');
    assert.ok(gpp, 'GPP is contiguous');
    assert.equal(gpp.size, 120 * 10 * 10 * 10 * 8); // double (time, pft, y, x)
    const bytes = readRange(file, gpp);
    assert.ok(bytes.equals(h5dumpBytes(file, 'GPP', scratch)));
    // And the values decode as the model wrote them: -9999 fill in the masked cells, finite elsewhere.
    const values = Array.from({ length: bytes.length / 8 }, (_, i) => bytes.readDoubleLE(i * 8));
    assert.ok(values.includes(-9999));
    assert.ok(values.some((v) => v !== -9999 && Number.isFinite(v)));
  });

  test('80 variables (dense link storage) agree with h5dump, and every range holds its values', () => {
    const file = generated.many;
    const layouts = assertMatchesH5dump(file, 82);
    for (let i = 0; i < 80; i++) {
      const range = layouts.get(`v${String(i).padStart(2, '0')}`);
      assert.ok(range);
      const bytes = readRange(file, range);
      assert.deepEqual(
        [0, 1, 2, 3, 4, 5].map((j) => bytes.readDoubleLE(j * 8)),
        [0, 1, 2, 3, 4, 5].map((j) => i * 10 + j),
      );
    }
    assert.equal(layouts.get('x'), null); // dimension without coordinate variable: never written
  });

  test('2400 long names (nested fractal heap indirect blocks, v2 B-tree depth 2) agree with h5dump', () => {
    assertMatchesH5dump(generated.longnames, 2400);
  });

  test('chunked, deflated and contiguous variables', () => {
    const layouts = assertMatchesH5dump(generated.chunked, 4);
    assert.equal(layouts.get('zipped'), null);
    assert.equal(layouts.get('chunky'), null);
    const plain = layouts.get('plain');
    assert.ok(plain);
    assert.ok(readRange(generated.chunked, plain).equals(h5dumpBytes(generated.chunked, 'plain', scratch)));
  });

  test('scalar variables and netCDF-4 classic model', () => {
    const scalar = assertMatchesH5dump(generated.scalar, 4);
    const pi = scalar.get('pi');
    assert.ok(pi);
    assert.equal(readRange(generated.scalar, pi).readDoubleLE(0), 3.14159);
    assert.equal(scalar.get('unwritten'), null);
    assertMatchesH5dump(generated.classicModel, 12);
  });

  test('h5repack variants: superblock 0 and 3, user block, compact, filters, shared messages', () => {
    for (const name of ['early.h5', 'latest.h5', 'userblock.h5', 'compact.h5', 'mixed.h5', 'sharedMessages.h5']) {
      assertMatchesH5dump(generated[name], 82);
    }
    const ub = locate(generated['userblock.h5']).get('v03');
    assert.ok(ub && ub.address > 1024);
    assert.deepEqual(
      [0, 1, 2].map((j) => readRange(generated['userblock.h5'], ub).readDoubleLE(j * 8)),
      [30, 31, 32],
    );
    assert.equal(locate(generated['compact.h5']).get('v00'), null);
    assert.equal(locate(generated['mixed.h5']).get('v05'), null);
    assert.equal(locate(generated['mixed.h5']).get('v06'), null);
  });

  test('old-style groups: symbol table, v1 B-tree, local heap, v1 object headers', () => {
    for (const name of ['oldStyle', 'oldStyleJam', 'oldStyleLatest.h5', 'copied']) {
      const layouts = assertMatchesH5dump(generated[name], 20);
      assert.ok(!layouts.has('sub') && !layouts.has('inner'), 'groups and nested datasets are not reported');
    }
    const layouts = locate(generated.oldStyle);
    assert.equal(layouts.size, 200);
    assert.equal(layouts.get('d007'), null); // gzip-compressed
    const d042 = layouts.get('d042');
    assert.ok(d042);
    assert.ok(readRange(generated.oldStyle, d042).equals(h5dumpBytes(generated.oldStyle, 'd042', scratch)));
  });

  test('cyclic v1 B-tree (root points to itself) is rejected, not looped on', () => {
    const copy = path.join(scratch, 'cyclic.h5');
    const bytes = fs.readFileSync(generated.oldStyle);
    // The root group's B-tree is the first "TREE" node of type 0 (group) and level 1.
    let root = -1;
    for (let at = bytes.indexOf('TREE'); at >= 0; at = bytes.indexOf('TREE', at + 1)) {
      if (bytes[at + 4] === 0 && bytes[at + 5] === 1) {
        root = at;
        break;
      }
    }
    assert.ok(root > 0);
    bytes.writeBigUInt64LE(BigInt(root), root + 8 + 16 + 8); // first child, after left/right siblings and key 0
    fs.writeFileSync(copy, bytes);
    assert.throws(() => locate(copy), Hdf5LayoutError);
  });

  test(
    'empty, all-zero, truncated and randomly corrupted files: Hdf5LayoutError or a result, never a hang',
    { timeout: 120_000 },
    () => {
      const zeros = path.join(scratch, 'zeros.bin');
      for (const size of [0, 7, 8, 4096, 100_000]) {
        fs.writeFileSync(zeros, Buffer.alloc(size));
        assert.throws(() => locate(zeros), Hdf5LayoutError);
      }
      const sources = [
        path.join(fixtures, 'original/GPP_monthly_tr.nc'),
        path.join(fixtures, 'inputs/run-mask.nc'),
        generated.many,
        generated.chunked,
        generated.scalar,
        generated.oldStyle,
        generated['userblock.h5'],
        generated['latest.h5'],
        generated['sharedMessages.h5'],
        generated.copied,
      ].map((f) => fs.readFileSync(f));
      const random = prng(20240611);
      const mutated = path.join(scratch, 'mutated.bin');
      const outcomes = { ok: 0, rejected: 0 };
      for (let i = 0; i < 240; i++) {
        let bytes = Buffer.from(sources[i % sources.length]);
        const mode = i % 4;
        if (mode === 0) {
          // truncated copy
          bytes = bytes.subarray(0, Math.floor(random() * bytes.length));
        } else {
          // random bytes over the first 4 KiB (superblock, root group), or anywhere (mode 3)
          const span = mode === 3 ? bytes.length : Math.min(4096, bytes.length);
          const count = 1 + Math.floor(random() * (mode === 2 ? 64 : 8));
          for (let k = 0; k < count; k++) bytes[Math.floor(random() * span)] = Math.floor(random() * 256);
        }
        fs.writeFileSync(mutated, bytes);
        const started = Date.now();
        try {
          const result = locate(mutated);
          assert.ok(result instanceof Map);
          for (const range of result.values()) {
            if (range) assert.ok(range.address >= 0 && range.address + range.size <= bytes.length);
          }
          outcomes.ok++;
        } catch (err) {
          assert.ok(err instanceof Hdf5LayoutError, `mutation ${i}: ${String(err)}`);
          // A cause means an unguarded internal error (e.g. a RangeError) was wrapped: a parser gap.
          assert.equal(err.cause, undefined, `mutation ${i}: ${err.message}`);
          outcomes.rejected++;
        }
        assert.ok(Date.now() - started < 5000, `mutation ${i} took ${Date.now() - started} ms`);
      }
      assert.ok(outcomes.rejected > 0 && outcomes.ok + outcomes.rejected === 240);
    },
  );
});
