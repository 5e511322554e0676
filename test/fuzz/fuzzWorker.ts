/**
 * Child process of the fuzz tests (run by test/fuzz/*.test.ts, never directly by the test runner):
 * mutates sources by seed, or replays saved files, and feeds each input to every reader. One JSON line
 * per event on stdout, so the parent can tell which input was running if this process dies or hangs.
 *
 *   node fuzzWorker.js '{"mode":"fuzz","sources":[...],"workDir":"...","seed":1,"start":0,"step":2,"end":600}'
 *   node fuzzWorker.js '{"mode":"replay","files":[...]}'
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeSource, mutate, type SourceInfo } from './mutate';
import { readEverything, type ReaderResult } from './readers';

export interface FuzzJob {
  mode: 'fuzz';
  sources: string[];
  workDir: string;
  seed: number;
  /** Case indices start, start + step, ...; case i uses source i % sources.length and seed (seed + i). */
  start: number;
  step: number;
  /** Epoch ms after which no new case starts (FUZZ_SECONDS), or none. */
  deadline?: number;
  /** Case indices stop below this (FUZZ_CASES), whatever the time. */
  end?: number;
}
export interface ReplayJob {
  mode: 'replay';
  files: string[];
}

export type WorkerEvent =
  | { t: 'start'; i: number; source: string; kind: string; detail: string; input: string }
  | {
      t: 'done';
      i: number;
      source: string;
      kind: string;
      detail: string;
      results: ReaderResult[];
      rss: number;
      ms: number;
      kept?: string;
    }
  | { t: 'end'; cases: number };

const emit = (e: WorkerEvent) => fs.writeSync(1, JSON.stringify(e) + '\n');

export const caseSeed = (seed: number, i: number) => (Math.imul(seed, 0x9e3779b1) + i * 7919) >>> 0;

async function runFuzz(job: FuzzJob): Promise<void> {
  const sources: SourceInfo[] = job.sources.map((p) => describeSource(path.basename(p), fs.readFileSync(p)));
  const input = path.join(job.workDir, `case-${job.start}.nc`);
  let cases = 0;
  for (let i = job.start; i < (job.end ?? Infinity) && Date.now() < (job.deadline ?? Infinity); i += job.step) {
    const src = sources[i % sources.length];
    const m = mutate(src, caseSeed(job.seed, i));
    fs.writeFileSync(input, m.bytes);
    const base = { i, source: src.name, kind: m.kind, detail: m.detail };
    emit({ t: 'start', ...base, input });
    const t0 = Date.now();
    const results = await readEverything(input);
    // Keep a failing input before the next case overwrites it (the parent copies it from there).
    let kept: string | undefined;
    if (results.some((r) => r.outcome === 'BAD'))
      fs.copyFileSync(input, (kept = path.join(job.workDir, `bad-${i}.nc`)));
    emit({ t: 'done', ...base, results, rss: process.memoryUsage().rss, ms: Date.now() - t0, kept });
    cases++;
    // A wasm abort leaves h5wasm unusable: let the parent start a fresh process for the next case.
    if (results.some((r) => r.fatal)) process.exit(3);
  }
  emit({ t: 'end', cases });
}

async function runReplay(job: ReplayJob): Promise<void> {
  for (const [i, file] of job.files.entries()) {
    const base = { i, source: path.basename(file), kind: 'replay', detail: file };
    emit({ t: 'start', ...base, input: file });
    const t0 = Date.now();
    const results = await readEverything(file);
    emit({ t: 'done', ...base, results, rss: process.memoryUsage().rss, ms: Date.now() - t0 });
    if (results.some((r) => r.fatal)) process.exit(3);
  }
  emit({ t: 'end', cases: job.files.length });
}

if (require.main === module) {
  const job = JSON.parse(process.argv[2]) as FuzzJob | ReplayJob;
  (job.mode === 'fuzz' ? runFuzz(job) : runReplay(job)).then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(`fuzz worker failed: ${(err as Error)?.stack ?? err}\n`);
      process.exit(4);
    },
  );
}
