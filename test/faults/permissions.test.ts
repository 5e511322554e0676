/**
 * Permissions, with the CLIs run as the unprivileged user nobody (uid/gid 65534; root reads and writes
 * everything, so only another user shows what a user without rights gets): an input file, folder or
 * mask it cannot read, and destinations it cannot write. Inputs stay byte-identical and nothing partial
 * is left behind (the backup and the new mask appear together or not at all).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readRunMask } from '../../src/core/runMask';
import { fixture, FIXTURE_FAILED_CELLS } from '../helpers/files';
import {
  assertCleanError,
  assertNoStaging,
  assertSameCopy,
  assertUnchanged,
  cli,
  copyTreeWritable,
  Matrix,
  message,
  removeTree,
  snapshot,
  toolPath,
  workspace,
} from './harness';

const matrix = new Matrix('Fault matrix: permissions (run as nobody)');
const NOBODY = { uid: 65534, gid: 65534 };

/**
 * Copies the (self-contained) CLI bundles where nobody can read them, wherever the repository is (it
 * may sit in a folder only root can enter), and says why the CLIs still cannot run as nobody, or null.
 */
function prepareForNobody(dir: string): string | null {
  if (process.getuid?.() !== 0)
    return `the tests run as uid ${process.getuid?.()}, not root, so they cannot start a process as nobody`;
  fs.mkdirSync(dir, { mode: 0o755 });
  for (const tool of ['pyddt-salvage', 'pyddt-merge'] as const) {
    fs.copyFileSync(toolPath(tool), path.join(dir, `${tool}.js`));
    fs.chmodSync(path.join(dir, `${tool}.js`), 0o644);
  }
  const r = spawnSync(process.execPath, [path.join(dir, 'pyddt-merge.js'), '--help'], {
    ...NOBODY,
    cwd: '/',
    encoding: 'utf8',
  });
  if (r.error) return `spawning ${process.execPath} as nobody failed: ${r.error.message}`;
  if (r.status !== 0)
    return `nobody cannot run ${process.execPath} ${path.join(dir, 'pyddt-merge.js')} (exit ${r.status}): ${r.stderr.trim().split('\n')[0]}`;
  return null;
}

describe('permissions (the CLIs run as nobody)', () => {
  // Made here, not in before(): whether the cases can run at all decides whether they are skipped.
  const ws = workspace('faults-perms');
  fs.chmodSync(ws, 0o755);
  const bin = path.join(ws, 'bin');
  const skip = prepareForNobody(bin);
  if (skip) console.log(`SKIPPED the permission cases only: ${skip}`);
  let output: string;
  let rerun: string;
  let mask: string;
  /** Writable by nobody. */
  let open: string;
  /** Root's, not writable by nobody. */
  let closed: string;
  const p = (...parts: string[]) => path.join(ws, ...parts);

  before(() => {
    output = copyTreeWritable(fixture.original, p('output'));
    rerun = copyTreeWritable(fixture.rerun, p('rerun'));
    mask = p('run-mask.nc');
    fs.copyFileSync(fixture.mask, mask);
    fs.chmodSync(mask, 0o644);
    open = p('open');
    fs.mkdirSync(open);
    fs.chownSync(open, NOBODY.uid, NOBODY.gid);
    closed = p('closed');
    fs.mkdirSync(closed, 0o755);
  });
  after(() => {
    matrix.print();
    removeTree(ws);
  });

  /** Runs one case as nobody with `target` made unreadable (mode 0600 / 0700, owned by root) meanwhile. */
  const withMode = <T>(target: string | null, mode: number, fn: () => T): T => {
    if (!target) return fn();
    const before = fs.statSync(target).mode & 0o777;
    fs.chmodSync(target, mode);
    try {
      return fn();
    } finally {
      fs.chmodSync(target, before);
    }
  };

  const fails = (
    tool: 'pyddt-salvage' | 'pyddt-merge',
    name: string,
    unreadable: string | null,
    mode: number,
    args: string[],
    names: string,
    what: RegExp,
    mustNotExist: string[],
  ) =>
    matrix.run(tool.replace('pyddt-', ''), name, 'exit 1, permission denied', () =>
      withMode(unreadable, mode, () => {
        const inputs = snapshot([output, rerun, mask]);
        const r = cli(tool, args, { cwd: ws, as: NOBODY, toolDir: bin });
        assertCleanError(tool, r, 1, names, what);
        assertUnchanged(inputs);
        for (const x of mustNotExist) assert.ok(!fs.existsSync(x), `${x} must not exist after a failure`);
        assertNoStaging(open, closed, ws);
        return message(r).replaceAll(ws + path.sep, '');
      }),
    );

  const salvageArgs = (backup = path.join(open, 'backup'), newMask = path.join(open, 'new-mask.nc')) => [
    output,
    backup,
    '--original-mask',
    mask,
    '--new-mask',
    newMask,
  ];
  const salvageOutputs = () => [path.join(open, 'backup'), path.join(open, 'new-mask.nc')];

  it('nobody can salvage and merge where it may read and write (the setup works)', { skip: skip ?? undefined }, () =>
    matrix.run('both', 'salvage + merge as nobody, all permitted', 'exit 0, complete', async () => {
      const inputs = snapshot([output, rerun, mask]);
      const s = cli('pyddt-salvage', salvageArgs(), { cwd: ws, as: NOBODY, toolDir: bin });
      assert.equal(s.code, 0, s.stderr);
      assertSameCopy(path.join(open, 'backup'), output);
      const m = await readRunMask(path.join(open, 'new-mask.nc'));
      assert.equal(
        m.enabled.reduce((a, b) => a + b, 0),
        FIXTURE_FAILED_CELLS.length,
      );
      const g = cli('pyddt-merge', [path.join(open, 'backup'), rerun, path.join(open, 'merged')], {
        cwd: ws,
        as: NOBODY,
        toolDir: bin,
      });
      assert.equal(g.code, 0, g.stderr);
      assertUnchanged(inputs);
      for (const x of ['backup', 'new-mask.nc', 'merged']) removeTree(path.join(open, x));
      return g.stdout.trim().split('\n').at(-1)!.trim();
    }),
  );

  it('salvage: a file in the output folder it cannot read', { skip: skip ?? undefined }, () =>
    fails(
      'pyddt-salvage',
      'unreadable file in output folder (fail_log.txt)',
      path.join(output, 'fail_log.txt'),
      0o600,
      salvageArgs(),
      path.join(output, 'fail_log.txt'),
      /permission denied/,
      salvageOutputs(),
    ),
  );
  it('salvage: run_status.nc it cannot read', { skip: skip ?? undefined }, () =>
    fails(
      'pyddt-salvage',
      'unreadable run_status.nc',
      path.join(output, 'run_status.nc'),
      0o600,
      salvageArgs(),
      path.join(output, 'run_status.nc'),
      /permission denied/,
      salvageOutputs(),
    ),
  );
  it('salvage: an original mask it cannot read', { skip: skip ?? undefined }, () =>
    fails(
      'pyddt-salvage',
      'unreadable original mask',
      mask,
      0o600,
      salvageArgs(),
      mask,
      /permission denied/,
      salvageOutputs(),
    ),
  );
  it('salvage: an output folder it cannot read', { skip: skip ?? undefined }, () =>
    fails(
      'pyddt-salvage',
      'unreadable output folder',
      output,
      0o700,
      salvageArgs(),
      output,
      /permission denied/,
      salvageOutputs(),
    ),
  );
  it('salvage: a backup destination it cannot write', { skip: skip ?? undefined }, () =>
    fails(
      'pyddt-salvage',
      'backup in a folder it cannot write',
      null,
      0,
      salvageArgs(path.join(closed, 'backup')),
      closed,
      /permission denied \(cannot create the backup folder there\)/,
      [path.join(closed, 'backup'), path.join(open, 'new-mask.nc')],
    ),
  );
  it(
    'salvage: a new-mask destination it cannot write (the backup must not appear alone)',
    { skip: skip ?? undefined },
    () =>
      fails(
        'pyddt-salvage',
        'new mask in a folder it cannot write',
        null,
        0,
        salvageArgs(path.join(open, 'backup'), path.join(closed, 'new-mask.nc')),
        path.join(closed, 'new-mask.nc'),
        /permission denied/,
        [path.join(open, 'backup'), path.join(closed, 'new-mask.nc')],
      ),
  );
  it('merge: a NetCDF file in the salvaged folder it cannot read', { skip: skip ?? undefined }, () =>
    fails(
      'pyddt-merge',
      'unreadable GPP_monthly_tr.nc (salvaged)',
      path.join(output, 'GPP_monthly_tr.nc'),
      0o600,
      [output, rerun, path.join(open, 'merged')],
      path.join(output, 'GPP_monthly_tr.nc'),
      /permission denied/,
      [path.join(open, 'merged')],
    ),
  );
  it('merge: a NetCDF file in the rerun folder it cannot read', { skip: skip ?? undefined }, () =>
    fails(
      'pyddt-merge',
      'unreadable restart-tr.nc (rerun)',
      path.join(rerun, 'restart-tr.nc'),
      0o600,
      [output, rerun, path.join(open, 'merged')],
      path.join(rerun, 'restart-tr.nc'),
      /permission denied/,
      [path.join(open, 'merged')],
    ),
  );
  it('merge: another file in the salvaged folder it cannot read', { skip: skip ?? undefined }, () =>
    fails(
      'pyddt-merge',
      'unreadable config_record.js (salvaged)',
      path.join(output, 'config_record.js'),
      0o600,
      [output, rerun, path.join(open, 'merged')],
      path.join(output, 'config_record.js'),
      /permission denied/,
      [path.join(open, 'merged')],
    ),
  );
  it('merge: a rerun folder it cannot read', { skip: skip ?? undefined }, () =>
    fails(
      'pyddt-merge',
      'unreadable rerun folder',
      rerun,
      0o700,
      [output, rerun, path.join(open, 'merged')],
      rerun,
      /permission denied/,
      [path.join(open, 'merged')],
    ),
  );
  it('merge: an output destination it cannot write', { skip: skip ?? undefined }, () =>
    fails(
      'pyddt-merge',
      'merged folder in a folder it cannot write',
      null,
      0,
      [output, rerun, path.join(closed, 'merged')],
      closed,
      /permission denied \(cannot create the merged output folder there\)/,
      [path.join(closed, 'merged')],
    ),
  );
});
