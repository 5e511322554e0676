import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { checkRun } from '../../src/core/check';
import { copyDir, fixture, ncgen, repoRoot, tempDir } from '../helpers/files';
import { makeWorkdir } from '../helpers/rerunWorkspace';

function cli(args: string[], cwd = repoRoot) {
  const script = path.join(repoRoot, 'dist', 'pyddt-check.js');
  assert.ok(fs.existsSync(script), `${script} is missing: run npm run build first`);
  const r = spawnSync(process.execPath, [script, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const FIXTURE_UNFINISHED = [
  { row: 1, col: 2, state: 'fail', status: -100, reason: 'Problem with initial parameter files!' },
  { row: 6, col: 4, state: 'fail', status: -100, reason: 'Problem with initial parameter files!' },
  { row: 7, col: 9, state: 'timeout', status: -5 },
  { row: 9, col: 6, state: 'timeout', status: -5 },
];

describe('checkRun', () => {
  it('finds the fixture run incomplete: its 4 unfinished cells with the reasons from fail_log.txt', async () => {
    const r = await checkRun(fixture.original);
    assert.equal(r.complete, false);
    assert.deepEqual(r.totals, { success: 6, fail: 2, timeout: 2, masked: 90, unwritten: 0, other: 0 });
    assert.deepEqual(r.cells, FIXTURE_UNFINISHED);
    assert.deepEqual(r.shortFiles, []);
    assert.equal(
      r.maskSource,
      'run_status',
      'the recorded masks/mask-A.nc is not found from any folder above the fixture',
    );
    assert.equal(r.checked, 10);
  });

  it('checks the cells of the mask config_record.js names, found from the working directory', async () => {
    const ws = makeWorkdir(tempDir('check'));
    const r = await checkRun(ws.runDir);
    assert.equal(r.maskSource, 'recorded');
    assert.equal(r.maskPath, ws.originalMask);
    assert.equal(r.checked, 10);
    assert.deepEqual(r.cells, FIXTURE_UNFINISHED);
  });

  it('finds the fixture rerun complete for its mask', async () => {
    const r = await checkRun(fixture.rerun, { mask: fixture.rerunMask });
    assert.equal(r.complete, true);
    assert.equal(r.checked, 4);
    assert.deepEqual(r.cells, []);
  });

  it('counts a cell the mask enables but the run never ran as unfinished', async () => {
    const r = await checkRun(fixture.rerun, { mask: fixture.mask });
    assert.equal(r.complete, false);
    assert.deepEqual(
      r.cells.map((c) => [c.row, c.col, c.state, c.status]),
      [
        [0, 0, 'masked', 0],
        [0, 5, 'masked', 0],
        [2, 7, 'masked', 0],
        [3, 3, 'masked', 0],
        [4, 8, 'masked', 0],
        [5, 1, 'masked', 0],
      ],
    );
  });

  it('notes output files with fewer time steps than their siblings of the same stage', async () => {
    const dir = copyDir(fixture.rerun, path.join(tempDir('short'), 'run'));
    const grid = 'y = 10 ; x = 10 ;';
    ncgen(
      `netcdf a { dimensions: time = UNLIMITED ; ${grid} variables: double ALD(time, y, x) ; ALD:_FillValue = -9999. ; double time(time) ; data: time = 0, 365, 730 ; }`,
      path.join(dir, 'ALD_yearly_tr.nc'),
      'netCDF-4',
    );
    ncgen(
      `netcdf r { dimensions: time = UNLIMITED ; ${grid} variables: double RECO(time, y, x) ; RECO:_FillValue = -9999. ; double time(time) ; data: time = ${Array.from({ length: 24 }, (_, i) => i * 30).join(', ')} ; }`,
      path.join(dir, 'RECO_monthly_sc.nc'),
      'netCDF-4',
    );
    for (const f of fs.readdirSync(dir)) if (f.endsWith('.cdl')) fs.rmSync(path.join(dir, f));
    const r = await checkRun(dir, { mask: fixture.rerunMask });
    assert.deepEqual(r.shortFiles, [
      { file: 'ALD_yearly_tr.nc', steps: 3, expected: 10 },
      { file: 'RECO_monthly_sc.nc', steps: 24, expected: 60 },
    ]);
    assert.equal(r.complete, true, 'completeness is about cells; short files are noted');
  });
});

describe('pyddt-check command line', () => {
  it('exit 1 for an incomplete run, listing each cell with its reason (timeouts: no entry)', () => {
    const r = cli([fixture.original]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, '');
    assert.equal(
      r.stdout,
      [
        '✗ Run not complete: 6 of 10 cells succeeded, 4 unfinished',
        '  cell (row 1, col 2): failed (run_status -100), runtime —: Problem with initial parameter files!',
        '  cell (row 6, col 4): failed (run_status -100), runtime —: Problem with initial parameter files!',
        '  cell (row 7, col 9): timed out (run_status -5), runtime —: no entry in fail_log.txt (timeouts have none)',
        '  cell (row 9, col 6): timed out (run_status -5), runtime —: no entry in fail_log.txt (timeouts have none)',
        '',
      ].join('\n'),
    );
  });

  it('exit 0 and one line for a complete run; --json prints one object', () => {
    const r = cli([fixture.rerun, '--mask', fixture.rerunMask]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '✓ Run complete: 4 of 4 cells succeeded\n');
    const j = cli([fixture.original, '--json']);
    assert.equal(j.code, 1);
    const o = JSON.parse(j.stdout) as { complete: boolean; totals: unknown; cells: unknown };
    assert.equal(o.complete, false);
    assert.deepEqual(o.totals, { success: 6, fail: 2, timeout: 2, masked: 90, unwritten: 0, other: 0 });
    assert.deepEqual(o.cells, FIXTURE_UNFINISHED);
  });

  it('exit 2 on usage errors; exit 1 with one line when the folder is not a run', () => {
    assert.equal(cli([]).code, 2);
    assert.equal(cli([fixture.original, '--bogus']).code, 2);
    const r = cli([tempDir('empty')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^pyddt-check: error: .*run_status\.nc: run status file not found\n$/);
  });
});
