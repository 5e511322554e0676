// The setup shared by the suites that need a real SLURM (test/slurm, test/integration/slurmSubmit):
// scripts/slurm-local.sh brings up a one-node cluster or reuses a running one; a suite stops it only
// when it started it. When SLURM cannot start, the suite fails with the script's reason.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { repoRoot } from './files';

const SCRIPT = path.join(repoRoot, 'scripts', 'slurm-local.sh');

/** Runs a command to its end (from the repository root unless told), with its output as text. */
export function run(cmd: string, args: string[], cwd = repoRoot) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
}

/** Starts (or reuses) the one-node SLURM; returns what stops it again if this call started it. */
export function startSlurm(): () => void {
  const r = run('bash', [SCRIPT, 'start']);
  assert.equal(r.code, 0, `SLURM could not start: ${(r.stderr || r.stdout).trim() || r.error?.message}`);
  const startedHere = /started:/.test(r.stdout);
  return () => {
    if (startedHere) run('bash', [SCRIPT, 'stop']);
  };
}

/** A job's state (PENDING, RUNNING, COMPLETED, ...) and the controller's description of it. */
export function jobState(id: string): { state: string; text: string } {
  const r = run('scontrol', ['show', 'job', '-o', id]);
  const m = /\bJobState=(\S+)/.exec(r.stdout);
  if (m) return { state: m[1], text: r.stdout.trim() };
  // Gone from the controller's memory: squeue has nothing either once it finished.
  const q = run('squeue', ['-h', '-j', id, '-o', '%T']);
  return { state: q.stdout.trim() || 'UNKNOWN', text: r.stderr.trim() || q.stderr.trim() };
}
