/**
 * The Run Status Grid webview's HTML (pure: no `vscode` import, unit tested in plain Node).
 * Strict CSP: nothing loads unless it comes from the extension (webview.cspSource) or is the one
 * script tagged with the nonce. No run names or paths are ever put into this HTML: they reach the
 * webview by message and are set with textContent.
 */
import { randomBytes } from 'node:crypto';

export interface GridHtmlInputs {
  /** `webview.cspSource` */
  cspSource: string;
  /** `webview.asWebviewUri(<extension>/dist/webview.js).toString()` */
  scriptUri: string;
  /** `webview.asWebviewUri(<extension>/media/grid.css).toString()` */
  styleUri: string;
  nonce: string;
}

/** A fresh nonce for one page load (base64url of 18 random bytes). */
export function makeNonce(): string {
  return randomBytes(18).toString('base64url');
}

const escapeAttr = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    // The toolkit (FAST) probes :focus-visible with a <style> element carrying the nonce it reads
    // from <meta property="csp-nonce">; all other styles come from media/grid.css or are
    // constructable stylesheets (not subject to CSP).
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    "img-src 'none'",
    "connect-src 'none'",
    "frame-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
}

export function gridHtml(i: GridHtmlInputs): string {
  if (!/^[A-Za-z0-9_-]{16,}$/.test(i.nonce))
    throw new Error('gridHtml: the nonce must be at least 16 characters of [A-Za-z0-9_-]');
  // VS Code's cspSource is a list of sources such as `'self' https://*.vscode-cdn.net`: quoted
  // keywords are fine, anything that could end the attribute or the directive is not.
  if (!i.cspSource.trim() || /["<>;,\r\n]/.test(i.cspSource) || i.cspSource.replace(/'self'/g, '').includes("'")) {
    throw new Error('gridHtml: unexpected characters in the webview CSP source');
  }
  const csp = contentSecurityPolicy(i.cspSource, i.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
<meta property="csp-nonce" content="${i.nonce}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttr(i.styleUri)}">
<title>Run Status</title>
</head>
<body>
<header class="header">
<h1 id="run-name"></h1>
<span id="run-meta"></span>
</header>
<div id="toolbar"></div>
<div id="message" role="status" aria-live="polite" hidden></div>
<main class="content">
<section class="plot">
<div class="plot-caption"><span id="axis-note">row 0 at top (as stored) · column 0 at left</span><span id="selection-info" aria-live="polite"></span></div>
<div id="grid-wrap"><canvas id="grid" tabindex="0" aria-label="Run status grid"></canvas><div id="tooltip" role="tooltip" hidden></div></div>
</section>
<aside id="side">
<div id="legend"></div>
<div id="runtime-histogram" hidden></div>
<div id="help">
<p><kbd>Click</kbd> select / deselect a cell</p>
<p><kbd>Shift</kbd>+drag select a rectangle (<kbd>Alt</kbd>+<kbd>Shift</kbd> deselects)</p>
<p>Drag to pan, wheel to zoom</p>
<p><kbd>Arrows</kbd> move, <kbd>Space</kbd> select, <kbd>Esc</kbd> clear, <kbd>+</kbd>/<kbd>-</kbd>/<kbd>0</kbd> zoom</p>
<p>Zoomed out, a pixel shows the most severe state of its cells.</p>
</div>
</aside>
</main>
<script nonce="${i.nonce}" src="${escapeAttr(i.scriptUri)}"></script>
</body>
</html>
`;
}
