/**
 * Headers that claim enormous variables (2^40 values and more) in files of a few kilobytes: every
 * reader must refuse them with a UserError at once, without allocating what they claim. Deterministic
 * companions of the fuzz test's "huge-variable" mutations.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { UserError } from '../../src/core/errors';
import { readClassicHeader } from '../../src/core/netcdf/classic';
import { openNetcdf } from '../../src/core/netcdf/ncfile';
import { readRunMask } from '../../src/core/runMask';
import { readRunStatus } from '../../src/core/runStatus';
import { fixture, ncgen, repoRoot } from '../helpers/files';
import { classicHeaderFields } from './mutate';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pyddt-huge-'));
/** Memory a refused read may add: a few header buffers, nothing like what the file claims. */
const RSS_GROWTH_LIMIT = 64 * 1024 * 1024;

function setClassicField(file: string, which: string, value: bigint): void {
  const b = fs.readFileSync(file);
  const f = classicHeaderFields(b).fields.find((x) => x.what === which);
  assert.ok(f, `${which} not found in ${file}`);
  if (f.width === 4) b.writeUInt32BE(Number(value), f.at);
  else b.writeBigUInt64BE(value, f.at);
  fs.writeFileSync(file, b);
}

/** Runs every reader on `file`; each must throw a UserError matching `message`, quickly and without growing RSS. */
async function refusedEverywhere(file: string, message: RegExp): Promise<string> {
  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  const t0 = Date.now();
  const readers: [string, () => unknown][] = [
    ['readRunStatus', () => readRunStatus(file)],
    ['readRunMask', () => readRunMask(file)],
    [
      'openNetcdf+readNumbers',
      async () => {
        const nc = await openNetcdf(file);
        for (const v of nc.variables) if (v.dtype.kind !== 'char' && v.dtype.kind !== 'other') nc.readNumbers(v);
      },
    ],
  ];
  let last = '';
  for (const [name, read] of readers) {
    await assert.rejects(
      async () => read(),
      (e: unknown) => {
        assert.ok(e instanceof UserError, `${name}: ${String(e)}`);
        assert.match(e.message, message, name);
        last = e.message;
        return true;
      },
      `${name} must refuse ${path.basename(file)}`,
    );
  }
  const grew = process.memoryUsage().rss - rss0;
  assert.ok(grew < RSS_GROWTH_LIMIT, `RSS grew by ${(grew / 2 ** 20).toFixed(0)} MiB`);
  assert.ok(Date.now() - t0 < 5000, 'refusing took too long');
  return last;
}

describe('headers claiming 2^40-value variables are refused without allocating them', () => {
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it('classic (CDF-1) run_status.nc with Y = X = 2^20', async () => {
    const file = path.join(work, 'cdf1.nc');
    fs.copyFileSync(path.join(fixture.original, 'run_status.nc'), file);
    setClassicField(file, 'dimension 0 length', 1n << 20n);
    setClassicField(file, 'dimension 1 length', 1n << 20n);
    assert.throws(() => readClassicHeader(file), /run_status needs 4398046511\d+ bytes, the file has 1172/);
    console.log(
      `  CDF-1: ${await refusedEverywhere(file, /truncated NetCDF file \(variable \w+ needs \d+ bytes, the file has \d+\)/)}`,
    );
  });

  it('64-bit data (CDF-5) run_status.nc with Y = X = 2^20 in 8-byte fields', async () => {
    const file = ncgen(
      `netcdf s {\ndimensions:\n  Y = 4 ;\n  X = 5 ;\nvariables:\n  int run_status(Y, X) ;\ndata:\n  run_status = ${Array(20).fill(100).join(', ')} ;\n}\n`,
      path.join(work, 'cdf5.nc'),
      'cdf5',
    );
    setClassicField(file, 'dimension 0 length', 1n << 20n);
    setClassicField(file, 'dimension 1 length', 1n << 20n);
    console.log(`  CDF-5: ${await refusedEverywhere(file, /needs \d+ bytes, the file has \d+/)}`);
  });

  it('64-bit offset (CDF-2) file with a dimension of 2^32 - 1 and a 2^53-byte attribute', async () => {
    const file = ncgen(
      `netcdf s {\ndimensions:\n  Y = 4 ;\n  X = 5 ;\nvariables:\n  int run_status(Y, X) ;\n    run_status:note = "x" ;\ndata:\n  run_status = ${Array(20).fill(100).join(', ')} ;\n}\n`,
      path.join(work, 'cdf2.nc'),
      '64-bit offset',
    );
    setClassicField(file, 'dimension 0 length', 0xffffffffn);
    console.log(`  CDF-2 dimension: ${await refusedEverywhere(file, /needs \d+ bytes, the file has \d+/)}`);
    const attr = path.join(work, 'cdf2-attr.nc');
    fs.copyFileSync(file, attr);
    setClassicField(attr, 'dimension 0 length', 4n);
    setClassicField(attr, 'variable 0 attribute 0 length', 0xfffffff0n);
    console.log(`  CDF-2 attribute: ${await refusedEverywhere(attr, /corrupt or truncated NetCDF header/)}`);
  });

  it('NetCDF-4 (HDF5 1.8 format, no checksums) mask whose dataspaces claim 2^20 × 2^20', async () => {
    const file = path.join(work, 'hdf5.nc');
    const b = fs.readFileSync(
      path.join(repoRoot, 'test', 'fixtures', 'fuzz-regressions', 'valid-source-run-mask-hdf5-1.8-format.nc'),
    );
    // Every pair of consecutive 8-byte little-endian 10s (the (10, 10) dimensions and maximum dimensions).
    let changed = 0;
    for (let at = 0; at + 16 <= b.length; at++) {
      if (b.readBigUInt64LE(at) === 10n && b.readBigUInt64LE(at + 8) === 10n) {
        b.writeBigUInt64LE(1n << 20n, at);
        b.writeBigUInt64LE(1n << 20n, at + 8);
        changed++;
        at += 15;
      }
    }
    assert.ok(changed >= 2, `found ${changed} dataspaces to enlarge`);
    fs.writeFileSync(file, b);
    console.log(
      `  NetCDF-4: ${await refusedEverywhere(file, /too many to read at once|cannot read variable|cannot open|damaged|no variable "run_status"/)}`,
    );
  });
});

/**
 * A classic (CDF-1) header listing `nvars` one-byte record variables of dimension `time`, with
 * numrecs = STREAMING (0xFFFFFFFF: "count the records from the file size", as a writer still streaming
 * leaves it), followed by `records` records. Built byte by byte after the format spec: ncgen takes
 * minutes for this many variables.
 */
function manyRecordVariables(nvars: number, records: number): Buffer {
  const parts: Buffer[] = [];
  const u32 = (v: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v);
    parts.push(b);
  };
  const name = (s: string) => {
    u32(s.length);
    parts.push(Buffer.from(s.padEnd(Math.ceil(s.length / 4) * 4, '\0'), 'latin1'));
  };
  parts.push(Buffer.from('CDF\x01', 'latin1'));
  u32(0xffffffff); // numrecs: STREAMING
  u32(0x0a);
  u32(1);
  name('time');
  u32(0); // dim_list: time = UNLIMITED
  u32(0);
  u32(0); // gatt_list: ABSENT
  u32(0x0b);
  u32(nvars); // var_list
  const entries: { beginAt: number }[] = [];
  let size = parts.reduce((n, p) => n + p.length, 0);
  for (let i = 0; i < nvars; i++) {
    const before = parts.length;
    name(`v${i}`);
    u32(1);
    u32(0); // one dimension: time
    u32(0);
    u32(0); // vatt_list: ABSENT
    u32(1); // NC_BYTE
    u32(4); // vsize: one byte, padded
    u32(0); // begin: set below
    for (let k = before; k < parts.length - 1; k++) size += parts[k].length;
    entries.push({ beginAt: size });
    size += 4;
  }
  const header = Buffer.concat(parts);
  entries.forEach((e, i) => header.writeUInt32BE(header.length + 4 * i, e.beginAt));
  return Buffer.concat([header, Buffer.alloc(records * nvars * 4, 7)]);
}

describe('a header listing 150,000 record variables of a streaming file', () => {
  it('is read without running out of stack: every variable, records counted from the file size', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pyddt-many-vars-'));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'many-record-variables.nc');
    fs.writeFileSync(file, manyRecordVariables(150_000, 2));
    const header = readClassicHeader(file);
    assert.equal(header.variables.length, 150_000);
    assert.equal(header.numrecs, 2);
    assert.deepEqual(header.variables[149_999].shape, [2]);
    // Not a run_status.nc: the readers say so cleanly.
    await assert.rejects(readRunStatus(file), (e: unknown) => e instanceof UserError && /run_status/.test(e.message));
  });
});
