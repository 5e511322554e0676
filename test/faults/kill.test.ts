/**
 * The process killed (SIGKILL: no handler runs) at seeded random moments during a merge and during a
 * salvage of a large generated run, many times over. After every kill: the destination (merged folder,
 * backup, new mask) either does not exist or is complete and correct — never a partial result under
 * the final name — and running the same command again works, whatever staging the killed process left.
 * At the end the inputs are byte-identical and the last, uninterrupted run leaves no staging behind.
 *
 *   KILL_RUNS (default 25) kills per command;  KILL_SEED (default 424242)
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { readRunMask } from '../../src/core/runMask';
import { repoRoot } from '../helpers/files';
import {
  assertNoStaging,
  assertSameCopy,
  assertUnchanged,
  cli,
  contentTree,
  Matrix,
  removeTree,
  rng,
  sha,
  snapshot,
  stagingLeftovers,
  toolPath,
  workspace,
  type Tool,
} from './harness';

const RUNS = Number(process.env.KILL_RUNS ?? 25);
const SEED = Number(process.env.KILL_SEED ?? 424242);
/** Grid and years of the generated run: about 220 MB per run folder, a merge of about a second here. */
const SIZE = { rows: 60, cols: 60, trYears: 20, scYears: 10 };

const matrix = new Matrix(`Fault matrix: SIGKILL at random moments (seed ${SEED}, ${RUNS} kills per command)`);

interface Killed {
  code: number | null;
  signal: NodeJS.Signals | null;
  ms: number;
}

/** Starts a CLI and kills it with SIGKILL after `delayMs` (if it is still running then). */
function runAndKill(tool: Tool, args: string[], delayMs: number): Promise<Killed> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [toolPath(tool), ...args], { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, ms: Date.now() - t0 });
    });
  });
}

describe(`killed mid-way (SIGKILL, ${RUNS} times per command)`, () => {
  let ws: string;
  let data: string;
  let output: string;
  let rerun: string;
  let mask: string;
  let inputs: ReturnType<typeof snapshot>;
  const p = (...parts: string[]) => path.join(ws, ...parts);

  before(async () => {
    ws = workspace('faults-kill');
    data = p('data');
    output = path.join(data, 'output');
    rerun = path.join(data, 'rerun');
    mask = path.join(data, 'run-mask.nc');
    // scripts/makeRun.mjs writes realistic run folders with the compiled core (out/src/core).
    const { makeRun, makeMask } = (await import(pathToFileURL(path.join(repoRoot, 'scripts', 'makeRun.mjs')).href)) as {
      makeRun: (dir: string, o: object) => Promise<void>;
      makeMask: (file: string, rows: number, cols: number, enabled: number[]) => Promise<void>;
    };
    const cells = SIZE.rows * SIZE.cols;
    const status = Int32Array.from({ length: cells }, (_, i) => (i % 7 === 0 ? (i % 2 ? -100 : -5) : 100));
    await makeRun(output, { ...SIZE, status, seed: 1 });
    await makeRun(rerun, { ...SIZE, status: status.map((s) => (s > 0 ? 0 : 100)), seed: 2 });
    await makeMask(mask, SIZE.rows, SIZE.cols, new Array(cells).fill(1));
    inputs = snapshot([output, rerun, mask]);
  });
  after(() => {
    matrix.print();
    removeTree(ws);
  });

  it(`merge: ${RUNS} kills, then a run to the end`, async () => {
    const dest = p('kill-merge');
    fs.mkdirSync(dest);
    const out = path.join(dest, 'merged');
    const args = [output, rerun, out];
    // The reference: one uninterrupted merge, which also gives the duration the kills spread over.
    const ref = cli('pyddt-merge', [output, rerun, p('reference-merged')]);
    assert.equal(ref.code, 0, ref.stderr);
    const reference = contentTree(p('reference-merged'));
    removeTree(p('reference-merged'));
    const random = rng(SEED);
    const outcomes: Record<string, number> = {};
    for (let i = 0; i < RUNS; i++) {
      const delay = Math.round(random() * 1.2 * ref.ms);
      await matrix.run(
        'merge',
        `kill ${String(i + 1).padStart(2)} at ${String(delay).padStart(5)} ms of ~${ref.ms} ms`,
        'absent or complete',
        () =>
          runAndKill('pyddt-merge', args, delay).then((k) => {
            let state: string;
            if (fs.existsSync(out)) {
              assert.deepEqual(
                contentTree(out),
                reference,
                `kill ${i + 1}: ${out} exists but is not the complete merge`,
              );
              state = k.signal ? 'complete (killed after publishing)' : `complete (finished, exit ${k.code})`;
              removeTree(out); // make room for the next attempt
            } else {
              assert.ok(
                k.signal === 'SIGKILL',
                `kill ${i + 1}: the merge ended with exit ${k.code} but left no output`,
              );
              state = stagingLeftovers(dest).length
                ? 'absent; staging left by the killed process'
                : 'absent; nothing written yet';
            }
            outcomes[state] = (outcomes[state] ?? 0) + 1;
            return state;
          }),
      );
    }
    await matrix.run(
      'merge',
      `rerun after ${RUNS} kills (${stagingLeftovers(dest).length} staging folders left)`,
      'exit 0, complete, no staging',
      () => {
        const r = cli('pyddt-merge', args);
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(contentTree(out), reference, 'the merge after the kills is complete and correct');
        assertNoStaging(dest);
        return `exit 0, complete; outcomes: ${JSON.stringify(outcomes)}`;
      },
    );
    assertUnchanged(inputs);
  });

  it(`salvage: ${RUNS} kills, then a run to the end`, async () => {
    const dest = p('kill-salvage');
    fs.mkdirSync(dest);
    const backup = path.join(dest, 'backup');
    const newMask = path.join(dest, 'run-mask-failed.nc');
    const args = [output, backup, '--original-mask', mask, '--new-mask', newMask];
    const ref = cli('pyddt-salvage', args);
    assert.equal(ref.code, 0, ref.stderr);
    assertSameCopy(backup, output);
    const referenceMask = sha(newMask);
    const failed = (await readRunMask(newMask)).enabled.reduce((a, b) => a + b, 0);
    assert.equal(failed, Array.from({ length: SIZE.rows * SIZE.cols }, (_, i) => i % 7 === 0).filter(Boolean).length);
    removeTree(backup);
    fs.rmSync(newMask);
    const random = rng(SEED + 1);
    const outcomes: Record<string, number> = {};
    for (let i = 0; i < RUNS; i++) {
      const delay = Math.round(random() * 1.2 * ref.ms);
      await matrix.run(
        'salvage',
        `kill ${String(i + 1).padStart(2)} at ${String(delay).padStart(5)} ms of ~${ref.ms} ms`,
        'absent or complete',
        () =>
          runAndKill('pyddt-salvage', args, delay).then((k) => {
            const hasBackup = fs.existsSync(backup);
            const hasMask = fs.existsSync(newMask);
            if (hasBackup) assertSameCopy(backup, output);
            if (hasMask)
              assert.equal(
                sha(newMask),
                referenceMask,
                `kill ${i + 1}: ${newMask} exists but is not the complete mask`,
              );
            let state: string;
            if (hasBackup && hasMask)
              state = k.signal ? 'complete (killed after publishing)' : `complete (finished, exit ${k.code})`;
            // The backup and the mask are renamed into place one after the other: a kill between the two
            // renames leaves a complete backup without its mask (then BACKUP_DIR exists for the rerun).
            else if (hasBackup) state = 'backup complete, mask not yet renamed';
            else if (hasMask) state = 'mask complete, backup not yet renamed';
            else {
              assert.ok(
                k.signal === 'SIGKILL',
                `kill ${i + 1}: the salvage ended with exit ${k.code} but left no output`,
              );
              state = stagingLeftovers(dest).length
                ? 'absent; staging left by the killed process'
                : 'absent; nothing written yet';
            }
            if (hasBackup) removeTree(backup);
            if (hasMask) fs.rmSync(newMask);
            outcomes[state] = (outcomes[state] ?? 0) + 1;
            return state;
          }),
      );
    }
    await matrix.run(
      'salvage',
      `rerun after ${RUNS} kills (${stagingLeftovers(dest).length} staging entries left)`,
      'exit 0, complete, no staging',
      () => {
        const r = cli('pyddt-salvage', args);
        assert.equal(r.code, 0, r.stderr);
        assertSameCopy(backup, output);
        assert.equal(sha(newMask), referenceMask);
        assertNoStaging(dest);
        return `exit 0, complete; outcomes: ${JSON.stringify(outcomes)}`;
      },
    );
    assertUnchanged(inputs);
  });
});
