/**
 * Runs fuzz/replay jobs in child processes (test/fuzz/fuzzWorker.ts) with a watchdog, so that a reader
 * that crashes the process (a wasm abort that exits, a fatal V8 error, running out of memory) or hangs
 * is caught, its input saved, and the run goes on with the next input in a fresh process.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type { FuzzJob, ReplayJob, WorkerEvent } from './fuzzWorker';
import type { ReaderResult } from './readers';

export const WORKER_JS = path.join(__dirname, 'fuzzWorker.js');

export interface CaseRecord {
  i: number;
  source: string;
  kind: string;
  detail: string;
  results: ReaderResult[];
  rss: number;
  ms: number;
}

export interface Failure {
  what: 'BAD read' | 'crash' | 'hang' | 'stderr output';
  i: number;
  source: string;
  kind: string;
  detail: string;
  message: string;
  /** Copy of the input that failed, to keep as a regression fixture. */
  saved?: string;
}

export interface RunOptions {
  /** No event for this long while an input is being read means a hang. */
  hangMs: number;
  /** Where failing inputs are copied. */
  saveDir: string;
  /** Extra node flags for the workers (e.g. a heap limit). */
  nodeArgs?: string[];
}

export interface RunOutcome {
  cases: CaseRecord[];
  failures: Failure[];
  restarts: number;
}

type Job = FuzzJob | ReplayJob;

/** Inputs kept per run: after a systematic failure every input fails, and a few show it. */
const MAX_SAVED = 20;
/** A run stops after this many failures. */
const MAX_FAILURES = 50;
let saved = 0;

function saveInput(input: string, saveDir: string, name: string): string | undefined {
  if (saved >= MAX_SAVED) return undefined;
  saved++;
  try {
    fs.mkdirSync(saveDir, { recursive: true });
    const to = path.join(saveDir, name);
    fs.copyFileSync(input, to);
    return to;
  } catch {
    return undefined;
  }
}

/** Runs one job to its end, restarting the worker after a crash or hang with the next input. */
async function runJob(initial: Job, opts: RunOptions, out: RunOutcome): Promise<void> {
  let job: Job | undefined = initial;
  while (job) {
    const current: Job = job;
    job = undefined;
    let running: Extract<WorkerEvent, { t: 'start' }> | undefined;
    let lastDoneIndex = -1;
    let ended = false;
    let stderr = '';
    const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), WORKER_JS, JSON.stringify(current)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < 64 * 1024) stderr += d;
    });
    let hung = false;
    let lastEvent = Date.now();
    const watchdog = setInterval(() => {
      if (running && Date.now() - lastEvent > opts.hangMs) {
        hung = true;
        child.kill('SIGKILL');
      }
    }, 200);
    const lines = readline.createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      lastEvent = Date.now();
      const e = JSON.parse(line) as WorkerEvent;
      if (e.t === 'start') running = e;
      else if (e.t === 'done') {
        running = undefined;
        lastDoneIndex = e.i;
        out.cases.push({
          i: e.i,
          source: e.source,
          kind: e.kind,
          detail: e.detail,
          results: e.results,
          rss: e.rss,
          ms: e.ms,
        });
        for (const r of e.results.filter((x) => x.outcome === 'BAD')) {
          const input =
            e.kept ??
            (current.mode === 'fuzz' ? path.join(current.workDir, `case-${current.start}.nc`) : current.files[e.i]);
          out.failures.push({
            what: 'BAD read',
            i: e.i,
            source: e.source,
            kind: e.kind,
            detail: e.detail,
            message: `${r.reader}: ${r.message}`,
            saved: saveInput(input, opts.saveDir, `${e.source.replace(/\.nc$/, '')}-case${e.i}.nc`),
          });
        }
      } else ended = true;
      if (out.failures.length >= MAX_FAILURES) child.kill('SIGKILL');
    });
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on('close', (c, s) => resolve([c, s])),
    );
    clearInterval(watchdog);
    const leaked = stderr.trim();
    if (leaked && !hung) {
      out.failures.push({
        what: 'stderr output',
        i: running?.i ?? lastDoneIndex,
        source: running?.source ?? '',
        kind: running?.kind ?? '',
        detail: running?.detail ?? '',
        message: leaked.split('\n').slice(0, 6).join('\n'),
      });
    }
    if (ended && code === 0) return;
    if (running) {
      const what = hung ? 'hang' : 'crash';
      out.failures.push({
        what,
        i: running.i,
        source: running.source,
        kind: running.kind,
        detail: running.detail,
        message: hung
          ? `no answer within ${opts.hangMs} ms`
          : `worker exited with code ${code} signal ${signal}: ${leaked.split('\n').slice(-4).join(' | ')}`,
        saved: saveInput(running.input, opts.saveDir, `${running.source.replace(/\.nc$/, '')}-${what}${running.i}.nc`),
      });
    } else if (code !== 3) {
      out.failures.push({
        what: 'crash',
        i: lastDoneIndex,
        source: '',
        kind: '',
        detail: '',
        message: `worker exited with code ${code} signal ${signal} between inputs: ${leaked.slice(-500)}`,
      });
      return;
    }
    if (out.failures.length >= MAX_FAILURES) return;
    // Go on after the input that failed, in a fresh process.
    out.restarts++;
    const failedAt = running?.i ?? lastDoneIndex;
    if (current.mode === 'fuzz') {
      if (Date.now() < (current.deadline ?? Infinity)) job = { ...current, start: failedAt + current.step };
    } else {
      const rest = current.files.slice(failedAt + 1);
      if (rest.length) job = { mode: 'replay', files: rest };
    }
  }
}

export async function runWorkers(jobs: Job[], opts: RunOptions): Promise<RunOutcome> {
  const out: RunOutcome = { cases: [], failures: [], restarts: 0 };
  await Promise.all(jobs.map((j) => runJob(j, opts, out)));
  return out;
}

/** Failures as text, one block per input, for an assertion message. */
export function describeFailures(failures: Failure[]): string {
  return (
    failures
      .slice(0, 12)
      .map(
        (f) =>
          `  [${f.what}] ${f.source} case ${f.i} (${f.kind}: ${f.detail})${f.saved ? `\n    input kept at ${f.saved}` : ''}\n    ${f.message.split('\n').slice(0, 8).join('\n    ')}`,
      )
      .join('\n') + (failures.length > 12 ? `\n  … and ${failures.length - 12} more` : '')
  );
}
