// The runtime histogram, the run records it marks (cell_timelimit) and the failed-cells CSV, on the
// real fixture run (its run_status.nc, run-mask.nc, config_record.js and fail_log.txt).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { csvField, failedCellsCsv } from '../../src/core/failedCellsCsv';
import { readRunMask } from '../../src/core/runMask';
import { cellTimelimitOf, readRunRecords } from '../../src/core/runRecords';
import { readRunStatus } from '../../src/core/runStatus';
import { writeFileStaged } from '../../src/core/staging';
import { validateFromWebviewBody, validateGridData } from '../../src/shared/validate';
import { histogramCaption, runtimeHistogram } from '../../webview/histogram';
import { fixture, FIXTURE_FAILED_CELLS, tempDir } from '../helpers/files';

describe('run records', () => {
  it('reads cell_timelimit from config_record.js (JSON with comments) and the reasons from fail_log.txt', async () => {
    const r = await readRunRecords(fixture.original);
    assert.equal(r.cellTimelimit, 61);
    assert.deepEqual(
      r.failReasons.map((f) => [f.row, f.col]),
      [
        [1, 2],
        [6, 4],
      ],
    );
    assert.match(r.failReasons[0].message, /initial parameter files/);
    assert.deepEqual(r.notes, []);
  });

  it('no config_record.js: no limit, and a note naming the file', async () => {
    const dir = tempDir('records');
    const r = await readRunRecords(dir);
    assert.equal(r.cellTimelimit, null);
    assert.deepEqual(r.failReasons, []);
    assert.match(
      r.notes.join('\n'),
      new RegExp(`${path.join(dir, 'config_record.js').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*not found`),
    );
  });

  it('cell_timelimit 0 means no limit', () => {
    assert.equal(cellTimelimitOf({ config: { model_settings: { cell_timelimit: 0 } } }), null);
    assert.equal(cellTimelimitOf({ config: { model_settings: { cell_timelimit: 3600 } } }), 3600);
    assert.equal(cellTimelimitOf({ config: {} }), null);
  });
});

describe('runtime histogram', () => {
  it('bins only successful cells, from 0 s to the limit when the limit is beyond the slowest cell', async () => {
    const s = await readRunStatus(path.join(fixture.original, 'run_status.nc'));
    const status = Int32Array.from(s.status);
    const h = runtimeHistogram(status, Float32Array.from(s.runtime!), 61, 20)!;
    assert.equal(h.cells, s.counts.success);
    assert.equal(
      h.counts.reduce((a, b) => a + b, 0),
      s.counts.success,
    );
    assert.equal(h.hi, 61);
    assert.equal(h.slowest, 40);
    // Runtimes 2, 3, 3, 3, 8, 40 s; bins of 3.05 s.
    assert.equal(h.counts[0], 4);
    assert.equal(h.counts[2], 1);
    assert.equal(h.counts[13], 1);
    assert.equal(h.counts.filter((n) => n > 0).length, 3);
    assert.equal(histogramCaption(h), '6 successful cells · slowest 40 s · limit 61 s');
  });

  it('without a limit the axis ends at the slowest cell, which lands in the last bin', () => {
    const h = runtimeHistogram(Int32Array.of(100, 100, -5, 100), Float32Array.of(10, 20, 500, NaN), null, 4)!;
    assert.deepEqual(h.counts, [0, 0, 1, 1]);
    assert.equal(h.hi, 20);
    assert.equal(h.cells, 2, 'the timed-out cell and the cell without runtime are not counted');
    assert.match(histogramCaption(h), /no cell_timelimit/);
  });

  it('no successful cell with a runtime: no histogram', () => {
    assert.equal(runtimeHistogram(Int32Array.of(-100, 0), Float32Array.of(5, 6), 10), null);
  });

  it('the grid payload carries the limit; a bad limit is refused', () => {
    const grid = {
      runName: 'r',
      runFolder: '/r',
      runStatusPath: '/r/run_status.nc',
      format: 'classic',
      mtimeMs: 1,
      rows: 1,
      cols: 2,
      status: Int32Array.of(100, -5),
      runtime: Float32Array.of(1, NaN),
      lat: null,
      lon: null,
      counts: { success: 1, fail: 0, timeout: 1, masked: 0, unwritten: 0, other: 0 },
      cellTimelimit: 61,
    };
    const ok = validateGridData(grid);
    assert.ok(ok.ok && ok.value.cellTimelimit === 61);
    assert.ok(!validateGridData({ ...grid, cellTimelimit: -1 }).ok);
    assert.ok(!validateGridData({ ...grid, cellTimelimit: '61' }).ok);
  });
});

describe('failed cells CSV', () => {
  it('one line per cell that did not succeed, with lat/lon from the run-mask and the reason from fail_log.txt', async () => {
    const s = await readRunStatus(path.join(fixture.original, 'run_status.nc'));
    const mask = await readRunMask(fixture.mask);
    const records = await readRunRecords(fixture.original);
    const { csv, cells } = failedCellsCsv({
      rows: s.grid.rows,
      cols: s.grid.cols,
      status: s.status,
      runtime: s.runtime,
      lat: mask.lat,
      lon: mask.lon,
      reasons: records.failReasons,
    });
    const lines = csv.split('\r\n');
    assert.equal(lines.pop(), '', 'ends with a line break');
    assert.equal(lines[0], 'row,col,lat,lon,state,status,runtime,reason');
    assert.equal(cells, FIXTURE_FAILED_CELLS.length);
    const byCell = new Map(lines.slice(1).map((l) => [l.split(',').slice(0, 2).join(','), l.split(',')]));
    assert.deepEqual([...byCell.keys()].sort(), FIXTURE_FAILED_CELLS.map(([r, c]) => `${r},${c}`).sort());
    const failed = byCell.get('1,2')!;
    assert.equal(failed[4], 'fail');
    assert.equal(failed[5], '-100');
    assert.equal(failed[6], '', 'no runtime recorded');
    assert.match(failed[7], /^Problem with initial parameter files!$/);
    const i = 1 * s.grid.cols + 2;
    assert.ok(
      Math.abs(Number(failed[2]) - mask.lat![i]) < 1e-5 && Math.abs(Number(failed[3]) - mask.lon![i]) < 1e-5,
      'lat/lon of the cell',
    );
    assert.ok(Number(failed[2]) > 60 && Number(failed[2]) < 75, `a Toolik latitude: ${failed[2]}`);
    const timedOut = byCell.get('7,9')!;
    assert.equal(timedOut[4], 'timeout');
    assert.equal(timedOut[7], '', 'timed-out cells have no fail_log line');
  });

  it('without a mask, lat/lon are empty; reasons with commas and quotes are quoted', () => {
    const { csv } = failedCellsCsv({
      rows: 1,
      cols: 3,
      status: Int32Array.of(100, -100, -9999),
      runtime: null,
      lat: null,
      lon: null,
      reasons: [{ row: 0, col: 1, message: 'bad "soil", see log' }],
    });
    assert.equal(
      csv,
      'row,col,lat,lon,state,status,runtime,reason\r\n0,1,,,fail,-100,,"bad ""soil"", see log"\r\n0,2,,,unwritten,-9999,,\r\n',
    );
    assert.equal(csvField('a\nb'), '"a\nb"');
  });

  it('is written complete or not at all, never over a file by accident', async () => {
    const dir = tempDir('csv');
    const dest = path.join(dir, 'failed.csv');
    await writeFileStaged(dest, 'a,b\r\n');
    assert.equal(fs.readFileSync(dest, 'utf8'), 'a,b\r\n');
    assert.deepEqual(fs.readdirSync(dir), ['failed.csv'], 'no staging file left');
    await assert.rejects(writeFileStaged(path.join(dir, 'missing', 'x.csv'), 'x'), /ENOENT/);
    assert.deepEqual(fs.readdirSync(dir), ['failed.csv']);
  });
});

describe('exportPng from the webview', () => {
  const png = () => {
    const b = new Uint8Array(100);
    b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    return b;
  };

  it('accepts PNG bytes with an optional token and drops anything else (a path)', () => {
    const r = validateFromWebviewBody(
      { type: 'exportPng', png: png(), token: 3, path: '/etc/passwd' },
      { cellCount: 4 },
    );
    assert.ok(r.ok);
    assert.deepEqual(Object.keys(r.value).sort(), ['png', 'token', 'type']);
    const u = validateFromWebviewBody({ type: 'exportPng', png: png() }, { cellCount: 4 });
    assert.ok(u.ok && u.value.type === 'exportPng' && u.value.token === null);
  });

  it('refuses what is not a PNG, and bad tokens', () => {
    assert.ok(
      !validateFromWebviewBody({ type: 'exportPng', png: new Uint8Array(100), token: null }, { cellCount: 4 }).ok,
    );
    assert.ok(
      !validateFromWebviewBody({ type: 'exportPng', png: Array.from(png()), token: null }, { cellCount: 4 }).ok,
    );
    assert.ok(!validateFromWebviewBody({ type: 'exportPng', png: png(), token: -1 }, { cellCount: 4 }).ok);
    assert.ok(
      !validateFromWebviewBody(
        { type: 'runCommand', command: 'workbench.action.files.newUntitledFile' },
        { cellCount: 4 },
      ).ok,
    );
    assert.ok(validateFromWebviewBody({ type: 'runCommand', command: 'exportFailedCells' }, { cellCount: 4 }).ok);
  });
});
