/**
 * Bad folders and paths: missing or empty folders, a run without run_status.nc, --run-status elsewhere,
 * destinations that exist, outputs inside inputs, the same folder twice, usage errors. Every case checks
 * the exit code, the one-line message, that the inputs are byte-identical afterwards, and that no
 * output or staging folder is left behind by a failure.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readRunMask } from '../../src/core/runMask';
import { readRunStatus } from '../../src/core/runStatus';
import { fixture, FIXTURE_FAILED_CELLS } from '../helpers/files';
import {
  assertCleanError,
  assertNoStaging,
  assertSameCopy,
  assertUnchanged,
  cli,
  contentTree,
  fixtureWorkspace,
  copyTreeWritable,
  Matrix,
  message,
  removeTree,
  snapshot,
} from './harness';

const matrix = new Matrix('Fault matrix: folders and paths');

describe('bad folders and paths', () => {
  let ws: string;
  let output: string;
  let rerun: string;
  let mask: string;
  let reference: Record<string, string>;
  const p = (...parts: string[]) => path.join(ws, ...parts);

  before(() => {
    ({ ws, output, rerun, mask } = fixtureWorkspace('faults-folders'));
    const r = cli('pyddt-merge', [output, rerun, p('reference-merged')]);
    assert.equal(r.code, 0, r.stderr);
    reference = contentTree(p('reference-merged'));
  });
  after(() => {
    matrix.print();
    removeTree(ws);
  });

  /** A salvage that must fail: exit 1, one line naming `names`, inputs unchanged, no backup, no mask, no staging. */
  const salvageFails = (
    name: string,
    args: { out?: string; backup?: string; mask?: string; newMask?: string; extra?: string[] },
    names: string | null,
    what: RegExp,
    inputs: string[] = [],
  ) =>
    matrix.run('salvage', name, `exit 1, ${what.source.slice(0, 40)}`, () => {
      const backup = args.backup ?? p('backup');
      const newMask = args.newMask ?? p('new-mask.nc');
      const backupExisted = fs.existsSync(backup);
      const maskExisted = fs.existsSync(newMask);
      const before = snapshot([
        output,
        mask,
        ...inputs,
        ...(backupExisted ? [backup] : []),
        ...(maskExisted ? [newMask] : []),
      ]);
      const r = cli('pyddt-salvage', [
        args.out ?? output,
        backup,
        '--original-mask',
        args.mask ?? mask,
        '--new-mask',
        newMask,
        ...(args.extra ?? []),
      ]);
      assertCleanError('pyddt-salvage', r, 1, names, what);
      assertUnchanged(before);
      if (!backupExisted) assert.ok(!fs.existsSync(backup), 'no backup folder after a failure');
      if (!maskExisted) assert.ok(!fs.existsSync(newMask), 'no new mask after a failure');
      assertNoStaging(path.dirname(path.resolve(backup)), path.dirname(path.resolve(newMask)));
      return message(r);
    });

  const mergeFails = (
    name: string,
    args: { salvaged?: string; rerun?: string; out?: string },
    names: string | null,
    what: RegExp,
    inputs: string[] = [],
  ) =>
    matrix.run('merge', name, `exit 1, ${what.source.slice(0, 40)}`, () => {
      const out = args.out ?? p('merged');
      const outExisted = fs.existsSync(out);
      const before = snapshot([output, rerun, ...inputs, ...(outExisted ? [out] : [])]);
      const r = cli('pyddt-merge', [args.salvaged ?? output, args.rerun ?? rerun, out]);
      assertCleanError('pyddt-merge', r, 1, names, what);
      assertUnchanged(before);
      if (!outExisted) assert.ok(!fs.existsSync(out), 'no merged folder after a failure');
      assertNoStaging(path.dirname(path.resolve(out)));
      return message(r);
    });

  const cleanup = (...paths: string[]) => paths.forEach((x) => removeTree(x));

  it('salvage: output folder missing', () =>
    salvageFails('output folder missing', { out: p('nope') }, p('nope'), /output folder not found/));
  it('salvage: output folder empty', () => {
    fs.mkdirSync(p('empty'));
    return salvageFails(
      'output folder empty',
      { out: p('empty') },
      p('empty', 'run_status.nc'),
      /run status file not found/,
      [p('empty')],
    );
  });
  it('salvage: output "folder" is a file', () =>
    salvageFails('output folder is a file', { out: p('run-mask.nc') }, p('run-mask.nc'), /is not a folder/));
  it('salvage: run folder without run_status.nc', () => {
    const dir = copyTreeWritable(fixture.original, p('no-status'));
    fs.rmSync(path.join(dir, 'run_status.nc'));
    return salvageFails(
      'run folder without run_status.nc',
      { out: dir },
      path.join(dir, 'run_status.nc'),
      /run status file not found/,
      [dir],
    );
  });
  it('salvage: original mask missing', () =>
    salvageFails(
      'original mask missing',
      { mask: p('missing-mask.nc') },
      p('missing-mask.nc'),
      /run-mask file not found/,
    ));

  it('salvage: --run-status pointing elsewhere works when valid', () =>
    matrix.run('salvage', '--run-status elsewhere (valid)', 'exit 0, complete backup + mask', async () => {
      const dir = copyTreeWritable(fixture.original, p('status-elsewhere'));
      const status = p('moved-run_status.nc');
      fs.renameSync(path.join(dir, 'run_status.nc'), status);
      const before = snapshot([dir, status, mask]);
      const r = cli('pyddt-salvage', [
        dir,
        p('b-elsewhere'),
        '--original-mask',
        mask,
        '--new-mask',
        p('m-elsewhere.nc'),
        '--run-status',
        status,
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      assertUnchanged(before);
      assertSameCopy(p('b-elsewhere'), dir);
      const m = await readRunMask(p('m-elsewhere.nc'));
      assert.deepEqual(
        [...m.enabled.keys()].filter((i) => m.enabled[i]).map((i) => [Math.floor(i / 10), i % 10]),
        FIXTURE_FAILED_CELLS,
      );
      assertNoStaging(ws);
      cleanup(p('b-elsewhere'), p('m-elsewhere.nc'));
      return r.stdout.trim().split('\n').at(-1)!.trim();
    }));
  it('salvage: --run-status pointing to a missing file', () =>
    salvageFails(
      '--run-status missing file',
      { extra: ['--run-status', p('none.nc')] },
      p('none.nc'),
      /run status file not found/,
    ));
  it('salvage: --run-status pointing to a folder', () =>
    salvageFails('--run-status is a folder', { extra: ['--run-status', rerun] }, rerun, /is a folder/));
  it('salvage: --run-status pointing to a file that is not NetCDF', () => {
    fs.writeFileSync(p('notes.nc'), 'run finished?\n');
    return salvageFails(
      '--run-status not NetCDF',
      { extra: ['--run-status', p('notes.nc')] },
      p('notes.nc'),
      /not a NetCDF file/,
      [p('notes.nc')],
    );
  });
  it('salvage: --run-status pointing to another run of a different grid', () => {
    const other = p('other-grid.nc');
    fs.writeFileSync(
      other.replace(/\.nc$/, '.cdl'),
      'netcdf s { dimensions: Y = 4 ; X = 5 ; variables: int run_status(Y, X) ; data: run_status = ' +
        Array(20).fill(-100).join(', ') +
        ' ; }\n',
    );
    execFileSync('ncgen', ['-k', '1', '-o', other, other.replace(/\.nc$/, '.cdl')]);
    return salvageFails(
      '--run-status of another grid',
      { extra: ['--run-status', other] },
      mask,
      /grid is 10 rows × 10 columns, but .*4 rows × 5 columns/,
      [other],
    );
  });

  it('salvage: backup folder exists (empty)', () => {
    fs.mkdirSync(p('backup-exists'));
    return salvageFails(
      'backup folder exists (empty)',
      { backup: p('backup-exists') },
      p('backup-exists'),
      /already exists/,
    );
  });
  it('salvage: backup folder exists (not empty)', () => {
    fs.mkdirSync(p('backup-full'));
    fs.writeFileSync(p('backup-full', 'keep.txt'), 'precious');
    return salvageFails(
      'backup folder exists (not empty)',
      { backup: p('backup-full') },
      p('backup-full'),
      /already exists/,
    );
  });
  it('salvage: new mask exists (refused), then --force overwrites it', async () => {
    fs.writeFileSync(p('existing-mask.nc'), 'old mask');
    await salvageFails(
      'new mask exists, no --force',
      { newMask: p('existing-mask.nc') },
      p('existing-mask.nc'),
      /already exists \(use --force/,
    );
    assert.equal(fs.readFileSync(p('existing-mask.nc'), 'utf8'), 'old mask');
    await matrix.run('salvage', 'new mask exists, --force', 'exit 0, mask replaced', async () => {
      const before = snapshot([output, mask]);
      const r = cli('pyddt-salvage', [
        output,
        p('b-force'),
        '--original-mask',
        mask,
        '--new-mask',
        p('existing-mask.nc'),
        '--force',
      ]);
      assert.equal(r.code, 0, r.stderr);
      assertUnchanged(before);
      const m = await readRunMask(p('existing-mask.nc'));
      assert.equal(
        m.enabled.reduce((a, b) => a + b, 0),
        FIXTURE_FAILED_CELLS.length,
      );
      assert.deepEqual(contentTree(p('b-force')), contentTree(output));
      assertNoStaging(ws);
      cleanup(p('b-force'));
      return 'replaced; 4 cells enabled';
    });
  });
  it('salvage: backup inside the output folder', () =>
    salvageFails(
      'backup inside output folder',
      { backup: path.join(output, 'backup') },
      path.join(output, 'backup'),
      /must not be inside the output folder/,
    ));
  it('salvage: backup is the output folder', () =>
    salvageFails('backup = output folder', { backup: output }, output, /must not be inside the output folder/));
  it('salvage: backup contains the output folder', () =>
    salvageFails(
      'backup contains output folder',
      { backup: ws },
      ws,
      /must not contain the output folder|already exists/,
    ));
  it('salvage: new mask inside the output folder', () =>
    salvageFails(
      'new mask inside output folder',
      { newMask: path.join(output, 'm.nc') },
      path.join(output, 'm.nc'),
      /must not be written inside the output folder/,
    ));
  it('salvage: new mask is the original mask (with --force)', () =>
    salvageFails(
      'new mask = original mask (--force)',
      { newMask: mask, extra: ['--force'] },
      mask,
      /must not replace the original mask/,
    ));
  it('salvage: backup parent folder missing', () =>
    salvageFails('backup parent missing', { backup: p('no', 'such', 'backup') }, p('no', 'such'), /folder not found/));

  it('merge: salvaged folder missing', () =>
    mergeFails('salvaged folder missing', { salvaged: p('nope') }, p('nope'), /salvaged folder not found/));
  it('merge: rerun folder missing', () =>
    mergeFails('rerun folder missing', { rerun: p('nope') }, p('nope'), /rerun folder not found/));
  it('merge: salvaged folder empty', () => {
    fs.mkdirSync(p('empty-s'));
    return mergeFails(
      'salvaged folder empty',
      { salvaged: p('empty-s') },
      p('empty-s', 'run_status.nc'),
      /run status file not found/,
    );
  });
  it('merge: rerun folder empty', () => {
    fs.mkdirSync(p('empty-r'));
    return mergeFails(
      'rerun folder empty',
      { rerun: p('empty-r') },
      p('empty-r', 'run_status.nc'),
      /run status file not found/,
    );
  });
  it('merge: rerun folder without run_status.nc', () => {
    const dir = copyTreeWritable(fixture.rerun, p('rerun-no-status'));
    fs.rmSync(path.join(dir, 'run_status.nc'));
    return mergeFails(
      'rerun without run_status.nc',
      { rerun: dir },
      path.join(dir, 'run_status.nc'),
      /run status file not found/,
      [dir],
    );
  });
  it('merge: output folder exists and is not empty', () => {
    fs.mkdirSync(p('merged-full'));
    fs.writeFileSync(p('merged-full', 'keep.txt'), 'precious');
    return mergeFails(
      'output exists, not empty',
      { out: p('merged-full') },
      p('merged-full'),
      /already exists and is not empty/,
    );
  });
  it('merge: output folder exists and is empty (allowed)', () =>
    matrix.run('merge', 'output exists, empty', 'exit 0, complete', () => {
      fs.mkdirSync(p('merged-empty'));
      const before = snapshot([output, rerun]);
      const r = cli('pyddt-merge', [output, rerun, p('merged-empty')]);
      assert.equal(r.code, 0, r.stderr);
      assertUnchanged(before);
      assert.deepEqual(contentTree(p('merged-empty')), reference);
      assertNoStaging(ws);
      cleanup(p('merged-empty'));
      return r.stdout.trim().split('\n').at(-1)!.trim();
    }));
  it('merge: output inside the salvaged folder', () =>
    mergeFails(
      'output inside salvaged',
      { out: path.join(output, 'merged') },
      path.join(output, 'merged'),
      /must not be inside an input folder/,
    ));
  it('merge: output inside the rerun folder', () =>
    mergeFails(
      'output inside rerun',
      { out: path.join(rerun, 'merged') },
      path.join(rerun, 'merged'),
      /must not be inside an input folder/,
    ));
  it('merge: output is the salvaged folder', () =>
    mergeFails('output = salvaged folder', { out: output }, output, /must not be inside an input folder/));
  it('merge: output contains an input folder', () =>
    mergeFails('output contains an input', { out: ws }, ws, /must not contain an input folder|already exists/));
  it('merge: salvaged and rerun are the same folder', () =>
    mergeFails('salvaged = rerun', { rerun: output }, output, /are the same folder/));

  it('usage errors exit 2 with the usage line', () =>
    matrix.run('usage', 'missing arguments / unknown option', 'exit 2, usage', () => {
      const a = cli('pyddt-salvage', [output]);
      assertCleanError(
        'pyddt-salvage',
        a,
        2,
        null,
        /the following arguments are required: backup_dir, --original-mask, --new-mask/,
      );
      const b = cli('pyddt-merge', [output, rerun, p('x'), '--bogus']);
      assertCleanError('pyddt-merge', b, 2, null, /unrecognized arguments: --bogus/);
      assert.ok(!fs.existsSync(p('x')));
      return 'exit 2 both';
    }));

  it('the reference merge used above is complete (sanity)', async () => {
    const merged = await readRunStatus(p('reference-merged', 'run_status.nc'));
    assert.equal(merged.counts.success, 10);
  });
});
