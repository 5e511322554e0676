/**
 * Valid NetCDF files that do not fit together: run_status.nc without `run_status`, a mask without `run`,
 * masks and statuses of different grids, salvaged and rerun folders from different grids, a variable
 * whose type or shape differs between the two sides, the same file name holding different variables.
 * All are refused before anything is written, with one line naming the file and the problem.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ncgen } from '../helpers/files';
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

const matrix = new Matrix('Fault matrix: files that do not fit together');

const list = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i)).join(', ');
const statusCdl = (rows: number, cols: number, vars = ['run_status', 'total_runtime']) =>
  `netcdf run_status {\ndimensions:\n  Y = ${rows} ;\n  X = ${cols} ;\nvariables:\n${vars.map((v) => `  int ${v}(Y, X) ;\n`).join('')}data:\n${vars
    .map((v) => `  ${v} = ${list(rows * cols, (i) => (v === 'run_status' ? (i % 3 === 0 ? -100 : 100) : 5))} ;\n`)
    .join('')}}\n`;
const maskCdl = (rows: number, cols: number, runType = 'int64', name = 'run') =>
  `netcdf run_mask {\ndimensions:\n  Y = ${rows} ;\n  X = ${cols} ;\nvariables:\n  ${runType} ${name}(Y, X) ;\n  float lat(Y, X) ;\ndata:\n  ${name} = ${runType === 'char' ? `"${'1'.repeat(rows * cols)}"` : list(rows * cols, () => 1)} ;\n  lat = ${list(rows * cols, (i) => 68 + i / 100)} ;\n}\n`;
const aldCdl = (type: string, time: number, rows: number, cols: number) =>
  `netcdf ALD_yearly_tr {\ndimensions:\n  time = ${time} ;\n  y = ${rows} ;\n  x = ${cols} ;\nvariables:\n  ${type} ALD(time, y, x) ;\n  double time(time) ;\n  char albers_conical_equal_area ;\n}\n`;

describe('files that are valid NetCDF but do not fit together', () => {
  let ws: string;
  let output: string;
  let rerun: string;
  let mask: string;
  const p = (...parts: string[]) => path.join(ws, ...parts);

  before(() => {
    ({ ws, output, rerun, mask } = fixtureWorkspace('faults-mismatch'));
  });
  after(() => {
    matrix.print();
    removeTree(ws);
  });

  /** Puts `make(target)` at `target` for one case and restores the original afterwards. */
  const swapped = (target: string, make: (to: string) => void, fn: () => string): string => {
    const original = fs.existsSync(target) ? fs.readFileSync(target) : null;
    fs.rmSync(target, { force: true });
    make(target);
    try {
      return fn();
    } finally {
      if (original) fs.writeFileSync(target, original);
    }
  };

  const expectFailure = (tool: 'pyddt-salvage' | 'pyddt-merge', names: string, what: RegExp): string => {
    const inputs = snapshot([output, rerun, mask]);
    const r =
      tool === 'pyddt-salvage'
        ? cli(tool, [output, p('backup'), '--original-mask', mask, '--new-mask', p('new-mask.nc')])
        : cli(tool, [output, rerun, p('merged')]);
    assertCleanError(tool, r, 1, names, what);
    assertUnchanged(inputs);
    for (const x of ['backup', 'new-mask.nc', 'merged'])
      assert.ok(!fs.existsSync(p(x)), `${x} must not exist after a failure`);
    assertNoStaging(ws);
    return message(r).replaceAll(ws + path.sep, '');
  };

  let generated = 0;
  /** ncgen into the workspace (it leaves a .cdl next to its output), then copied into place. */
  const gen = (cdl: string, to: string, kind: Parameters<typeof ncgen>[2]) => {
    const made = ncgen(cdl, p(`generated-${++generated}.nc`), kind);
    fs.copyFileSync(made, to);
  };

  it('salvage: run_status.nc without a run_status variable', () =>
    matrix.run('salvage', 'run_status.nc without run_status', 'exit 1, no variable', () =>
      swapped(
        path.join(output, 'run_status.nc'),
        (t) => gen(statusCdl(10, 10, ['total_runtime']), t, 'classic'),
        () =>
          expectFailure(
            'pyddt-salvage',
            path.join(output, 'run_status.nc'),
            /no variable "run_status" .*variables found: total_runtime/,
          ),
      ),
    ));
  it('merge: salvaged run_status.nc without a run_status variable', () =>
    matrix.run('merge', 'salvaged run_status.nc without run_status', 'exit 1, no variable', () =>
      swapped(
        path.join(output, 'run_status.nc'),
        (t) => gen(statusCdl(10, 10, ['total_runtime']), t, 'classic'),
        () => expectFailure('pyddt-merge', path.join(output, 'run_status.nc'), /no variable "run_status"/),
      ),
    ));
  it('salvage: run_status as a 1-D variable', () =>
    matrix.run('salvage', 'run_status(cell) instead of (Y, X)', 'exit 1, dims', () =>
      swapped(
        path.join(output, 'run_status.nc'),
        (t) => gen(`netcdf s {\ndimensions:\n  cell = 100 ;\nvariables:\n  int run_status(cell) ;\n}\n`, t, 'classic'),
        () =>
          expectFailure(
            'pyddt-salvage',
            path.join(output, 'run_status.nc'),
            /variable run_status has dimensions \(cell\), expected \(Y, X\)/,
          ),
      ),
    ));
  it('salvage: run-mask.nc without a run variable', () =>
    matrix.run('salvage', 'run-mask.nc without run', 'exit 1, no variable', () =>
      swapped(
        mask,
        (t) => gen(maskCdl(10, 10, 'int64', 'runs'), t, 'netCDF-4'),
        () => expectFailure('pyddt-salvage', mask, /no variable "run" .*variables found: runs, lat/),
      ),
    ));
  it('salvage: run-mask.nc whose run holds text', () =>
    matrix.run('salvage', 'run-mask.nc with run as char', 'exit 1, type', () =>
      swapped(
        mask,
        (t) => gen(maskCdl(10, 10, 'char'), t, 'netCDF-4'),
        () => expectFailure('pyddt-salvage', mask, /variable run has type char\[1\], expected numbers/),
      ),
    ));
  it('salvage: mask and run_status of different grids', () =>
    matrix.run('salvage', 'mask 12×8, run_status 10×10', 'exit 1, both grids', () =>
      swapped(
        mask,
        (t) => gen(maskCdl(12, 8), t, 'netCDF-4'),
        () =>
          expectFailure(
            'pyddt-salvage',
            mask,
            /the mask's grid is 12 rows × 8 columns, but .*run_status\.nc is 10 rows × 10 columns/,
          ),
      ),
    ));
  it('salvage: mask and run_status of different grids (classic mask, transposed)', () =>
    matrix.run('salvage', 'mask 10×10 classic vs run_status 12×8', 'exit 1, both grids', () =>
      swapped(
        path.join(output, 'run_status.nc'),
        (t) => gen(statusCdl(12, 8), t, 'classic'),
        () =>
          swapped(
            mask,
            (t) => gen(maskCdl(10, 10, 'int'), t, 'classic'),
            () =>
              expectFailure(
                'pyddt-salvage',
                mask,
                /the mask's grid is 10 rows × 10 columns, but .* is 12 rows × 8 columns/,
              ),
          ),
      ),
    ));
  it('merge: salvaged and rerun from different grids', () =>
    matrix.run('merge', 'rerun run_status 12×8, salvaged 10×10', 'exit 1, both grids', () =>
      swapped(
        path.join(rerun, 'run_status.nc'),
        (t) => gen(statusCdl(12, 8), t, 'classic'),
        () =>
          expectFailure(
            'pyddt-merge',
            path.join(rerun, 'run_status.nc'),
            /the rerun's grid is 12 rows × 8 columns, the salvaged run's is 10 rows × 10 columns/,
          ),
      ),
    ));
  it('merge: an output file on another grid than run_status (both sides)', () =>
    matrix.run('merge', 'ALD on a 12×8 grid on both sides', 'exit 1, grid', () =>
      swapped(
        path.join(output, 'ALD_yearly_tr.nc'),
        (t) => gen(aldCdl('double', 10, 12, 8), t, 'netCDF-4'),
        () =>
          swapped(
            path.join(rerun, 'ALD_yearly_tr.nc'),
            (t) => gen(aldCdl('double', 10, 12, 8), t, 'netCDF-4'),
            () =>
              expectFailure(
                'pyddt-merge',
                'ALD_yearly_tr.nc',
                /variable ALD has a 12×8 grid .* but run_status\.nc is 10×10/,
              ),
          ),
      ),
    ));
  it('merge: a variable whose type differs between the two sides', () =>
    matrix.run('merge', 'ALD double (salvaged) vs float (rerun)', 'exit 1, both types', () =>
      swapped(
        path.join(rerun, 'ALD_yearly_tr.nc'),
        (t) => gen(aldCdl('float', 10, 10, 10), t, 'netCDF-4'),
        () =>
          expectFailure(
            'pyddt-merge',
            path.join(rerun, 'ALD_yearly_tr.nc'),
            /variable ALD is float64 LE in .* but float32 LE in/,
          ),
      ),
    ));
  it('merge: a variable whose shape differs between the two sides', () =>
    matrix.run('merge', 'ALD time=10 (salvaged) vs time=9 (rerun)', 'exit 1, both shapes', () =>
      swapped(
        path.join(rerun, 'ALD_yearly_tr.nc'),
        (t) => gen(aldCdl('double', 9, 10, 10), t, 'netCDF-4'),
        () =>
          expectFailure(
            'pyddt-merge',
            path.join(rerun, 'ALD_yearly_tr.nc'),
            /variable ALD has shape \(time=10, y=10, x=10\) in .* but \(time=9, y=10, x=10\) in/,
          ),
      ),
    ));
  it('merge: a grid variable on one side only (dimensions named otherwise)', () =>
    matrix.run('merge', 'ALD (time, y, x) vs (time, a, b) in rerun', 'exit 1, both dims', () =>
      swapped(
        path.join(rerun, 'ALD_yearly_tr.nc'),
        (t) => gen(aldCdl('double', 10, 10, 10).replace(/\by\b/g, 'a').replace(/\bx\b/g, 'b'), t, 'netCDF-4'),
        () =>
          expectFailure(
            'pyddt-merge',
            path.join(rerun, 'ALD_yearly_tr.nc'),
            /variable ALD has dimensions \(time, y, x\) in .* but \(time, a, b\) in/,
          ),
      ),
    ));
  it('merge: the same file name holding different variables', () =>
    matrix.run('merge', 'rerun ALD_yearly_tr.nc holds NPP', 'exit 1, both lists', () =>
      swapped(
        path.join(rerun, 'ALD_yearly_tr.nc'),
        (t) => fs.copyFileSync(path.join(rerun, 'NPP_yearly_tr.nc'), t),
        () =>
          expectFailure(
            'pyddt-merge',
            path.join(rerun, 'ALD_yearly_tr.nc'),
            /ALD_yearly_tr\.nc: the two runs' files hold different variables \(only in .*: ALD; only in .*: NPP\)/,
          ),
      ),
    ));
  it('merge: a classic file on one side, the same variables as NetCDF-4 on the other', () =>
    matrix.run('merge', 'ALD classic (rerun) vs NetCDF-4 (salvaged)', 'exit 1, both types', () =>
      swapped(
        path.join(rerun, 'ALD_yearly_tr.nc'),
        (t) => gen(aldCdl('double', 10, 10, 10), t, 'classic'),
        () =>
          expectFailure(
            'pyddt-merge',
            path.join(rerun, 'ALD_yearly_tr.nc'),
            /variable ALD is float64 LE in .* but float64 BE in/,
          ),
      ),
    ));

  it('leaves no generated file inside the run folders (sanity)', () => {
    for (const dir of [output, rerun])
      assert.deepEqual(
        fs.readdirSync(dir).filter((n) => n.endsWith('.cdl')),
        [],
      );
  });
});
