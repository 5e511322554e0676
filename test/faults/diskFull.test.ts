/**
 * A full disk during a merge and during a salvage, on small tmpfs mounts made by the test (root is
 * needed to mount; CI runs as root, so a failure to mount fails the test with the reason instead of
 * skipping it). Each case: exit 1 with one line saying there is no space, the staging folder removed,
 * inputs intact; then the same command succeeds once there is room.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readRunMask } from '../../src/core/runMask';
import { FIXTURE_FAILED_CELLS } from '../helpers/files';
import {
  assertCleanError,
  assertNoStaging,
  assertSameCopy,
  assertUnchanged,
  cli,
  contentTree,
  fixtureWorkspace,
  Matrix,
  message,
  removeTree,
  snapshot,
} from './harness';

const matrix = new Matrix('Fault matrix: disk full');

describe('disk full (small tmpfs mounts)', () => {
  let ws: string;
  let output: string;
  let rerun: string;
  let mask: string;
  let reference: Record<string, string>;
  const mounted = new Set<string>();
  const p = (...parts: string[]) => path.join(ws, ...parts);

  /** Mounts a tmpfs of `options` (e.g. size=1m) at `dir`, replacing what is mounted there. */
  const mount = (dir: string, options: string) => {
    if (mounted.has(dir)) unmount(dir);
    fs.mkdirSync(dir, { recursive: true });
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { encoding: 'utf8' });
    if (r.status !== 0) {
      throw new Error(
        `cannot mount a tmpfs at ${dir} (${(r.stderr || r.error?.message || '').trim()}); these tests need root (uid ${process.getuid?.()}), as in CI`,
      );
    }
    mounted.add(dir);
  };
  const unmount = (dir: string) => {
    if (spawnSync('umount', [dir]).status !== 0) spawnSync('umount', ['-l', dir]);
    mounted.delete(dir);
  };

  before(() => {
    ({ ws, output, rerun, mask } = fixtureWorkspace('faults-diskfull'));
    const r = cli('pyddt-merge', [output, rerun, p('reference-merged')]);
    assert.equal(r.code, 0, r.stderr);
    reference = contentTree(p('reference-merged'));
  });
  after(() => {
    matrix.print();
    for (const dir of [...mounted]) unmount(dir);
    removeTree(ws);
  });

  const expectNoSpace = (
    tool: 'pyddt-salvage' | 'pyddt-merge',
    args: string[],
    names: string,
    absent: string[],
    stagingDirs: string[],
  ) => {
    const inputs = snapshot([output, rerun, mask]);
    const r = cli(tool, args);
    assertCleanError(tool, r, 1, names, /no space left on the device/);
    assertUnchanged(inputs);
    for (const x of absent) assert.ok(!fs.existsSync(x), `${x} must not exist after a failure`);
    assertNoStaging(...stagingDirs);
    return message(r).replaceAll(ws + path.sep, '');
  };

  it('merge into a 1 MiB file system: clean error, nothing left; then succeeds with room', () =>
    matrix.run('merge', 'output on a 1 MiB tmpfs (full mid-file)', 'exit 1, no space; rerun ok', () => {
      const disk = p('small-merge');
      mount(disk, 'size=1m');
      const out = path.join(disk, 'merged');
      const msg = expectNoSpace('pyddt-merge', [output, rerun, out], out, [out], [disk]);
      assert.deepEqual(fs.readdirSync(disk), [], 'the full file system holds nothing after the failure');
      mount(disk, 'size=64m'); // room freed: a bigger file system at the same place
      const again = cli('pyddt-merge', [output, rerun, out]);
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual(contentTree(out), reference, 'the merged folder made after the failure is complete and correct');
      assertNoStaging(disk);
      unmount(disk);
      return `${msg} → rerun with room: exit 0, complete`;
    }));

  it('merge onto a file system with no free inodes: clean error before any byte is written', () =>
    matrix.run('merge', 'output on a tmpfs without free inodes', 'exit 1, no space', () => {
      const disk = p('no-inodes');
      mount(disk, 'size=64m,nr_inodes=1');
      const out = path.join(disk, 'merged');
      const msg = expectNoSpace('pyddt-merge', [output, rerun, out], out, [out], [disk]);
      unmount(disk);
      return msg;
    }));

  it('salvage backup onto a 1 MiB file system (full after a few files): clean error; then succeeds elsewhere', () =>
    matrix.run('salvage', 'backup on a 1 MiB tmpfs (full mid-copy)', 'exit 1, no space; rerun ok', async () => {
      const disk = p('small-backup');
      mount(disk, 'size=1m');
      const backup = path.join(disk, 'backup');
      const newMask = p('new-mask-1.nc');
      const msg = expectNoSpace(
        'pyddt-salvage',
        [output, backup, '--original-mask', mask, '--new-mask', newMask],
        backup,
        [backup, newMask],
        [disk, ws],
      );
      assert.deepEqual(fs.readdirSync(disk), [], 'the full file system holds nothing after the failure');
      const again = cli('pyddt-salvage', [output, p('backup-on-disk'), '--original-mask', mask, '--new-mask', newMask]);
      assert.equal(again.code, 0, again.stderr);
      assertSameCopy(p('backup-on-disk'), output);
      const m = await readRunMask(newMask);
      assert.equal(
        m.enabled.reduce((a, b) => a + b, 0),
        FIXTURE_FAILED_CELLS.length,
      );
      removeTree(p('backup-on-disk'));
      fs.rmSync(newMask);
      unmount(disk);
      return `${msg} → rerun elsewhere: exit 0, complete`;
    }));

  it('salvage backup onto an 8 KiB file system (full at once, while the plan is still being read): clean error', () =>
    matrix.run('salvage', 'backup on an 8 KiB tmpfs (full at once)', 'exit 1, no space', () => {
      const disk = p('tiny-backup');
      mount(disk, 'size=8k');
      const backup = path.join(disk, 'backup');
      const newMask = p('new-mask-tiny.nc'); // on the big disk: the copy is what fails, while the NetCDF-4 mask is being read
      const msg = expectNoSpace(
        'pyddt-salvage',
        [output, backup, '--original-mask', mask, '--new-mask', newMask],
        backup,
        [backup, newMask],
        [disk, ws],
      );
      assert.deepEqual(fs.readdirSync(disk), []);
      unmount(disk);
      return msg;
    }));

  it('salvage with the new mask onto a full file system: no backup appears without its mask', () =>
    matrix.run('salvage', 'new mask on a full tmpfs, backup on disk', 'exit 1, no space, no backup', () => {
      const disk = p('full-mask');
      mount(disk, 'size=64k');
      // Leave less room than the mask needs.
      execFileSync('dd', ['if=/dev/zero', `of=${path.join(disk, 'filler')}`, 'bs=4k', 'count=14'], { stdio: 'ignore' });
      const backup = p('backup-with-mask');
      const newMask = path.join(disk, 'new-mask.nc');
      const msg = expectNoSpace(
        'pyddt-salvage',
        [output, backup, '--original-mask', mask, '--new-mask', newMask],
        newMask,
        [backup, newMask],
        [disk, ws],
      );
      assert.deepEqual(fs.readdirSync(disk), ['filler']);
      fs.rmSync(path.join(disk, 'filler')); // free the space: the same command now succeeds
      const again = cli('pyddt-salvage', [output, backup, '--original-mask', mask, '--new-mask', newMask]);
      assert.equal(again.code, 0, again.stderr);
      assertSameCopy(backup, output);
      removeTree(backup);
      unmount(disk);
      return `${msg} → after freeing space: exit 0`;
    }));
});
