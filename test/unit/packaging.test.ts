// The CLIs where the data is: `npm pack` gives a package that installs pyddt-* (prebuilt dist/ via
// prepack), the .vsix holds the same bundles, and the launchers the extension puts on the terminal
// PATH run them. Packs a copy of the repository (node_modules linked) so dist/ here is untouched.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { bundledClis, shimFor, writeCliShims } from '../../src/core/cliShims';
import { repoRoot, tempDir } from '../helpers/files';

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const CLIS = Object.keys(manifest.bin as Record<string, string>);

function repoCopy(): string {
  const copy = path.join(tempDir('pack'), 'repo');
  fs.mkdirSync(copy);
  for (const e of [
    'package.json',
    '.npmignore',
    '.vscodeignore',
    'esbuild.mjs',
    'tsconfig.json',
    'src',
    'webview',
    'media',
    'README.md',
    'CHANGELOG.md',
    'LICENSE',
  ]) {
    fs.cpSync(path.join(repoRoot, e), path.join(copy, e), { recursive: true });
  }
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  return copy;
}

describe('npm pack and the .vsix ship the CLIs', { timeout: 10 * 60_000 }, () => {
  let copy: string;
  let tarball: string;

  before(() => {
    copy = repoCopy();
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', path.dirname(copy)], {
      cwd: copy,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    tarball = path.join(path.dirname(copy), JSON.parse(out.slice(out.indexOf('[')))[0].filename);
  });

  it('the tarball holds every bin target, built by prepack', () => {
    const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n');
    for (const [name, target] of Object.entries(manifest.bin as Record<string, string>)) {
      assert.ok(files.includes(`package/${target}`), `${name}: ${target} missing from ${JSON.stringify(files)}`);
    }
    assert.ok(
      !files.some((f) => f.startsWith('package/src/') || f.startsWith('package/test/')),
      'no sources or tests in the package',
    );
  });

  it('the production webview bundle leaves the test hooks out; the development build has them', () => {
    // prepack built the copy's dist/ with --production; the repository's dist/ is the development build.
    assert.ok(!fs.readFileSync(path.join(copy, 'dist', 'webview.js'), 'utf8').includes('__gridTest'));
    assert.ok(fs.readFileSync(path.join(repoRoot, 'dist', 'webview.js'), 'utf8').includes('__gridTest'));
  });

  it('installs into a fresh prefix (offline) and pyddt-salvage --help runs', () => {
    const prefix = path.join(path.dirname(copy), 'prefix');
    execFileSync('npm', ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', tarball], {
      stdio: 'pipe',
    });
    for (const name of CLIS) assert.ok(fs.existsSync(path.join(prefix, 'bin', name)), `${name} not installed`);
    const r = spawnSync(path.join(prefix, 'bin', 'pyddt-salvage'), ['--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^usage: pyddt-salvage /);
    const bad = spawnSync(path.join(prefix, 'bin', 'pyddt-merge'), ['--no-such-option'], { encoding: 'utf8' });
    assert.equal(bad.status, 2, 'usage error exit code');
  });

  it('the .vsix holds the CLI bundles next to the extension', () => {
    const out = execFileSync(path.join(repoRoot, 'node_modules', '.bin', 'vsce'), ['ls', '--no-dependencies'], {
      cwd: copy,
      encoding: 'utf8',
    });
    const files = out.split('\n').map((l) => l.trim());
    for (const target of Object.values(manifest.bin as Record<string, string>))
      assert.ok(files.includes(target), `${target} not in the .vsix: ${out}`);
    for (const f of ['dist/extension.js', 'dist/coreWorker.js', 'dist/webview.js', 'media/grid.css'])
      assert.ok(files.includes(f), `${f} not in the .vsix`);
  });
});

describe('terminal launchers', () => {
  it('one launcher per bundled CLI runs it with the given Node, whatever the paths hold', async () => {
    const dist = path.join(tempDir('shim'), "dist with 'quote' and space");
    fs.mkdirSync(dist);
    fs.writeFileSync(
      path.join(dist, 'pyddt-merge.js'),
      'console.log(JSON.stringify({ args: process.argv.slice(2), electron: process.env.ELECTRON_RUN_AS_NODE }));\n',
    );
    fs.writeFileSync(path.join(dist, 'extension.js'), '');
    assert.deepEqual([...bundledClis(dist).keys()], ['pyddt-merge']);
    const bin = path.join(path.dirname(dist), 'bin');
    assert.deepEqual(await writeCliShims(dist, bin, process.execPath), ['pyddt-merge']);
    const r = spawnSync(path.join(bin, 'pyddt-merge'), ['a b', '$HOME', "it's"], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { args: ['a b', '$HOME', "it's"], electron: '1' });
    const mtime = fs.statSync(path.join(bin, 'pyddt-merge')).mtimeMs;
    await writeCliShims(dist, bin, process.execPath);
    assert.equal(fs.statSync(path.join(bin, 'pyddt-merge')).mtimeMs, mtime, 'an up-to-date launcher is not rewritten');
    assert.deepEqual(fs.readdirSync(bin), ['pyddt-merge'], 'no staging files left');
  });

  it('Windows gets a .cmd launcher', () => {
    const s = shimFor('pyddt-merge', 'C:\\VS Code\\Code.exe', 'C:\\ext\\dist\\pyddt-merge.js', 'win32');
    assert.equal(s.file, 'pyddt-merge.cmd');
    assert.match(s.text, /set ELECTRON_RUN_AS_NODE=1\r\n"C:\\VS Code\\Code.exe" "C:\\ext\\dist\\pyddt-merge.js" %\*/);
  });
});
