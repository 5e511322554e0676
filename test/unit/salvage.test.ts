import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it, before } from 'node:test';
import { readRunMask } from '../../src/core/runMask';
import { planSalvage, salvageRun } from '../../src/core/salvage';
import { UserError } from '../../src/core/errors';
import { detectFormat } from '../../src/core/netcdf/format';
import {
  assertCopyOf,
  fixture,
  FIXTURE_FAILED_CELLS,
  hashFile,
  hashTree,
  hasTool,
  ncdump,
  ncgen,
  tempDir,
} from '../helpers/files';
import { readAllVariables } from '../helpers/values';

describe('salvage of the real dvmdostem fixture', () => {
  let work: string;
  let plan: Awaited<ReturnType<typeof salvageRun>>;
  const before_ = { original: hashTree(fixture.original), mask: hashFile(fixture.mask) };

  before(async () => {
    work = tempDir('salvage');
    plan = await salvageRun({
      outputDir: fixture.original,
      backupDir: path.join(work, 'backup'),
      originalMask: fixture.mask,
      newMask: path.join(work, 'run-mask-failed.nc'),
    });
  });

  it('finds exactly the failed and timed-out cells enabled in the original mask', () => {
    assert.deepEqual(
      plan.failedCells.map((c) => [c.row, c.col]),
      FIXTURE_FAILED_CELLS,
    );
    assert.deepEqual(
      plan.failedCells.map((c) => c.state),
      ['fail', 'fail', 'timeout', 'timeout'],
    );
    assert.equal(plan.enabledCells, 10);
    assert.equal(plan.successfulCells, 6);
  });

  it('makes a full, byte-identical backup with modification times kept', () => {
    assertCopyOf(path.join(work, 'backup'), fixture.original);
  });

  it('writes a mask enabling exactly the failed cells', async () => {
    const mask = await readRunMask(path.join(work, 'run-mask-failed.nc'));
    const enabled = [...mask.enabled.entries()].filter(([, v]) => v).map(([i]) => [Math.floor(i / 10), i % 10]);
    assert.deepEqual(enabled, FIXTURE_FAILED_CELLS);
  });

  it('keeps everything else of the original mask: format, int64 type, lat/lon, attributes', async () => {
    const newMask = path.join(work, 'run-mask-failed.nc');
    assert.equal(detectFormat(newMask), 'netcdf4');
    const [a, b] = await Promise.all([readAllVariables(fixture.mask), readAllVariables(newMask)]);
    assert.deepEqual([...b.keys()], [...a.keys()]);
    for (const [name, v] of a) {
      if (name === 'run') assert.equal(b.get(name)!.elementSize, 8, 'run stays int64');
      else assert.deepEqual(b.get(name)!.bytes, v.bytes, name);
    }
    if (hasTool('ncdump')) {
      const header = (p: string) => ncdump(p, '-h').replace(/^netcdf .*\{/, '');
      assert.equal(header(newMask), header(fixture.mask));
    }
  });

  it('never modifies its inputs', () => {
    assert.deepEqual(hashTree(fixture.original), before_.original);
    assert.equal(hashFile(fixture.mask), before_.mask);
  });

  it('refuses an existing backup folder and an existing new mask', async () => {
    const opts = {
      outputDir: fixture.original,
      backupDir: path.join(work, 'backup'),
      originalMask: fixture.mask,
      newMask: path.join(work, 'other.nc'),
    };
    await assert.rejects(
      planSalvage(opts),
      (e: Error) => e instanceof UserError && /Backup directory already exists/.test(e.message),
    );
    await assert.rejects(
      planSalvage({ ...opts, backupDir: path.join(work, 'backup2'), newMask: path.join(work, 'run-mask-failed.nc') }),
      /already exists \(use --force/,
    );
    await assert.doesNotReject(
      planSalvage({
        ...opts,
        backupDir: path.join(work, 'backup2'),
        newMask: path.join(work, 'run-mask-failed.nc'),
        force: true,
      }),
    );
  });

  it('refuses a mask whose grid differs from run_status', async () => {
    const other = path.join(work, 'small-mask.nc');
    ncgen(
      'netcdf m { dimensions: Y = 3 ; X = 4 ; variables: int run(Y, X) ; data: run = 1,1,1,1, 1,1,1,1, 1,1,1,1 ; }',
      other,
      'classic',
    );
    await assert.rejects(
      planSalvage({
        outputDir: fixture.original,
        backupDir: path.join(work, 'b3'),
        originalMask: other,
        newMask: path.join(work, 'n3.nc'),
      }),
      /small-mask\.nc: the mask's grid is 3 rows × 4 columns, but .*run_status\.nc is 10 rows × 10 columns/,
    );
  });
});
