import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateGridData } from '../../src/shared/validate';
import { cellTooltip } from '../../webview/cellInfo';

/** A batch run's grid message: the batch of each cell crosses to the webview and shows in the hover. */
const grid = (batches?: unknown): Record<string, unknown> => ({
  runName: 'regionA',
  runFolder: '/runs/regionA',
  runStatusPath: '/runs/regionA',
  format: 'full-domain',
  mtimeMs: 0,
  rows: 1,
  cols: 3,
  status: Int32Array.of(100, -100, 0),
  runtime: null,
  lat: null,
  lon: null,
  counts: { success: 1, fail: 1, timeout: 0, masked: 1, unwritten: 0, other: 0 },
  cellTimelimit: null,
  ...(batches === undefined ? {} : { batches }),
});

describe('the batch of a cell in the grid message and the hover', () => {
  it('is validated and named in the tooltip; a cell from no batch names none', () => {
    const checked = validateGridData(grid({ names: ['batch-3', 'batch-10'], cell: Int32Array.of(0, 1, -1) }));
    assert.ok(checked.ok, checked.ok ? '' : checked.reason);
    assert.equal(cellTooltip(checked.value, 0, 1), 'row 0, col 1 · failed (-100) · runtime — · batch-10');
    assert.equal(cellTooltip(checked.value, 0, 2), 'row 0, col 2 · masked / not run (0) · runtime —');
  });

  it('a run folder’s grid has no batches and its tooltip is unchanged', () => {
    const checked = validateGridData(grid());
    assert.ok(checked.ok);
    assert.equal(checked.value.batches, undefined);
    assert.equal(cellTooltip(checked.value, 0, 0), 'row 0, col 0 · success (100) · runtime —');
  });

  it('rejects batch indices out of range and arrays of the wrong size', () => {
    const bad = validateGridData(grid({ names: ['batch-3'], cell: Int32Array.of(0, 1, -1) }));
    assert.equal(bad.ok, false);
    const short = validateGridData(grid({ names: ['batch-3'], cell: Int32Array.of(0) }));
    assert.equal(short.ok, false);
    const names = validateGridData(grid({ names: [3], cell: Int32Array.of(0, 0, 0) }));
    assert.equal(names.ok, false);
  });
});
