import assert from 'node:assert/strict';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { readBatchRunGrid } from '../../src/core/batch/batchGrid';
import { readBatchRunStatus } from '../../src/core/batch/batchStatus';
import { readRunStatus } from '../../src/core/runStatus';
import { cellIndex, FULL_DOMAIN_BATCHES, makeFullDomainBatchRun, makeRowSliceBatchRun } from '../helpers/batchRuns';
import { fixture, tempDir } from '../helpers/files';

describe('the status grid of a batch run (the stitched domain with each cell’s batch)', () => {
  let fullDomain: string;
  let rowSlices: string;
  before(async () => {
    fullDomain = await makeFullDomainBatchRun(path.join(tempDir('batch-grid'), 'batch-run'));
    rowSlices = await makeRowSliceBatchRun(path.join(tempDir('batch-grid-rows'), 'batch-run'), {
      rows: 12,
      neverStarted: [10],
      missing: [4],
    });
  });

  it('overlays full-domain batches: each cell from the batch whose mask enables it, counted like pyddt-batch status', async () => {
    const g = await readBatchRunGrid(fullDomain);
    const original = await readRunStatus(path.join(fixture.original, 'run_status.nc'));
    assert.equal(g.layout, 'full-domain');
    assert.deepEqual(g.grid, { rows: 10, cols: 10 });
    assert.deepEqual(g.batchNames, ['batch-3', 'batch-9', 'batch-10', 'batch-11', 'batch-12']);
    for (const spec of FULL_DOMAIN_BATCHES) {
      for (const [r, c] of spec.cells) {
        const i = cellIndex(r, c);
        assert.equal(g.batchNames[g.cellBatch[i]], `batch-${spec.number}`, `batch of (${r}, ${c})`);
        const expected = spec.from === 'never' ? -9999 : spec.from === 'original' ? original.status[i] : 100;
        assert.equal(g.status[i], expected, `status of (${r}, ${c})`);
      }
    }
    assert.equal(g.cellBatch[cellIndex(9, 9)], -1);
    assert.equal(g.status[cellIndex(9, 9)], 0);
    assert.deepEqual(g.counts, (await readBatchRunStatus(fullDomain)).totals);
  });

  it('stacks row-slice batches by number; a missing batch’s row is never written and names no batch', async () => {
    const g = await readBatchRunGrid(rowSlices);
    const original = await readRunStatus(path.join(fixture.original, 'run_status.nc'));
    assert.equal(g.layout, 'row-slices');
    assert.deepEqual(g.grid, { rows: 12, cols: 10 });
    for (let r = 0; r < 12; r++) {
      for (let c = 0; c < 10; c++) {
        const i = r * 10 + c;
        const name = g.cellBatch[i] >= 0 ? g.batchNames[g.cellBatch[i]] : undefined;
        if (r === 4) {
          assert.equal(name, undefined);
          assert.equal(g.status[i], -9999, `(${r}, ${c}) of the missing batch_4`);
          continue;
        }
        assert.equal(name, `batch_${r}`, `batch of (${r}, ${c})`);
        const fixtureValue = original.status[cellIndex(r % 10, c)];
        const expected = r === 10 && fixtureValue !== 0 ? -9999 : fixtureValue;
        assert.equal(g.status[i], expected, `status of (${r}, ${c})`);
      }
    }
    assert.deepEqual(g.counts, (await readBatchRunStatus(rowSlices)).totals);
  });
});
