#!/usr/bin/env node
// Runs a command with TMPDIR set to a fresh folder of its own and removes that folder afterwards, so
// that a test run leaves nothing in /tmp (the suites make hundreds of scratch runs: several GB per run).
//
//   node scripts/withScratchTmp.mjs COMMAND [ARGS...]      exit status: the command's
//
// KEEP_TEST_TMP=1 keeps the folder (its path is printed) to look at what a test left behind.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: node scripts/withScratchTmp.mjs COMMAND [ARGS...]');
  process.exit(2);
}
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'pyddt-tests-'));
// A TMPDIR like /tmp: the permission tests run the CLIs as nobody, SLURM jobs may run as another user.
fs.chmodSync(scratch, 0o1777);
const r = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, TMPDIR: scratch } });
if (process.env.KEEP_TEST_TMP === '1') console.error(`scratch files kept in ${scratch}`);
else removeScratch();
if (r.error) {
  console.error(`${command}: ${r.error.message}`);
  process.exit(1);
}
process.exit(r.status ?? 1);

function removeScratch() {
  try {
    fs.rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    // Tests make read-only folders (a user without root cannot delete inside them): make them writable.
    spawnSync('chmod', ['-R', 'u+rwX', scratch]);
    try {
      fs.rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
    } catch (err) {
      console.error(`could not remove the test scratch folder ${scratch}: ${err.message}`);
    }
  }
}
