import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { findBatchRun } from '../../src/core/batch/batchRun';
import { readBatchRunStatus } from '../../src/core/batch/batchStatus';
import { batchCli, makeFullDomainBatchRun, makeRowSliceBatchRun } from '../helpers/batchRuns';
import { hashTree, tempDir } from '../helpers/files';

/** What `pyddt-batch status --json` prints. */
interface StatusJson {
  layout: string;
  grid: { rows: number; cols: number };
  complete: boolean;
  totals: Record<string, number>;
  batches: ({ name: string; state: string } & Record<string, number | string>)[];
}

describe('pyddt-batch status of a full-domain batch run built from the fixture', () => {
  let dir: string;
  before(async () => {
    dir = await makeFullDomainBatchRun(path.join(tempDir('batch-status'), 'batch-run'));
  });

  it('finds the batches sorted by number, not by name', () => {
    const run = findBatchRun(dir);
    assert.equal(run.layout, 'full-domain');
    assert.deepEqual(
      run.batches.map((b) => b.name),
      ['batch-3', 'batch-9', 'batch-10', 'batch-11', 'batch-12'],
    );
    assert.equal(run.batches[0].maskPath, path.join(dir, 'batch-3', 'run-mask.nc'));
  });

  it("counts each batch's enabled cells, a batch that never started as never written, the domain once per cell", async () => {
    const s = await readBatchRunStatus(dir);
    assert.deepEqual(s.grid, { rows: 10, cols: 10 });
    const byName = Object.fromEntries(s.batches.map((b) => [b.name, b]));
    assert.equal(byName['batch-3'].state, 'complete');
    assert.equal(byName['batch-9'].state, 'complete');
    assert.equal(byName['batch-10'].state, 'failures');
    assert.deepEqual(byName['batch-10'].counts, { success: 2, fail: 1, timeout: 0, masked: 0, unwritten: 0, other: 0 });
    assert.deepEqual(byName['batch-12'].counts, { success: 0, fail: 1, timeout: 2, masked: 0, unwritten: 0, other: 0 });
    assert.equal(byName['batch-11'].state, 'not-started');
    assert.deepEqual(byName['batch-11'].counts, { success: 0, fail: 0, timeout: 0, masked: 0, unwritten: 2, other: 0 });
    assert.deepEqual(s.totals, { success: 6, fail: 2, timeout: 2, masked: 88, unwritten: 2, other: 0 });
    assert.equal(s.complete, false);
  });

  it('prints a table and exits 1 while cells are not done; --json has the agreed keys', () => {
    const t = batchCli(['status', dir]);
    assert.equal(t.code, 1, t.stderr);
    assert.equal(t.stderr, '');
    assert.match(t.stdout, /^batch-10 +2 +1 +0 +0 +0 +failures$/m);
    assert.match(t.stdout, /^batch-11 +0 +0 +0 +2 +0 +not started$/m);
    assert.match(t.stdout, /^total +6 +2 +2 +2 +0 +incomplete \(88 cells masked/m);
    const j = batchCli(['status', dir, '--json']);
    assert.equal(j.code, 1);
    const obj = JSON.parse(j.stdout) as StatusJson;
    assert.equal(obj.layout, 'full-domain');
    assert.deepEqual(obj.grid, { rows: 10, cols: 10 });
    assert.equal(obj.complete, false);
    assert.deepEqual(obj.totals, { success: 6, fail: 2, timeout: 2, masked: 88, unwritten: 2, other: 0 });
    assert.deepEqual(
      obj.batches.map((b) => `${b.name} ${b.state}`),
      ['batch-3 complete', 'batch-9 complete', 'batch-10 failures', 'batch-11 not-started', 'batch-12 failures'],
    );
    assert.equal(obj.batches[2].fail, 1);
  });

  it('exits 0 when every enabled cell of every batch succeeded, and reads without writing', async () => {
    const ok = await makeFullDomainBatchRun(path.join(tempDir('batch-status-ok'), 'batch-run'), [
      {
        number: 1,
        cells: [
          [0, 0],
          [2, 7],
        ],
        from: 'clean',
      },
      { number: 2, cells: [[9, 6]], from: 'clean' },
    ]);
    const before = hashTree(ok);
    const r = batchCli(['status', ok]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^total +3 +0 +0 +0 +0 +complete/m);
    assert.deepEqual(hashTree(ok), before);
  });

  it('names the batch when its config is missing, and rejects a folder without batches (exit 1), a bad subcommand (exit 2)', () => {
    const copy = path.join(tempDir('batch-noconfig'), 'run');
    fs.cpSync(dir, copy, { recursive: true });
    fs.renameSync(path.join(copy, 'batch-9', 'config.js'), path.join(copy, 'batch-9', 'config.js.old'));
    const r = batchCli(['status', copy]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^pyddt-batch status: error: batch-9: batch has no config \(expected .*batch-9\/config\.js\)\n$/,
    );
    const empty = batchCli(['status', tempDir('no-batches')]);
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /no batch folders/);
    assert.equal(batchCli(['stats', dir]).code, 2);
    assert.equal(batchCli([]).code, 2);
  });
});

describe('pyddt-batch status of a row-slice batch run (bp batch split layout)', () => {
  it('stacks the rows by batch number; a batch without run_status.nc and a missing row are never written', async () => {
    const dir = await makeRowSliceBatchRun(path.join(tempDir('batch-rows'), 'batch-run'), {
      rows: 12,
      neverStarted: [9],
      missing: [4],
    });
    const s = await readBatchRunStatus(dir);
    assert.equal(s.layout, 'row-slices');
    assert.deepEqual(s.grid, { rows: 12, cols: 10 });
    assert.deepEqual(
      s.batches.map((b) => b.number),
      [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11],
    );
    const b9 = s.batches.find((b) => b.name === 'batch_9')!;
    assert.equal(b9.state, 'not-started');
    assert.equal(b9.counts.unwritten, 1);
    const b1 = s.batches.find((b) => b.name === 'batch_1')!;
    assert.deepEqual(b1.counts, { success: 0, fail: 1, timeout: 0, masked: 0, unwritten: 0, other: 0 });
    // Rows 10 and 11 repeat rows 0 and 1: 2 + 1 more cells. Row 4 (one success) has no batch: 10 never written.
    assert.deepEqual(s.totals, {
      success: 5 + 2,
      fail: 2 + 1,
      timeout: 1,
      masked: 120 - 7 - 3 - 1 - 11,
      unwritten: 1 + 10,
      other: 0,
    });
    assert.match(s.warnings.join('\n'), /rows without a batch folder \(counted as never written\): 4/);
    const r = batchCli(['status', dir, '--json']);
    assert.equal(r.code, 1);
    assert.equal((JSON.parse(r.stdout) as StatusJson).layout, 'row-slices');
  });
});
