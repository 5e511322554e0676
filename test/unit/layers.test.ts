// Dependencies point one way: src/shared is a leaf (the shared vocabulary and the message protocols),
// the core never reaches up into the CLIs, the extension or the webview, and the webview bundle pulls
// in no Node code (only itself, src/shared and the UI toolkit).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../helpers/files';

/** Every .ts file under a folder of the repository, as repository-relative paths. */
function sources(folder: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(repoRoot, rel), { withFileTypes: true })) {
      const child = path.join(rel, e.name);
      if (e.isDirectory()) walk(child);
      else if (e.name.endsWith('.ts')) out.push(child);
    }
  };
  walk(folder);
  return out;
}

/** The modules a file imports or re-exports, resolved to repository-relative paths for relative ones. */
function imports(file: string, { runtimeOnly = false } = {}): string[] {
  const src = fs.readFileSync(path.join(repoRoot, file), 'utf8');
  const found: string[] = [];
  for (const m of src.matchAll(/^\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?'([^']+)'/gm)) {
    const [, typeOnly, spec] = m;
    if (runtimeOnly && typeOnly) continue;
    found.push(spec.startsWith('.') ? path.join(path.dirname(file), spec) : spec);
  }
  return found;
}

const inside = (target: string, folder: string) => target === folder || target.startsWith(folder + path.sep);

describe('dependencies point one way', () => {
  it('src/shared imports nothing outside src/shared (types included)', () => {
    const files = sources(path.join('src', 'shared'));
    assert.ok(files.length >= 4);
    for (const f of files) {
      for (const target of imports(f)) {
        assert.ok(inside(target, path.join('src', 'shared')), `${f} imports ${target}`);
      }
    }
  });

  it('src/core imports nothing from the CLIs, the extension, the webview or vscode', () => {
    for (const f of sources(path.join('src', 'core'))) {
      for (const target of imports(f)) {
        assert.ok(
          !['src/cli', 'src/extension', 'webview'].some((layer) => inside(target, layer)) && target !== 'vscode',
          `${f} imports ${target}`,
        );
      }
    }
  });

  it('the webview bundle pulls in no Node code: webview/ imports only itself, src/shared and the toolkit', () => {
    const files = sources('webview');
    assert.ok(files.length >= 5);
    for (const f of files) {
      for (const target of imports(f, { runtimeOnly: true })) {
        const ok =
          inside(target, 'webview') ||
          inside(target, path.join('src', 'shared')) ||
          target === '@vscode/webview-ui-toolkit';
        assert.ok(ok, `${f} imports ${target}`);
      }
    }
  });
});
