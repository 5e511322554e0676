import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { openNetcdf } from '../../src/core/netcdf/ncfile';
import { writeRunMask } from '../../src/core/runMask';
import { readRunStatus } from '../../src/core/runStatus';
import { fixture, FIXTURE_FAILED_CELLS, hashTree, repoRoot, tempDir } from '../helpers/files';
import { makeWorkdir, STANDIN } from '../helpers/rerunWorkspace';
import { verifyMergedFile } from '../helpers/values';

function tool(name: string, args: string[], cwd: string) {
  const script = path.join(repoRoot, 'dist', `${name}.js`);
  assert.ok(fs.existsSync(script), `${script} is missing: run npm run build first`);
  const r = spawnSync(process.execPath, [script, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the whole rescue loop with the stand-in model', () => {
  it('salvage → pyddt-rerun → bash run.sh → pyddt-merge → pyddt-check exits 0, values equal to original + rerun', async () => {
    const ws = makeWorkdir(tempDir('loop'));
    const originalHashes = hashTree(ws.runDir);
    const s = tool(
      'pyddt-salvage',
      ['ORIGINAL-A', 'ORIGINAL-A-backup', '--original-mask', 'masks/mask-A.nc', '--new-mask', 'masks/rerun-mask-A.nc'],
      ws.workdir,
    );
    assert.equal(s.code, 0, s.stderr);

    const r = tool(
      'pyddt-rerun',
      ['ORIGINAL-A-backup', 'RERUN-A', '--mask', 'masks/rerun-mask-A.nc', '--dvmdostem', STANDIN, '-v'],
      ws.workdir,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Number of cells to rerun: 4\n/);
    assert.ok(
      r.stdout.includes(`Working directory: ${ws.workdir} (the 13 recorded input files and folders exist from there)`),
      r.stdout,
    );

    // Run from elsewhere: the script itself goes to the working directory.
    const run = spawnSync('bash', [path.join(ws.workdir, 'RERUN-A', 'run.sh')], {
      cwd: tempDir('elsewhere'),
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /stand-in dvmdostem: done, 4 cells succeeded, 0 failed/);

    const m = tool('pyddt-merge', ['ORIGINAL-A-backup', 'RERUN-A/output', 'MERGED'], ws.workdir);
    assert.equal(m.code, 0, m.stderr);
    assert.match(m.stdout, /Total successful cells: 10\n/);

    const c = tool('pyddt-check', ['MERGED'], ws.workdir);
    assert.equal(c.code, 0, c.stdout + c.stderr);
    assert.equal(c.stdout, '✓ Run complete: 10 of 10 cells succeeded\n');

    const merged = path.join(ws.workdir, 'MERGED');
    const rerunCells = new Set(FIXTURE_FAILED_CELLS.map(([row, col]) => `${row},${col}`));
    const ncFiles = fs.readdirSync(fixture.original).filter((f) => f.endsWith('.nc'));
    assert.equal(ncFiles.length, 22);
    for (const f of ncFiles) {
      assert.deepEqual(
        await verifyMergedFile(
          path.join(fixture.original, f),
          path.join(fixture.rerun, f),
          path.join(merged, f),
          rerunCells,
        ),
        [],
        f,
      );
    }
    assert.deepEqual(hashTree(ws.runDir), originalHashes, 'the original run is untouched');
  });
});

describe('the stand-in model (tests only)', () => {
  it('writes exactly the enabled cells: others masked and fill, cells without fixture data failed with a fail_log line', async () => {
    const ws = makeWorkdir(tempDir('standin'));
    const mask = path.join(ws.workdir, 'masks', 'two.nc');
    const enabled = new Uint8Array(100);
    enabled[1 * 10 + 2] = 1; // rerun data in the fixture
    enabled[0] = 1; // none: it succeeded in the original run
    await writeRunMask(fixture.mask, mask, enabled);
    const rerun = tool('pyddt-rerun', ['ORIGINAL-A', 'R', '--mask', mask, '--dvmdostem', STANDIN], ws.workdir);
    assert.equal(rerun.code, 0, rerun.stderr);
    const out = path.join(ws.workdir, 'R', 'output');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'left-over.txt'), 'dvmdostem deletes its output_dir');
    const run = spawnSync('bash', [path.join(ws.workdir, 'R', 'run.sh')], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(
      fs.existsSync(path.join(out, 'left-over.txt')),
      false,
      'output_dir deleted at start-up, like dvmdostem',
    );

    const status = await readRunStatus(path.join(out, 'run_status.nc'));
    assert.deepEqual(status.counts, { success: 1, fail: 1, timeout: 0, masked: 98, unwritten: 0, other: 0 });
    assert.equal(status.status[12], 100);
    assert.equal(status.status[0], -100);
    assert.match(
      fs.readFileSync(path.join(out, 'fail_log.txt'), 'utf8'),
      /^EXCEPTION!! At pixel at \(row, col\): \(0, 0\) /,
    );

    const ald = async (dir: string) => {
      const f = await openNetcdf(path.join(dir, 'ALD_yearly_tr.nc'));
      return f.readNumbers(f.variable('ALD')!);
    };
    const written = await ald(out);
    const source = await ald(fixture.rerun);
    for (let t = 0; t < 10; t++) {
      assert.equal(written[t * 100 + 12], source[t * 100 + 12], 'enabled cell: the fixture rerun value');
      assert.notEqual(source[t * 100 + 64], -9999);
      assert.equal(written[t * 100 + 64], -9999, 'cell (6, 4) not enabled: fill');
    }
    const c = tool('pyddt-check', [out], ws.workdir);
    assert.equal(c.code, 1);
    assert.match(
      c.stdout,
      /cell \(row 0, col 0\): failed \(run_status -100\), runtime —: stand-in dvmdostem: no fixture data for this cell\n/,
    );
  });

  it('rejects options dvmdostem does not have', () => {
    const r = spawnSync(STANDIN, ['-f', 'c.js', '--bogus'], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /unrecognised option '--bogus'/);
  });
});
