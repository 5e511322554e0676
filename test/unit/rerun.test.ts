import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parseJsonWithComments } from '../../src/core/configRecord';
import { UserError } from '../../src/core/errors';
import { planRerun, prepareRerun, type PrepareRerunOptions } from '../../src/core/rerun';
import { rerunArgs } from '../../src/core/rerun/commandLine';
import { readRunMask } from '../../src/core/runMask';
import { fixture, hashFile, hashTree, ncgen, repoRoot, tempDir } from '../helpers/files';
import { makeWorkdir, STANDIN } from '../helpers/rerunWorkspace';

const RECORDED_ARGS = ['-p', '5', '-e', '10', '-s', '5', '-t', '10', '-n', '5', '-l', 'fatal'];

function cli(args: string[], cwd = repoRoot) {
  const script = path.join(repoRoot, 'dist', 'pyddt-rerun.js');
  assert.ok(fs.existsSync(script), `${script} is missing: run npm run build first`);
  const r = spawnSync(process.execPath, [script, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const readConfig = (p: string) => parseJsonWithComments(fs.readFileSync(p, 'utf8'), p) as Record<string, Record<string, unknown>>;

describe('pyddt-rerun: the rerun folder', () => {
  it('writes config.js with only runmask_file and output_dir changed (absolute), and a byte copy of the mask', async () => {
    const ws = makeWorkdir(tempDir('rerun'));
    const rerunDir = path.join(ws.workdir, 'RERUN-A');
    const plan = await prepareRerun({ runDir: ws.runDir, rerunDir, mask: fixture.rerunMask });
    assert.deepEqual(fs.readdirSync(rerunDir).sort(), ['config.js', 'run-mask.nc', 'run.sh', 'slurm_runner.sh']);
    assert.equal(hashFile(path.join(rerunDir, 'run-mask.nc')), hashFile(fixture.rerunMask));

    const original = parseJsonWithComments(fs.readFileSync(path.join(ws.runDir, 'config_record.js'), 'utf8'), 'record') as Record<string, Record<string, Record<string, unknown>>>;
    const config = readConfig(path.join(rerunDir, 'config.js'));
    assert.equal(config.IO.runmask_file, path.join(rerunDir, 'run-mask.nc'));
    assert.equal(config.IO.output_dir, path.join(rerunDir, 'output') + '/');
    const expected = structuredClone(original.original_config);
    expected.IO.runmask_file = config.IO.runmask_file;
    expected.IO.output_dir = config.IO.output_dir;
    assert.deepEqual(config, expected, 'every other key and value as recorded');
    assert.equal(config.model_settings.cell_timelimit, 61);

    assert.equal(plan.cells, 4);
    assert.equal(plan.timedOutCells, 2);
    assert.equal(plan.cellTimelimit, 61);
    assert.equal(plan.workdir, ws.workdir);
    assert.equal(plan.workdirInferred, true);
    assert.equal(fs.existsSync(plan.outputDir), false, 'dvmdostem creates output/ itself');
  });

  it('runs the recorded command line from the working directory with the new config', async () => {
    const ws = makeWorkdir(tempDir('rerun'));
    const rerunDir = path.join(ws.workdir, 'R');
    await prepareRerun({ runDir: ws.runDir, rerunDir, mask: fixture.rerunMask });
    const run = fs.readFileSync(path.join(rerunDir, 'run.sh'), 'utf8');
    assert.match(run, /^#!\/usr\/bin\/env bash\n/);
    assert.ok(run.includes(`\ncd -- ${ws.workdir}\n`), run);
    assert.ok(run.includes(`\nexec ./dvmdostem -f ${rerunDir}/config.js ${RECORDED_ARGS.join(' ')}\n`), run);
    assert.ok(fs.statSync(path.join(rerunDir, 'run.sh')).mode & 0o100, 'run.sh is executable');
    const slurm = fs.readFileSync(path.join(rerunDir, 'slurm_runner.sh'), 'utf8');
    assert.ok(slurm.includes('#SBATCH --job-name="dvmdostem-rerun"\n'), slurm);
    assert.ok(slurm.includes(`#SBATCH --output="${rerunDir}/slurm-%j.out"\n`), slurm);
    assert.ok(slurm.includes(`\nexec ./dvmdostem -f ${rerunDir}/config.js ${RECORDED_ARGS.join(' ')}\n`), slurm);
    assert.doesNotMatch(slurm, /--partition|--time|--account/);
  });

  it('uses --dvmdostem, --mpi-ranks, the SLURM options and --cell-timelimit', async () => {
    const ws = makeWorkdir(tempDir('rerun'));
    const rerunDir = path.join(ws.workdir, 'R');
    const plan = await prepareRerun({
      runDir: ws.runDir, rerunDir, mask: fixture.rerunMask, dvmdostem: STANDIN, mpiRanks: 4,
      partition: 'debug', time: '2:00:00', account: 'arctic', jobName: 'fix cells', cellTimelimit: 600,
    });
    assert.equal(plan.program, STANDIN);
    assert.deepEqual(plan.args, ['-f', path.join(rerunDir, 'config.js'), ...RECORDED_ARGS]);
    assert.equal(plan.cellTimelimit, 600);
    assert.equal(readConfig(path.join(rerunDir, 'config.js')).model_settings.cell_timelimit, 600);
    const run = fs.readFileSync(path.join(rerunDir, 'run.sh'), 'utf8');
    assert.ok(run.includes(`\nexec mpirun -n 4 ${STANDIN} -f ${rerunDir}/config.js ${RECORDED_ARGS.join(' ')}\n`), run);
    const slurm = fs.readFileSync(path.join(rerunDir, 'slurm_runner.sh'), 'utf8');
    for (const line of ['#SBATCH --job-name="fix cells"', '#SBATCH --ntasks="4"', '#SBATCH --partition="debug"', '#SBATCH --time="2:00:00"', '#SBATCH --account="arctic"']) {
      assert.ok(slurm.includes(line + '\n'), `${line} in\n${slurm}`);
    }
  });

  it('keeps a batch template\'s other #SBATCH and set-up lines, and replaces its command', async () => {
    const ws = makeWorkdir(tempDir('rerun'));
    const template = path.join(ws.workdir, 'slurm_runner.sh');
    fs.writeFileSync(template, [
      '#!/bin/bash -l', '#SBATCH --job-name="batch-3"', '#SBATCH -p spot', '#SBATCH -N 1', '#SBATCH -o /logs/batch-3',
      '# set up', 'ulimit -s unlimited', 'module load netcdf', 'cd /old/place',
      'mpirun --use-hwthread-cpus ./dvmdostem -f /old/config.js -l disabled -p 5', '',
    ].join('\n'));
    const rerunDir = path.join(ws.workdir, 'R');
    await prepareRerun({ runDir: ws.runDir, rerunDir, mask: fixture.rerunMask, slurmTemplate: template, partition: 'debug' });
    const slurm = fs.readFileSync(path.join(rerunDir, 'slurm_runner.sh'), 'utf8');
    assert.ok(slurm.includes('#SBATCH -N 1\n') && slurm.includes('ulimit -s unlimited\n') && slurm.includes('module load netcdf\n'), slurm);
    for (const gone of ['batch-3', '-p spot', '/logs/', '/old/']) assert.ok(!slurm.includes(gone), `${gone} in\n${slurm}`);
    assert.ok(slurm.indexOf('#SBATCH -N 1') < slurm.indexOf('\nulimit'), 'directives before commands');
    assert.ok(slurm.includes(`\nexec ./dvmdostem -f ${rerunDir}/config.js ${RECORDED_ARGS.join(' ')}\n`), slurm);
  });

  it('replaces the config option in each of its spellings, and adds one when the run used the default', () => {
    assert.deepEqual(rerunArgs(['--ctrl-file', 'a.js', '-l', 'fatal'], '/r/c.js'), ['-f', '/r/c.js', '-l', 'fatal']);
    assert.deepEqual(rerunArgs(['--ctrl-file=a.js', '-p', '5'], '/r/c.js'), ['-f', '/r/c.js', '-p', '5']);
    assert.deepEqual(rerunArgs(['-fa.js', '--no-output-cleanup'], '/r/c.js'), ['-f', '/r/c.js', '--no-output-cleanup']);
    assert.deepEqual(rerunArgs(['-p', '5', '-l', 'err'], '/r/c.js'), ['-f', '/r/c.js', '-p', '5', '-l', 'err']);
  });
});

describe('pyddt-rerun: the working directory', () => {
  it('is where the recorded output_dir names the run folder', async () => {
    const ws = makeWorkdir(tempDir('wd'));
    const plan = await planRerun({ runDir: ws.runDir, rerunDir: path.join(tempDir('r'), 'R'), mask: fixture.rerunMask });
    assert.equal(plan.workdir, ws.workdir);
    assert.match(plan.workdirHow, /output_dir "ORIGINAL-A\/"/);
  });

  it('is where the recorded input files exist, for a salvage backup (output_dir names another folder)', async () => {
    const ws = makeWorkdir(tempDir('wd'));
    const backup = path.join(ws.workdir, 'backups', 'ORIGINAL-A-backup');
    fs.mkdirSync(path.dirname(backup));
    fs.renameSync(ws.runDir, backup);
    const plan = await planRerun({ runDir: backup, rerunDir: path.join(ws.workdir, 'R'), mask: fixture.rerunMask });
    assert.equal(plan.workdir, ws.workdir);
    assert.match(plan.workdirHow, /input files/);
  });

  it('is --workdir when given', async () => {
    const ws = makeWorkdir(tempDir('wd'));
    const elsewhere = path.join(tempDir('run'), 'copy');
    fs.cpSync(ws.runDir, elsewhere, { recursive: true });
    const plan = await planRerun({ runDir: elsewhere, rerunDir: path.join(tempDir('r'), 'R'), mask: fixture.rerunMask, workdir: ws.workdir });
    assert.equal(plan.workdir, ws.workdir);
    assert.equal(plan.workdirInferred, false);
  });
});

describe('pyddt-rerun: hostile folder names', () => {
  it('quotes every path: running run.sh in folders named like shell code executes none of it', async () => {
    const base = tempDir('hostile');
    const evil = `a'b $(touch PWNED) "c" \`touch PWNED2\` $HOME; touch PWNED3\nx`;
    const ws = makeWorkdir(path.join(base, evil, 'work dir'));
    const rerunDir = path.join(base, evil.replace('\nx', ''), `re'run $(touch PWNED)`);
    fs.mkdirSync(path.dirname(rerunDir));
    const program = path.join(base, evil, '$(touch PWNED) dvm');
    fs.symlinkSync(STANDIN, program);
    const mask = path.join(ws.workdir, `mask "$(touch PWNED)".nc`);
    fs.copyFileSync(fixture.rerunMask, mask);
    const plan = await prepareRerun({ runDir: ws.runDir, rerunDir, mask, dvmdostem: program, jobName: `j"ob # $(touch PWNED)` });
    const r = spawnSync('bash', [plan.runScript], { cwd: base, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const pwned = spawnSync('find', [base, '-name', 'PWNED*'], { encoding: 'utf8' }).stdout;
    assert.equal(pwned, '', 'no command in a folder name ran');
    assert.ok(fs.existsSync(path.join(rerunDir, 'output', 'run_status.nc')), 'the stand-in wrote the rerun output');
    assert.equal((await readRunMask(path.join(rerunDir, 'run-mask.nc'))).enabled.reduce((n, e) => n + e, 0), 4);
    assert.ok(fs.readFileSync(plan.slurmScript, 'utf8').includes('#SBATCH --job-name="j\\"ob # $(touch PWNED)"\n'));
  });

  it('refuses a rerun folder whose name has a line break (an #SBATCH line cannot hold it), writing nothing', async () => {
    const ws = makeWorkdir(tempDir('nl'));
    const rerunDir = path.join(ws.workdir, 'a\nb');
    await assert.rejects(prepareRerun({ runDir: ws.runDir, rerunDir, mask: fixture.rerunMask }), /line break/);
    assert.equal(fs.existsSync(rerunDir), false);
  });
});

describe('pyddt-rerun: refusals (one clear message, nothing written)', () => {
  async function refuses(o: PrepareRerunOptions, expected: RegExp, parent = path.dirname(path.resolve(o.rerunDir))) {
    const before = fs.existsSync(parent) ? hashTree(parent) : undefined;
    await assert.rejects(prepareRerun(o), (err: Error) => {
      assert.ok(err instanceof UserError, String(err));
      assert.match(err.message, expected);
      assert.doesNotMatch(err.message, /\n/);
      return true;
    });
    if (before) assert.deepEqual(hashTree(parent), before, 'nothing written next to the rerun folder');
  }

  it('missing config_record.js', async () => {
    const ws = makeWorkdir(tempDir('ref'));
    fs.rmSync(path.join(ws.runDir, 'config_record.js'));
    await refuses({ runDir: ws.runDir, rerunDir: path.join(ws.workdir, 'R'), mask: fixture.rerunMask }, /config_record\.js: config_record\.js not found/);
  });

  it('malformed config_record.js', async () => {
    const ws = makeWorkdir(tempDir('ref'));
    const p = path.join(ws.runDir, 'config_record.js');
    fs.writeFileSync(p, fs.readFileSync(p, 'utf8').replace('"output_dir" : "ORIGINAL-A/",', '"output_dir" : "ORIGINAL-A/"'));
    await refuses({ runDir: ws.runDir, rerunDir: path.join(ws.workdir, 'R'), mask: fixture.rerunMask }, /config_record\.js: not valid JSON .* at line 13/);
  });

  it('a recorded input file missing from the inferred working directory', async () => {
    const ws = makeWorkdir(tempDir('ref'));
    fs.rmSync(path.join(ws.workdir, 'inputs-badA', 'topo.nc'));
    await refuses({ runDir: ws.runDir, rerunDir: path.join(ws.workdir, 'R'), mask: fixture.rerunMask }, /inputs-badA\/topo\.nc: recorded input IO\.topo_file "inputs-badA\/topo\.nc" not found from the working directory .*--workdir/);
  });

  it('a working directory that cannot be inferred asks for --workdir', async () => {
    const dir = path.join(tempDir('ref'), 'run');
    fs.cpSync(fixture.original, dir, { recursive: true });
    await refuses({ runDir: dir, rerunDir: path.join(path.dirname(dir), 'R'), mask: fixture.rerunMask }, /cannot tell which folder dvmdostem was started in .*give it with --workdir/);
  });

  it('RERUN_DIR inside RUN_DIR', async () => {
    const ws = makeWorkdir(tempDir('ref'));
    await refuses({ runDir: ws.runDir, rerunDir: path.join(ws.runDir, 'rerun'), mask: fixture.rerunMask }, /must not be inside the run folder/);
  });

  it('a RERUN_DIR that is not empty', async () => {
    const ws = makeWorkdir(tempDir('ref'));
    const rerunDir = path.join(ws.workdir, 'R');
    fs.mkdirSync(rerunDir);
    fs.writeFileSync(path.join(rerunDir, 'notes.txt'), 'mine');
    await refuses({ runDir: ws.runDir, rerunDir, mask: fixture.rerunMask }, /R: rerun folder already exists and is not empty/);
    assert.deepEqual(fs.readdirSync(rerunDir), ['notes.txt']);
  });

  it('a mask whose grid differs from run_status', async () => {
    const ws = makeWorkdir(tempDir('ref'));
    const mask = ncgen('netcdf m { dimensions: Y = 5 ; X = 4 ; variables: int run(Y, X) ; data: run = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 ; }', path.join(tempDir('m'), 'm.nc'), 'classic');
    await refuses({ runDir: ws.runDir, rerunDir: path.join(ws.workdir, 'R'), mask }, /m\.nc: the mask's grid is 5 rows × 4 columns, but .*run_status\.nc is 10 rows × 10 columns/);
  });
});

describe('pyddt-rerun command line', () => {
  it('prints the summary, the timed-out note and the commands; exit 0', () => {
    const ws = makeWorkdir(tempDir('cli'));
    const r = cli(['ORIGINAL-A', 'RERUN-A', '--mask', fixture.rerunMask, '--dvmdostem', STANDIN], ws.workdir);
    assert.equal(r.code, 0, r.stderr);
    const dir = path.join(ws.workdir, 'RERUN-A');
    assert.equal(r.stdout, [
      `✓ Rerun prepared in: ${dir}`,
      '  Number of cells to rerun: 4',
      '  Note: 2 of these cells timed out in the original run; the rerun keeps cell_timelimit = 61 s (the same limit usually times out again: use --cell-timelimit to change it)',
      `  Run it here: bash ${dir}/run.sh`,
      `  Or on SLURM: sbatch ${dir}/slurm_runner.sh`,
      '',
    ].join('\n'));
  });

  it('shows the new limit with --cell-timelimit, details with -v', () => {
    const ws = makeWorkdir(tempDir('cli'));
    const r = cli(['ORIGINAL-A', 'R', '--mask', fixture.rerunMask, '--cell-timelimit', '0', '-v'], ws.workdir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Note: 2 of these cells timed out in the original run \(cell_timelimit 61 s\); the rerun uses no limit\n/);
    assert.match(r.stdout, /Working directory: .* \(the recorded output_dir "ORIGINAL-A\/" names the run folder from there\)\n/);
    assert.match(r.stdout, /Command: \.\/dvmdostem -f .*\/R\/config\.js -p 5 -e 10 -s 5 -t 10 -n 5 -l fatal\n/);
    assert.match(r.stdout, /Warning: the recorded program \.\/dvmdostem is not found from .*; give it with --dvmdostem\n/);
  });

  it('refuses with one line on stderr and exit 1; usage errors exit 2', () => {
    const ws = makeWorkdir(tempDir('cli'));
    const refused = cli(['ORIGINAL-A', 'ORIGINAL-A/inner', '--mask', fixture.rerunMask], ws.workdir);
    assert.equal(refused.code, 1);
    assert.equal(refused.stdout, '');
    assert.match(refused.stderr, /^pyddt-rerun: error: .*ORIGINAL-A\/inner: the rerun folder must not be inside the run folder .*\n$/);
    const usage = cli(['ORIGINAL-A', 'R', '--mask', fixture.rerunMask, '--mpi-ranks', 'four'], ws.workdir);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /argument --mpi-ranks: expected a whole number, got 'four'/);
    assert.equal(cli(['ORIGINAL-A', 'R'], ws.workdir).code, 2, '--mask is required');
    assert.equal(fs.existsSync(path.join(ws.workdir, 'R')), false);
  });
});
