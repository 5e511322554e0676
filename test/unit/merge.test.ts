import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it, before } from 'node:test';
import { mergeRuns, planMerge } from '../../src/core/merge';
import { readRunStatus } from '../../src/core/runStatus';
import { detectFormat } from '../../src/core/netcdf/format';
import { fixture, FIXTURE_ENABLED_CELLS, FIXTURE_FAILED_CELLS, hashTree, ncdump, tempDir } from '../helpers/files';
import { verifyMergedFile } from '../helpers/values';

describe('merge of the real dvmdostem fixture (original + rerun of its 4 failed cells)', () => {
  let out: string;
  let result: Awaited<ReturnType<typeof mergeRuns>>;
  const inputsBefore = { original: hashTree(fixture.original), rerun: hashTree(fixture.rerun) };

  before(async () => {
    out = path.join(tempDir('merge'), 'merged');
    result = await mergeRuns({ salvagedDir: fixture.original, rerunDir: fixture.rerun, outputDir: out });
  });

  it('merges every NetCDF file, restart files and run_status.nc included', () => {
    const ncFiles = fs
      .readdirSync(fixture.original)
      .filter((f) => f.endsWith('.nc'))
      .sort();
    assert.equal(ncFiles.length, 22);
    assert.deepEqual([...result.merged].sort(), ncFiles);
    assert.deepEqual(result.copiedOnly, []);
  });

  it('keeps the other files (config_record.js, fail_log.txt) from the salvaged run', () => {
    for (const f of ['config_record.js', 'fail_log.txt']) {
      assert.deepEqual(fs.readFileSync(path.join(out, f)), fs.readFileSync(path.join(fixture.original, f)));
    }
  });

  it('takes the rerun values at the rerun cells and the salvaged values elsewhere, for every variable of every file', async () => {
    const rerunCells = new Set(FIXTURE_FAILED_CELLS.map(([r, c]) => `${r},${c}`));
    for (const f of result.merged) {
      const problems = await verifyMergedFile(
        path.join(fixture.original, f),
        path.join(fixture.rerun, f),
        path.join(out, f),
        rerunCells,
      );
      assert.deepEqual(problems, [], f);
    }
  });

  it('reports 100 at every cell that succeeded in either run, and 10 successful cells', async () => {
    const merged = await readRunStatus(path.join(out, 'run_status.nc'));
    assert.equal(result.totalSuccessful, 10);
    assert.equal(result.salvagedSuccessful, 6);
    assert.equal(result.rerunSuccessful, 4);
    for (const [r, c] of FIXTURE_ENABLED_CELLS) assert.equal(merged.status[r * 10 + c], 100, `cell (${r},${c})`);
    assert.equal(merged.counts.success, 10);
    assert.equal(merged.counts.masked, 90);
    // total_runtime is kept (the reference tool dropped it): rerun runtimes at the rerun cells.
    assert.deepEqual(
      [1 * 10 + 2, 6 * 10 + 4, 7 * 10 + 9, 9 * 10 + 6].map((i) => merged.runtime![i]),
      [5, 3, 3, 4],
    );
    assert.equal(merged.runtime![0], 3);
  });

  it('keeps each file format (classic stays classic) and size', () => {
    for (const f of result.merged) {
      assert.equal(detectFormat(path.join(out, f)), detectFormat(path.join(fixture.original, f)), f);
      assert.equal(fs.statSync(path.join(out, f)).size, fs.statSync(path.join(fixture.original, f)).size, f);
    }
  });

  it('changes no metadata: ncdump -h of every merged file equals the salvaged one', () => {
    for (const f of result.merged) {
      const header = (p: string) => ncdump(p, '-h').replace(/^netcdf .*\{/, '');
      assert.equal(header(path.join(out, f)), header(path.join(fixture.original, f)), f);
    }
  });

  it('writes files ncdump reads completely', () => {
    for (const f of result.merged) assert.doesNotThrow(() => ncdump(path.join(out, f)), f);
  });

  it('leaves both input folders byte-identical', () => {
    assert.deepEqual(hashTree(fixture.original), inputsBefore.original);
    assert.deepEqual(hashTree(fixture.rerun), inputsBefore.rerun);
  });

  it('leaves no staging folder next to the output', () => {
    assert.deepEqual(fs.readdirSync(path.dirname(out)), ['merged']);
  });

  it('can be merged again with a later rerun (the merged folder is a valid salvaged run)', async () => {
    const plan = await planMerge({
      salvagedDir: out,
      rerunDir: fixture.rerun,
      outputDir: path.join(path.dirname(out), 'again'),
    });
    assert.equal(plan.files.filter((f) => f.action === 'merge').length, 22);
  });
});
