import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { contentSecurityPolicy, gridHtml, makeNonce } from '../../src/extension/gridHtml';
import { repoRoot } from '../helpers/files';

// What VS Code 1.96 really gives as webview.cspSource.
const cspSource = "'self' https://*.vscode-cdn.net";
const inputs = (nonce = makeNonce()) => ({
  cspSource,
  nonce,
  scriptUri: 'https://file%2B.vscode-resource.vscode-cdn.net/ext/dist/webview.js',
  styleUri: 'https://file%2B.vscode-resource.vscode-cdn.net/ext/media/grid.css',
});

function cspOf(html: string): string {
  const m = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(m, 'page has a CSP meta tag');
  return m[1];
}

describe('grid webview HTML and CSP', () => {
  it('strict CSP: default-src none, scripts only by nonce, no unsafe-*', () => {
    const i = inputs();
    const html = gridHtml(i);
    const csp = cspOf(html);
    assert.ok(csp.includes("default-src 'none'"));
    assert.ok(csp.includes(`script-src 'nonce-${i.nonce}'`));
    assert.ok(csp.includes(`style-src ${cspSource}`));
    assert.ok(csp.includes(`font-src ${cspSource}`));
    assert.ok(!/unsafe-(eval|inline|hashes)/.test(csp));
    assert.ok(
      !/\bhttps?:(?!\/\/\*\.vscode-cdn\.net)/.test(csp.replaceAll(cspSource, '')),
      'no remote sources besides cspSource',
    );
    assert.equal(csp, contentSecurityPolicy(cspSource, i.nonce));
  });

  it('every <script> carries the nonce and loads from the extension; no inline script, no handlers', () => {
    const i = inputs();
    const html = gridHtml(i);
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    assert.equal(scripts.length, 1);
    for (const s of scripts) {
      assert.ok(s.includes(`nonce="${i.nonce}"`), s);
      assert.ok(s.includes(`src="${i.scriptUri}"`), s);
    }
    assert.match(html, /<script\b[^>]*><\/script>/, 'script element is empty (no inline code)');
    assert.ok(!/\son[a-z]+\s*=/i.test(html), 'no inline event handlers');
    assert.ok(!/style\s*=/i.test(html), 'no inline style attributes');
  });

  it('no remote URLs: only the two extension resources are referenced', () => {
    const i = inputs();
    const html = gridHtml(i);
    const urls = html.match(/\b(?:https?|wss?|ftp):\/\/[^\s"'<>)]+/g) ?? [];
    const csp = cspOf(html);
    for (const u of urls) assert.ok([i.scriptUri, i.styleUri].includes(u) || csp.includes(u), `unexpected URL ${u}`);
    assert.ok(!/<(img|iframe|object|embed|base|form)\b/i.test(html));
  });

  it('has the DOM hooks the UI relies on, and no run name or path', () => {
    const html = gridHtml(inputs());
    for (const id of ['grid', 'legend', 'tooltip', 'run-name', 'toolbar', 'message'])
      assert.match(html, new RegExp(`id="${id}"`));
    assert.match(html, /<canvas id="grid"/);
    assert.match(html, /row 0 at top \(as stored\)/);
    assert.match(html, /<h1 id="run-name"><\/h1>/, 'run name is empty in the HTML: it arrives by message');
  });

  it('a fresh nonce per page; bad nonces and CSP sources are refused', () => {
    const a = makeNonce();
    const b = makeNonce();
    assert.notEqual(a, b);
    assert.match(a, /^[A-Za-z0-9_-]{24}$/);
    assert.throws(() => gridHtml(inputs('short')));
    assert.throws(() => gridHtml(inputs('abc"><script>alert(1)</script>')));
    assert.throws(() => gridHtml({ ...inputs(), cspSource: "https://x 'unsafe-eval'" }));
    assert.throws(() => gridHtml({ ...inputs(), cspSource: 'https://x; script-src *' }));
  });

  it('resource URIs are attribute-escaped', () => {
    const html = gridHtml({ ...inputs(), styleUri: 'https://x.vscode-cdn.net/a"><script>alert(1)</script>.css' });
    assert.ok(!html.includes('"><script>alert(1)'));
  });
});

describe('run names never reach the HTML or innerHTML', () => {
  const read = (p: string) => fs.readFileSync(path.join(repoRoot, p), 'utf8');

  it('a folder named <img src=x onerror=alert(1)> is not part of the page', () => {
    // The builder has no parameter for names; the host sets html only through it.
    const html = gridHtml(inputs());
    assert.ok(!html.includes('<img'));
    const host = read('src/extension/statusGridPanel.ts');
    const assignments = host.match(/\.html\s*=\s*[^;]+;/g) ?? [];
    assert.deepEqual(assignments.length, 1);
    assert.match(assignments[0], /\.html = buildGridHtml\(panel\.webview, extensionUri, makeNonce\(\)\);/);
  });

  it('the webview code never parses HTML strings', () => {
    const dir = path.join(repoRoot, 'webview');
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
      const src = fs.readFileSync(path.join(dir, f), 'utf8');
      assert.ok(
        !/\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|DOMParser|createContextualFragment/.test(src),
        `${f} parses HTML`,
      );
    }
  });
});
