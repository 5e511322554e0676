// The extension's core worker (src/extension/coreClient.ts CoreWorker): the real worker bundle reads
// real files and keeps one thread; a worker that reports its HDF5 library unusable (`retire`) or dies
// is replaced, and requests it was still answering are not lost.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { CoreWorker } from '../../src/extension/coreClient';
import { UserError } from '../../src/core/errors';
import { fixture, repoRoot, tempDir } from '../helpers/files';

const logged: string[] = [];
const log = { debug: (m: string) => logged.push(`debug ${m}`), warn: (m: string) => logged.push(`warn ${m}`) };

describe('the real core worker (dist/coreWorker.js)', () => {
  const script = path.join(repoRoot, 'dist', 'coreWorker.js');
  const worker = new CoreWorker(script, log);
  after(() => worker.dispose());

  it('reads classic and NetCDF-4 files and refuses a damaged one, all in one thread', async () => {
    assert.ok(fs.existsSync(script), `${script} is missing: run npm run build`);
    const status = await worker.call('readRunStatus', { path: path.join(fixture.original, 'run_status.nc') });
    assert.equal(status.counts.success, 6);
    const mask = await worker.call('readRunMask', { path: fixture.mask });
    assert.equal(
      mask.enabled.reduce((a, b) => a + b, 0),
      10,
    );
    const damaged = path.join(tempDir('core-worker'), 'run_status.nc');
    fs.writeFileSync(damaged, fs.readFileSync(path.join(fixture.original, 'run_status.nc')).subarray(0, 100));
    await assert.rejects(
      worker.call('readRunStatus', { path: damaged }),
      (err: Error) => err instanceof UserError && err.message.includes(damaged),
    );
    const again = await worker.call('readRunMask', { path: fixture.mask });
    assert.deepEqual(again.enabled, mask.enabled);
    const plan = await worker.call('planSalvage', {
      outputDir: fixture.original,
      originalMask: fixture.mask,
      backupDir: path.join(tempDir('core-worker'), 'b'),
      newMask: path.join(tempDir('core-worker'), 'm.nc'),
    });
    assert.equal(plan.failedCells.length, 4);
    // Valid files and errors of our own checks leave the HDF5 library trusted: still the first worker.
    assert.equal(worker.started, 1, `threads started: ${worker.started}; log: ${logged.join(' | ')}`);
  });

  it('after the HDF5 library itself refused a damaged NetCDF-4 file, the next read runs in a fresh worker', async () => {
    const truncated = path.join(
      repoRoot,
      'test',
      'fixtures',
      'fuzz-regressions',
      'run-mask-truncated-reported-wrongly-after-damage.nc',
    );
    const copy = path.join(tempDir('core-worker'), 'run-mask.nc');
    fs.copyFileSync(truncated, copy);
    await assert.rejects(
      worker.call('readRunMask', { path: copy }),
      (err: Error) => err instanceof UserError && /truncated file/.test(err.message),
    );
    const before = worker.started;
    const mask = await worker.call('readRunMask', { path: fixture.mask });
    assert.equal(
      mask.enabled.reduce((a, b) => a + b, 0),
      10,
    );
    assert.equal(worker.started, before + 1, 'the read after the library error must go to a fresh worker');
    assert.ok(
      logged.some((l) => l.startsWith('warn') && /truncated file/.test(l)),
      `the reason is logged: ${logged.join(' | ')}`,
    );
  });
});

/**
 * A stand-in worker speaking the same protocol (envelopes of src/shared/messenger.ts), to drive the lifecycle: it answers with its thread
 * id, after `delay` ms, asks to be retired when told to, or dies.
 */
const DOUBLE = `
const { parentPort, threadId } = require('node:worker_threads');
let nextId = 1;
parentPort.on('message', ({ id, body: { args } }) => {
  if (args.die) process.exit(3);
  const reply = { type: 'result', value: threadId, retire: args.retire };
  setTimeout(() => parentPort.postMessage({ id: nextId++, inReplyTo: id, body: reply }), args.delay || 0);
});
`;

describe('core worker lifecycle', () => {
  const script = path.join(tempDir('core-worker-double'), 'double.js');
  fs.writeFileSync(script, DOUBLE);
  const call = (w: CoreWorker, args: Record<string, unknown>) =>
    w.call('readRunStatus', args as never) as unknown as Promise<number>;

  it('keeps one thread while it is healthy', async () => {
    const w = new CoreWorker(script, log);
    try {
      const ids = [await call(w, {}), await call(w, {}), await call(w, {})];
      assert.equal(new Set(ids).size, 1);
      assert.equal(w.started, 1);
    } finally {
      w.dispose();
    }
  });

  it('replaces a worker that asks to be retired; what it was still answering completes', async () => {
    const w = new CoreWorker(script, log);
    try {
      const slow = call(w, { delay: 300 });
      const first = await call(w, { retire: 'the HDF5 library failed on a damaged file (test)' });
      const next = await call(w, {});
      assert.notEqual(next, first, 'the request after a retire must go to a fresh worker');
      assert.equal(await slow, first, 'a request already sent to the retired worker is still answered by it');
      assert.equal(w.started, 2);
      assert.ok(
        logged.some((l) => l.startsWith('warn') && l.includes('damaged file (test)')),
        'the reason is logged',
      );
    } finally {
      w.dispose();
    }
  });

  it('a worker that dies fails its requests with a clear error, and the next request gets a fresh one', async () => {
    const w = new CoreWorker(script, log);
    try {
      const first = await call(w, {});
      await assert.rejects(call(w, { die: true }), /core worker stopped \(exit code 3\)/);
      const next = await call(w, {});
      assert.notEqual(next, first);
      assert.equal(w.started, 2);
    } finally {
      w.dispose();
    }
  });
});
