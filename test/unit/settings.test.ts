// Settings that behave like VS Code's own: every setting declares its scope and is read for the
// folder it applies to; exclude patterns in the files.exclude form are combined safely with the user's.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { combineGlobs, enabledPatterns, expandBraces, globToRegExp, matchesAny } from '../../src/core/globs';
import { repoRoot } from '../helpers/files';

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));

describe('settings in package.json', () => {
  // One poller serves the whole window, so its interval is the window's; every other setting is per folder.
  const WINDOW_SETTINGS = new Set(['dvmdostem.pollIntervalSeconds']);

  it('every setting declares a scope, and per-folder settings are resource-scoped', () => {
    const props = manifest.contributes.configuration.properties as Record<string, { scope?: string }>;
    for (const [key, p] of Object.entries(props)) {
      assert.equal(p.scope, WINDOW_SETTINGS.has(key) ? 'window' : 'resource', `${key} has scope ${p.scope}`);
    }
  });

  it('dvmdostem.exclude is a { "glob": true } object like files.exclude; the old array form is kept, deprecated', () => {
    const props = manifest.contributes.configuration.properties;
    assert.equal(props['dvmdostem.exclude'].type, 'object');
    assert.deepEqual(props['dvmdostem.exclude'].additionalProperties, { type: 'boolean' });
    assert.equal(props['dvmdostem.excludeGlobs'].type, 'array');
    assert.ok(props['dvmdostem.excludeGlobs'].markdownDeprecationMessage);
  });

  it('the extension reads dvmdostem settings for a folder, never window-wide only', () => {
    const dir = path.join(repoRoot, 'src', 'extension');
    const files = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
    const unscoped: string[] = [];
    for (const f of files) {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      // A window setting is read with an explicit `null` scope, which this pattern lets through.
      for (const m of text.matchAll(/getConfiguration\(\s*'(dvmdostem|files)'\s*\)/g)) unscoped.push(`${f}: ${m[0]}`);
    }
    assert.deepEqual(unscoped, []);
  });
});

describe('exclude patterns', () => {
  it('takes the patterns set to true from the object form, and the strings of the old array form', () => {
    assert.deepEqual(enabledPatterns({ '**/scratch': true, '**/keep': false, '**/*.js': { when: '$(basename).ts' } }), [
      '**/scratch',
    ]);
    assert.deepEqual(enabledPatterns(['**/old', '', 3]), ['**/old']);
    assert.deepEqual(enabledPatterns(undefined), []);
    assert.deepEqual(enabledPatterns('**/x'), []);
  });

  it('expands {a,b} groups, nested too, so a user pattern can sit inside the combined group', () => {
    assert.deepEqual(expandBraces('**/*.{tmp,bak}'), ['**/*.tmp', '**/*.bak']);
    assert.deepEqual(expandBraces('{a,b{c,d}}/x'), ['a/x', 'bc/x', 'bd/x']);
    assert.deepEqual(expandBraces('plain/**'), ['plain/**']);
    assert.equal(
      combineGlobs(['**/.git', '**/*.{tmp,bak}', '**/scratch/**']),
      '{**/.git,**/*.tmp,**/*.bak,**/scratch/**}',
    );
    assert.equal(combineGlobs(['**/only']), '**/only');
  });

  it('a pattern with a literal comma is left out of the combined glob but still matched afterwards', () => {
    const patterns = ['**/a,b', '**/scratch'];
    assert.equal(combineGlobs(patterns), '**/scratch');
    assert.ok(matchesAny('x/a,b/run_status.nc', patterns));
  });

  it('matches like VS Code globs: ** across folders, * within a name, a folder excludes what is in it', () => {
    assert.ok(globToRegExp('**/scratch/**').test('runs/scratch/out/run_status.nc'));
    assert.ok(globToRegExp('**/scratch/**').test('scratch/run_status.nc'));
    assert.ok(!globToRegExp('*/run_status.nc').test('a/b/run_status.nc'));
    assert.ok(globToRegExp('**/run-?').test('x/run-1'));
    assert.ok(globToRegExp('**/batch-[0-9]').test('batch-7'));
    assert.ok(matchesAny('runs/old/output/run_status.nc', ['**/old']));
    assert.ok(!matchesAny('runs/older/output/run_status.nc', ['**/old']));
    assert.ok(!matchesAny('runs/output/run_status.nc', []));
    assert.ok(matchesAny('a/.pyddt-staging-merge-1-x-out/run_status.nc', ['**/.pyddt-staging-*/**']));
  });
});
