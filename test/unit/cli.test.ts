import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { readRunMask } from '../../src/core/runMask';
import { readRunStatus } from '../../src/core/runStatus';
import {
  assertCopyOf,
  copyDir,
  fixture,
  FIXTURE_ENABLED_CELLS,
  FIXTURE_FAILED_CELLS,
  hashFile,
  hashTree,
  repoRoot,
  tempDir,
} from '../helpers/files';
import { verifyMergedFile } from '../helpers/values';

/** Runs a built CLI (`npm run build` makes dist/) as a user would. */
function cli(
  name: 'pyddt-salvage' | 'pyddt-merge' | 'pyddt-rerun' | 'pyddt-check' | 'pyddt-batch',
  args: string[],
  cwd = repoRoot,
) {
  const script = path.join(repoRoot, 'dist', `${name}.js`);
  assert.ok(fs.existsSync(script), `${script} is missing: run npm run build first`);
  const r = spawnSync(process.execPath, [script, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** pyddt-salvage's arguments for the fixture run, with the backup and the new mask in `ws`. */
function salvageArgs(ws: string): string[] {
  return [fixture.original, path.join(ws, 'b'), '--original-mask', fixture.mask, '--new-mask', path.join(ws, 'm.nc')];
}

describe('the spec workflow through the command-line tools', () => {
  it('salvages the failed fixture run, then merges the backup with the rerun into a complete run', async () => {
    const ws = tempDir('workflow');
    copyDir(fixture.original, path.join(ws, 'output'));
    fs.copyFileSync(fixture.mask, path.join(ws, 'run-mask.nc'));
    const before = hashTree(path.join(ws, 'output'));
    const maskHash = hashFile(path.join(ws, 'run-mask.nc'));

    // Step 2 of the spec, with relative paths from the workspace like a user types them.
    const s = cli(
      'pyddt-salvage',
      ['output/', 'backup/', '--original-mask', 'run-mask.nc', '--new-mask', 'run-mask-failed.nc', '--verbose'],
      ws,
    );
    assert.equal(s.code, 0, s.stderr);
    assert.equal(s.stderr, '');
    assert.match(s.stdout, /^Salvaging run from: output\/\nCreating backup at: backup\/\n/);
    assert.match(
      s.stdout,
      /✓ Backup created at: backup\/\n✓ New run-mask created at: run-mask-failed\.nc\n {2}Number of failed cells to re-run: 4\n/,
    );
    assert.deepEqual(hashTree(path.join(ws, 'output')), before, 'salvage must not touch the output folder');
    assert.equal(hashFile(path.join(ws, 'run-mask.nc')), maskHash, 'salvage must not touch the original mask');
    assertCopyOf(path.join(ws, 'backup'), path.join(ws, 'output'), 'the backup');

    const mask = await readRunMask(path.join(ws, 'run-mask-failed.nc'));
    const enabled = [...mask.enabled.keys()].filter((i) => mask.enabled[i]).map((i) => [Math.floor(i / 10), i % 10]);
    assert.deepEqual(enabled, FIXTURE_FAILED_CELLS);

    // Step 3: dvmdostem reruns the failed cells (the fixture's rerun/ is that run). Step 4: merge.
    copyDir(fixture.rerun, path.join(ws, 'rerun'));
    const m = cli('pyddt-merge', ['backup/', 'rerun/', 'merged/', '--verbose'], ws);
    assert.equal(m.code, 0, m.stderr);
    assert.match(
      m.stdout,
      /^Salvaged run - successful cells: 6\nRerun - successful cells: 4\nFound 22 files to merge\n/,
    );
    assert.match(m.stdout, / {2}Merging: GPP_monthly_tr\.nc\n/);
    assert.match(m.stdout, /✓ Merge complete\n {2}Merged: 22 files\n {2}Total successful cells: 10\n/);

    const merged = await readRunStatus(path.join(ws, 'merged', 'run_status.nc'));
    for (const [r, c] of FIXTURE_ENABLED_CELLS) assert.equal(merged.status[r * 10 + c], 100);
    const rerunCells = new Set(FIXTURE_FAILED_CELLS.map(([r, c]) => `${r},${c}`));
    for (const f of ['ALD_yearly_tr.nc', 'GPP_monthly_tr.nc', 'VEGC_yearly_sc.nc', 'restart-tr.nc']) {
      assert.deepEqual(
        await verifyMergedFile(
          path.join(ws, 'backup', f),
          path.join(ws, 'rerun', f),
          path.join(ws, 'merged', f),
          rerunCells,
        ),
        [],
        f,
      );
    }
  });

  it('prints the short summary without --verbose', () => {
    const ws = tempDir('short');
    const s = cli('pyddt-salvage', salvageArgs(ws));
    assert.equal(s.code, 0, s.stderr);
    assert.equal(
      s.stdout,
      `✓ Backup created at: ${path.join(ws, 'b')}\n✓ New run-mask created at: ${path.join(ws, 'm.nc')}\n  Number of failed cells to re-run: 4\n`,
    );
    const m = cli('pyddt-merge', [path.join(ws, 'b'), fixture.rerun, path.join(ws, 'merged')]);
    assert.equal(m.code, 0, m.stderr);
    assert.equal(
      m.stdout,
      'Salvaged run - successful cells: 6\nRerun - successful cells: 4\nFound 22 files to merge\n✓ Merge complete\n  Merged: 22 files\n  Total successful cells: 10\n',
    );
  });

  it('answers usage errors with exit 2 and the usage line', () => {
    const r = cli('pyddt-salvage', ['only-one-arg']);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /^usage: pyddt-salvage \[-h\] --original-mask ORIGINAL_MASK --new-mask NEW_MASK \[--run-status RUN_STATUS\]/,
    );
    assert.match(
      r.stderr,
      /pyddt-salvage: error: the following arguments are required: backup_dir, --original-mask, --new-mask\n$/,
    );
    assert.equal(cli('pyddt-merge', ['a', 'b', 'c', '--bogus']).code, 2);
    const h = cli('pyddt-merge', ['--help']);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /^usage: pyddt-merge \[-h\] \[--verbose\] salvaged_dir rerun_dir output_dir\n/);
  });

  it("prints every tool's name and the package version with --version", () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    for (const name of ['pyddt-salvage', 'pyddt-merge', 'pyddt-rerun', 'pyddt-check', 'pyddt-batch'] as const) {
      const r = cli(name, ['--version']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${name} ${version}\n`);
      assert.equal(r.stderr, '');
    }
  });

  it('plans a salvage and a merge with --dry-run, writing nothing, and fails like the real run', () => {
    const ws = tempDir('dry');
    const before = hashTree(fixture.original);
    const s = cli('pyddt-salvage', [...salvageArgs(ws), '--dry-run']);
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout, /^Dry run: nothing is written\.\nWould create backup at: .*\/b \(\d+ files, \d+ bytes\)\n/);
    assert.match(s.stdout, /Would create new run-mask at: .*\/m\.nc\n {2}Number of failed cells to re-run: 4\n$/);

    const m = cli('pyddt-merge', [fixture.original, fixture.rerun, path.join(ws, 'merged'), '--dry-run']);
    assert.equal(m.code, 0, m.stderr);
    assert.match(
      m.stdout,
      /^Dry run: nothing is written\.\nSalvaged run - successful cells: 6\nRerun - successful cells: 4\nFound 22 files to merge\n/,
    );
    assert.match(m.stdout, /\n {2}Would merge: GPP_monthly_tr\.nc\n/);
    assert.deepEqual(fs.readdirSync(ws), [], 'a dry run writes nothing');
    assert.deepEqual(hashTree(fixture.original), before);

    const bad = cli('pyddt-merge', [path.join(ws, 'nope'), fixture.rerun, path.join(ws, 'merged'), '--dry-run']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /nope: salvaged folder not found/);
    assert.equal(cli('pyddt-salvage', [fixture.original, '--dry-run']).code, 2);
  });

  it('answers bad input with exit 1 and one line naming the problem, without a stack trace', () => {
    const ws = tempDir('bad');
    fs.writeFileSync(path.join(ws, 'not-netcdf.nc'), 'just text');
    const cases: [ReturnType<typeof cli>, RegExp][] = [
      [
        cli('pyddt-merge', [path.join(ws, 'nope'), fixture.rerun, path.join(ws, 'm')]),
        /nope: salvaged folder not found/,
      ],
      [
        cli('pyddt-salvage', [
          fixture.original,
          path.join(ws, 'b'),
          '--original-mask',
          path.join(ws, 'not-netcdf.nc'),
          '--new-mask',
          path.join(ws, 'n.nc'),
        ]),
        /not-netcdf\.nc: not a NetCDF file/,
      ],
      [
        cli('pyddt-salvage', [
          fixture.original,
          path.join(fixture.original, 'inside'),
          '--original-mask',
          fixture.mask,
          '--new-mask',
          path.join(ws, 'n.nc'),
        ]),
        /must not be inside the output folder/,
      ],
      [cli('pyddt-merge', [fixture.original, fixture.rerun, fixture.rerun]), /must not be inside an input folder/],
    ];
    for (const [r, message] of cases) {
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
    assert.deepEqual(fs.readdirSync(ws), ['not-netcdf.nc']);
  });
});
