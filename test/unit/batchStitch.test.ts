import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { stitchBatchRun } from '../../src/core/batch/stitch';
import { stitchLimits } from '../../src/core/batch/stitchFile';
import { mergeLimits } from '../../src/core/mergeFile';
import { readRunStatus } from '../../src/core/runStatus';
import { detectFormat } from '../../src/core/netcdf/format';
import { batchCli, cellIndex, cleanRun, FULL_DOMAIN_BATCHES, makeFullDomainBatchRun } from '../helpers/batchRuns';
import { fixture, hashFile, hashTree, ncdump, ncgen, tempDir } from '../helpers/files';
import { cellOfElement, readAllVariables } from '../helpers/values';

describe('pyddt-batch stitch of a full-domain batch run built from the fixture', () => {
  let batchDir: string;
  let out: string;
  let inputsBefore: Record<string, string>;
  let stdout: string;

  before(async () => {
    batchDir = await makeFullDomainBatchRun(path.join(tempDir('stitch'), 'batch-run'));
    inputsBefore = hashTree(batchDir);
    out = path.join(path.dirname(batchDir), 'stitched');
    const r = batchCli(['stitch', batchDir, out]);
    assert.equal(r.code, 0, r.stderr);
    stdout = r.stdout;
  });

  it('writes every NetCDF file of the batches, in its own format', () => {
    const ncFiles = fs
      .readdirSync(fixture.original)
      .filter((f) => f.endsWith('.nc'))
      .sort();
    assert.deepEqual(
      fs
        .readdirSync(out)
        .filter((f) => f.endsWith('.nc'))
        .sort(),
      ncFiles,
    );
    for (const f of ncFiles)
      assert.equal(detectFormat(path.join(out, f)), detectFormat(path.join(fixture.original, f)), f);
    assert.match(stdout, /Stitching 22 files from 4 batches \(domain 10 rows × 10 columns\)/);
    assert.match(stdout, /Not started \(cells marked never written\): batch-11/);
  });

  it("takes every value of each batch's cells bit-identical from the real run that batch ran, the rest from the batches' unrun cells", async () => {
    const clean = await cleanRun();
    const sourceOf = new Map<number, string>();
    for (const b of FULL_DOMAIN_BATCHES) {
      if (b.from !== 'never')
        for (const [r, c] of b.cells) sourceOf.set(cellIndex(r, c), b.from === 'clean' ? clean : fixture.original);
    }
    const unrun = path.join(batchDir, 'batch-3', 'output');
    for (const f of fs.readdirSync(fixture.original).filter((n) => n.endsWith('.nc'))) {
      const stitched = await readAllVariables(path.join(out, f));
      const sources = new Map<string, Awaited<ReturnType<typeof readAllVariables>>>();
      for (const dir of [clean, fixture.original, unrun]) sources.set(dir, await readAllVariables(path.join(dir, f)));
      let checkedCells = 0;
      for (const [name, sv] of stitched) {
        const n = sv.bytes.length / sv.elementSize;
        for (let i = 0; i < n; i++) {
          const cell = cellOfElement(sv, i);
          const from = cell ? (sourceOf.get(cellIndex(cell[0], cell[1])) ?? unrun) : unrun;
          if (f === 'run_status.nc' && name === 'run_status' && cell && cell[0] === 8 && cell[1] <= 1) continue; // checked below
          const expected = sources.get(from)!.get(name)!;
          const at = i * sv.elementSize;
          const same = sv.bytes.subarray(at, at + sv.elementSize).every((b, k) => b === expected.bytes[at + k]);
          assert.ok(same, `${f} ${name} element ${i} (cell ${cell?.join(', ')}) differs from ${from}`);
          if (from !== unrun) checkedCells++;
        }
      }
      assert.ok(checkedCells > 0, `${f}: no batch cell checked`);
    }
  });

  it('keeps failures as failures, marks cells of the batch that never started as never written, the rest masked', async () => {
    const s = await readRunStatus(path.join(out, 'run_status.nc'));
    assert.equal(s.status[cellIndex(1, 2)], -100);
    assert.equal(s.status[cellIndex(6, 4)], -100);
    assert.equal(s.status[cellIndex(7, 9)], -5);
    assert.equal(s.status[cellIndex(9, 6)], -5);
    assert.equal(s.status[cellIndex(8, 0)], -9999);
    assert.equal(s.status[cellIndex(8, 1)], -9999);
    assert.deepEqual(s.counts, { success: 6, fail: 2, timeout: 2, masked: 88, unwritten: 2, other: 0 });
    assert.equal(s.runtime![cellIndex(2, 7)], 40);
    assert.match(stdout, /Cells: 6 ok · 2 failed · 2 timeout · 2 not written/);
  });

  it('combines the fail logs with the batch named on each line', () => {
    assert.equal(
      fs.readFileSync(path.join(out, 'fail_log.txt'), 'utf8'),
      'batch-10: EXCEPTION!! At pixel at (row, col): (1, 2) Problem with initial parameter files!\n' +
        'batch-12: EXCEPTION!! At pixel at (row, col): (6, 4) Problem with initial parameter files!\n',
    );
  });

  it('keeps every header as the batches wrote it, and ncdump reads every file completely', () => {
    for (const f of fs.readdirSync(out).filter((n) => n.endsWith('.nc'))) {
      const header = (p: string) => ncdump(p, '-h').replace(/^netcdf .*\{/, '');
      assert.equal(header(path.join(out, f)), header(path.join(batchDir, 'batch-3', 'output', f)), f);
      assert.doesNotThrow(() => ncdump(path.join(out, f)), f);
    }
  });

  it('leaves the batch run byte-identical and no staging files behind', () => {
    assert.deepEqual(hashTree(batchDir), inputsBefore);
    assert.deepEqual(fs.readdirSync(path.dirname(out)).sort(), ['batch-run', 'stitched']);
    assert.ok(!fs.readdirSync(out).some((n) => n.includes('.pass')));
  });

  for (const [what, sourcesPerPass, chunkBytes] of [
    ['over several passes (thousands of batches)', 1, mergeLimits.chunkBytes],
    ['in windows that split rows and share pages', stitchLimits.sourcesPerPass, 1000],
  ] as const) {
    it(`writes the same bytes when the batches are patched in ${what}`, async () => {
      const other = path.join(tempDir('stitch-windows'), 'stitched');
      const defaults = { ...stitchLimits, ...mergeLimits };
      Object.assign(stitchLimits, { sourcesPerPass });
      Object.assign(mergeLimits, { chunkBytes });
      try {
        await stitchBatchRun({ batchDir, outputDir: other });
      } finally {
        stitchLimits.sourcesPerPass = defaults.sourcesPerPass;
        mergeLimits.chunkBytes = defaults.chunkBytes;
      }
      const contents = (dir: string) =>
        Object.fromEntries(fs.readdirSync(dir).map((f) => [f, hashFile(path.join(dir, f))]));
      assert.deepEqual(contents(other), contents(out));
    });
  }
});

describe('pyddt-batch stitch refuses a bad batch run with one message naming the batch, writing nothing', () => {
  let good: string;
  before(async () => {
    good = await makeFullDomainBatchRun(path.join(tempDir('stitch-faults'), 'batch-run'), [
      {
        number: 2,
        cells: [
          [0, 0],
          [0, 5],
        ],
        from: 'clean',
      },
      {
        number: 14,
        cells: [
          [1, 2],
          [2, 7],
        ],
        from: 'original',
      },
    ]);
  });

  function refuses(mutate: (dir: string) => void, message: RegExp): void {
    const ws = tempDir('stitch-fault');
    const dir = path.join(ws, 'batch-run');
    fs.cpSync(good, dir, { recursive: true });
    // Configs name absolute paths in the original: point them at the copy.
    for (const b of fs.readdirSync(dir)) {
      const cfg = path.join(dir, b, 'config.js');
      if (fs.existsSync(cfg)) fs.writeFileSync(cfg, fs.readFileSync(cfg, 'utf8').split(good).join(dir));
    }
    mutate(dir);
    const before = hashTree(dir);
    const r = batchCli(['stitch', dir, path.join(ws, 'stitched')]);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.deepEqual(fs.readdirSync(ws), ['batch-run'], 'nothing written next to the batch run');
    assert.deepEqual(hashTree(dir), before);
  }

  it('a batch from another grid', () => {
    refuses((dir) => {
      // Its mask and its run_status.nc are 10 × 9.
      const values = (on: number) => Array.from({ length: 90 }, (_, i) => (i === 3 ? on : 0)).join(', ');
      const mask = path.join(dir, 'batch-14', 'run-mask.nc');
      const status = path.join(dir, 'batch-14', 'output', 'run_status.nc');
      fs.rmSync(mask);
      fs.rmSync(status);
      ncgen(
        `netcdf m {\ndimensions:\n Y = 10 ;\n X = 9 ;\nvariables:\n int run(Y, X) ;\ndata:\n run = ${values(1)} ;\n}\n`,
        mask,
        'netCDF-4',
      );
      ncgen(
        `netcdf s {\ndimensions:\n Y = 10 ;\n X = 9 ;\nvariables:\n int run_status(Y, X) ;\ndata:\n run_status = ${values(100)} ;\n}\n`,
        status,
        'classic',
      );
      fs.rmSync(status.replace(/\.nc$/, '.cdl'));
    }, /^pyddt-batch stitch: error: batch-14: its run-mask .*batch-14\/run-mask\.nc is 10 rows × 9 columns, the other batches' are 10 rows × 10 columns: a batch from another grid$/m);
  });

  it('two batches claiming the same cell', async () => {
    const other = await makeFullDomainBatchRun(path.join(tempDir('stitch-claim'), 'batch-run'), [
      {
        number: 14,
        cells: [
          [0, 5],
          [2, 7],
        ],
        from: 'clean',
      },
    ]);
    refuses((dir) => {
      fs.copyFileSync(path.join(other, 'batch-14', 'run-mask.nc'), path.join(dir, 'batch-14', 'run-mask.nc'));
    }, /^pyddt-batch stitch: error: batch-14: its run-mask enables cell \(0, 5\), which batch-2 also runs: two batches claim the same cell$/m);
  });

  it('a truncated run_status.nc in one batch', () => {
    refuses((dir) => {
      const p = path.join(dir, 'batch-2', 'output', 'run_status.nc');
      fs.truncateSync(p, fs.statSync(p).size - 200);
    }, /^pyddt-batch stitch: error: batch-2: .*batch-2\/output\/run_status\.nc/m);
  });

  it('a batch folder without config', () => {
    refuses(
      (dir) => fs.rmSync(path.join(dir, 'batch-14', 'config.js')),
      /^pyddt-batch stitch: error: batch-14: batch has no config/m,
    );
  });

  it('a row-slice batch run (not supported: bp batch merge)', () => {
    const ws = tempDir('stitch-rows');
    fs.mkdirSync(path.join(ws, 'run', 'batch_0', 'config'), { recursive: true });
    fs.writeFileSync(path.join(ws, 'run', 'batch_0', 'config', 'config.js'), '{"IO": {}}');
    const r = batchCli(['stitch', path.join(ws, 'run'), path.join(ws, 'out')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /row-slice batch run .*use bp batch merge/);
    assert.ok(!fs.existsSync(path.join(ws, 'out')));
  });

  it("stitching the good run in the core gives the batches' 3 successes and 1 failure", async () => {
    const out = path.join(tempDir('stitch-core'), 'out');
    const r = await stitchBatchRun({ batchDir: good, outputDir: out });
    assert.deepEqual(r.counts, { success: 3, fail: 1, timeout: 0, masked: 96, unwritten: 0, other: 0 });
    assert.equal(r.batches, 2);
  });
});
