// What a scientist expects (issue 13), checked where a user sees it: a real VS Code (code-server) in
// headless Chromium on a fresh copy of the fixture. E2E_MODES (default "dev,vsix", as ui.test.ts): the
// extension loaded as a development extension, and installed from the packaged .vsix (so the terminal
// runs the pyddt-merge shipped inside the .vsix).
//
//   npm run test:ui     (runs ui.test.js, then this file)
//   node --test --test-concurrency=1 out/test/e2e/ux.test.js
//
// The view's badge; a failed cell clicked in the tree revealed and highlighted in the grid; status
// colours and glyphs and the viridis runtime layer read from the canvas's pixels; the runtime
// histogram drawn with the run's cell_timelimit; `pyddt-merge --help` run in an integrated terminal.
// Screenshots: test-results/NN-ux-*.png.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Locator, Page } from 'playwright-core';
import * as h from './harness';
import { repoRoot } from '../helpers/files';

const STEP_TIMEOUT = 120_000;
type Rgb = [number, number, number];

const hex = (s: string): Rgb => [1, 3, 5].map((i) => parseInt(s.slice(i, i + 2), 16)) as Rgb;
const near = (a: Rgb, b: Rgb, tol = 3) => a.every((v, i) => Math.abs(v - b[i]) <= tol);

/** Okabe–Ito colours media/grid.css gives each theme kind. */
const EXPECTED = {
  dark: { success: hex('#56b4e9'), fail: hex('#d55e00'), timeout: hex('#f0e442') },
  light: { success: hex('#0072b2'), fail: hex('#d55e00'), timeout: hex('#e69f00') },
};

const MODES = (process.env.E2E_MODES || 'dev,vsix')
  .split(',')
  .map((m) => m.trim())
  .filter(Boolean);
for (const m of MODES) if (m !== 'dev' && m !== 'vsix') throw new Error(`E2E_MODES: unknown mode ${m} (dev, vsix)`);

for (const MODE of MODES)
  describe(
    `what a scientist expects, in a real VS Code (code-server + Chromium, ${MODE === 'vsix' ? 'installed from the .vsix' : 'development extension'})`,
    { timeout: 10 * 60_000 },
    () => {
      let ws: h.TestWorkspace;
      let server: h.CodeServer;
      let browser: h.Browser;
      let page: Page;
      let frame: Frame;
      const shot = (name: string) => h.screenshot(page, `ux-${MODE}-${name}`);

      before(async () => {
        h.requireBuiltExtension();
        ws = h.createWorkspace('dvmdostem-ux');
        server = await h.startCodeServer({
          workspace: ws.dir,
          root: path.join(ws.root, 'code-server'),
          installVsix: MODE === 'vsix' ? [h.packageVsix(path.join(ws.root, 'vsix'))] : [],
          logFile: path.join(h.ARTIFACTS, `ux-${MODE}-code-server.log`),
        });
        browser = await h.launchBrowser();
        page = browser.page;
        await h.openWorkbench(page, server, {
          folder: ws.dir,
          payload: MODE === 'dev' ? h.devPayload(server) : undefined,
        });
      });

      after(async () => {
        if (page) await shot('final').catch(() => {});
        await browser?.close();
        await server?.stop();
        ws?.dispose();
      });

      const activityBarItem = () =>
        page
          .locator('.part.activitybar .action-item')
          .filter({ has: page.locator('a.action-label[aria-label^="dvmdostem"]') })
          .first();
      const treeRow = (label: string | RegExp): Locator =>
        page
          .locator('.part.sidebar .monaco-list-row')
          .filter({ has: page.locator('.label-name', { hasText: label }) })
          .first();

      /** Pixels of the grid canvas, read in the webview: one cell's colour at a point (fractions of the cell). */
      async function pixelInCell(row: number, col: number, fx: number, fy: number): Promise<Rgb> {
        return frame.evaluate(
          ({ row, col, fx, fy }) => {
            const g = (window as any).__gridTest;
            const canvas = document.getElementById('grid') as HTMLCanvasElement;
            const c0 = g.cellCenter(row, col);
            const c1 = g.cellCenter(row, col + 1);
            const size = c1.x - c0.x;
            const r = canvas.getBoundingClientRect();
            const k = canvas.width / r.width;
            const x = Math.round((c0.x - size / 2 + fx * size - r.left) * k);
            const y = Math.round((c0.y - size / 2 + fy * size - r.top) * k);
            const d = canvas.getContext('2d')!.getImageData(x, y, 1, 1).data;
            return [d[0], d[1], d[2]];
          },
          { row, col, fx, fy },
        );
      }

      /** Which points of a 9 × 9 raster inside a cell (its border left out) differ from the cell's colour. */
      async function inkMask(row: number, col: number, fill: Rgb): Promise<string> {
        let mask = '';
        for (let j = 0; j < 9; j++)
          for (let i = 0; i < 9; i++)
            mask += near(await pixelInCell(row, col, 0.14 + i * 0.09, 0.14 + j * 0.09), fill, 40) ? '.' : '#';
        return mask;
      }

      it('shows the number of failed cells as a badge on the view', { timeout: STEP_TIMEOUT }, async () => {
        await h.waitUntil(() => activityBarItem().isVisible(), 'the dvmdostem entry in the activity bar', {
          timeout: 60_000,
        });
        const badge = activityBarItem().locator('.badge-content');
        const text = await h.waitUntil(
          async () => ((await badge.count()) ? (await badge.innerText()).trim() : ''),
          'a badge on the dvmdostem view',
          { timeout: 60_000 },
        );
        await shot('badge');
        // The fixture's output run has 4 cells that did not succeed (its rerun has none).
        assert.equal(text, '4');
      });

      it(
        'clicking a failed cell in the tree reveals and highlights it in the grid',
        { timeout: STEP_TIMEOUT },
        async () => {
          await activityBarItem().click(); // the item with its badge, as a user clicks it
          const run = treeRow(/^output$/);
          await run.waitFor({ state: 'visible', timeout: 60_000 });
          await run.click();
          await page.keyboard.press('ArrowRight');
          const cells = treeRow(/^Failed cells$/);
          await cells.waitFor({ state: 'visible', timeout: 20_000 });
          await cells.click();
          await page.keyboard.press('ArrowRight');
          const cell = treeRow(/^row 6, col 4$/);
          await cell.waitFor({ state: 'visible', timeout: 20_000 });
          await cell.click();
          frame = await h.findWebviewFrame(page, 'canvas#grid', { timeout: 60_000 });
          await h.waitUntil(
            () => frame.evaluate(() => Number(document.getElementById('grid')?.dataset.cells) === 100),
            'the grid drawn',
            { timeout: 30_000 },
          );
          const highlighted = await h.waitUntil(
            () => frame.evaluate(() => (window as any).__gridTest.highlighted()),
            'a highlighted cell',
            { timeout: 20_000 },
          );
          assert.deepEqual(highlighted, { row: 6, col: 4 });
          const tip = await frame.locator('#tooltip').innerText();
          assert.match(tip, /^row 6, col 4 · failed \(-100\)/);
          await shot('tree-cell-revealed');
        },
      );

      it(
        'draws the states in Okabe–Ito colours, with different glyphs on failed and timed-out cells',
        { timeout: STEP_TIMEOUT },
        async () => {
          const kind = await frame.evaluate(() =>
            /vscode-(light|high-contrast-light)/.test(document.body.className) ? 'light' : 'dark',
          );
          const want = EXPECTED[kind];
          // A point left of any glyph: the cell's own colour.
          const success = await pixelInCell(0, 0, 0.1, 0.5);
          const fail = await pixelInCell(1, 2, 0.1, 0.5);
          const timeout = await pixelInCell(7, 9, 0.1, 0.5);
          console.log(`# ${kind} theme, canvas pixels: success ${success}, fail ${fail}, timeout ${timeout}`);
          assert.ok(near(success, want.success), `success cell drawn ${success}, expected ${want.success}`);
          assert.ok(near(fail, want.fail), `failed cell drawn ${fail}, expected ${want.fail}`);
          assert.ok(near(timeout, want.timeout), `timed-out cell drawn ${timeout}, expected ${want.timeout}`);
          const size = await frame.evaluate(() => {
            const g = (window as any).__gridTest;
            return g.cellCenter(0, 1).x - g.cellCenter(0, 0).x;
          });
          assert.ok(size >= 12, `cells are ${size} px: large enough for glyphs in this window`);
          const inkSuccess = await inkMask(0, 0, success);
          const inkFail = await inkMask(1, 2, fail);
          const inkTimeout = await inkMask(7, 9, timeout);
          console.log(`# glyph masks:\n#   fail    ${inkFail}\n#   timeout ${inkTimeout}`);
          assert.ok(!inkSuccess.includes('#'), 'no glyph on a successful cell');
          assert.ok(inkFail.split('#').length > 8, 'a glyph on the failed cell');
          assert.ok(inkTimeout.split('#').length > 8, 'a glyph on the timed-out cell');
          const differ = [...inkFail].filter((c, i) => c !== inkTimeout[i]).length;
          assert.ok(differ >= 10, `the two glyphs differ in shape (${differ} of 81 points)`);
        },
      );

      it(
        'draws runtime with viridis and a colour bar from the fastest to the slowest cell in seconds',
        { timeout: STEP_TIMEOUT },
        async () => {
          await frame.locator('#layer-runtime').click();
          await h.waitUntil(() => frame.locator('.heat-legend').isVisible(), 'the runtime colour bar', {
            timeout: 10_000,
          });
          assert.equal((await frame.locator('.heat-min').innerText()).trim(), '2 s');
          assert.equal((await frame.locator('.heat-max').innerText()).trim(), '40 s');
          // (0, 5) ran 2 s, the fastest; (2, 7) 40 s, the slowest: viridis' two ends.
          const fastest = await pixelInCell(0, 5, 0.5, 0.5);
          const slowest = await pixelInCell(2, 7, 0.5, 0.5);
          console.log(`# runtime layer: fastest ${fastest}, slowest ${slowest}`);
          assert.ok(near(fastest, hex('#440154')), `fastest cell ${fastest}`);
          assert.ok(near(slowest, hex('#fde725')), `slowest cell ${slowest}`);
          await shot('runtime-layer');
          await frame.locator('#layer-runtime').click();
        },
      );

      it(
        "shows a histogram of the successful cells' runtime with the run's cell_timelimit marked",
        { timeout: STEP_TIMEOUT },
        async () => {
          await h.waitUntil(() => frame.locator('#runtime-histogram').isVisible(), 'the runtime histogram', {
            timeout: 10_000,
          });
          const caption = (await frame.locator('.histogram-caption').innerText()).trim();
          assert.equal(caption, '6 successful cells · slowest 40 s · limit 61 s');
          const drawn = await frame.evaluate(() => {
            const hist = (window as any).__gridTest.histogram();
            const canvas = document.getElementById('histogram') as HTMLCanvasElement;
            const px = (x: number, y: number) =>
              Array.from(canvas.getContext('2d')!.getImageData(x, y, 1, 1).data.slice(0, 4));
            const bars = hist.layout.bars.map((b: { x0: number; x1: number; top: number }) =>
              b.top < hist.layout.baseY ? px(Math.floor((b.x0 + b.x1) / 2), hist.layout.baseY - 2) : null,
            );
            const emptyBin = hist.layout.bars.findIndex((b: { top: number }) => b.top >= hist.layout.baseY);
            const empty = px(
              Math.floor((hist.layout.bars[emptyBin].x0 + hist.layout.bars[emptyBin].x1) / 2),
              hist.layout.baseY - 4,
            );
            return {
              counts: hist.data.counts,
              limitX: hist.layout.limitX,
              width: canvas.width,
              limit: px(hist.layout.limitX, 10),
              bars,
              empty,
            };
          });
          const kind = await frame.evaluate(() =>
            /vscode-(light|high-contrast-light)/.test(document.body.className) ? 'light' : 'dark',
          );
          const want = EXPECTED[kind];
          console.log(
            `# histogram: counts ${drawn.counts.join(' ')}; limit line at x=${drawn.limitX} of ${drawn.width}`,
          );
          assert.equal(
            drawn.counts.reduce((a: number, b: number) => a + b, 0),
            6,
          );
          assert.ok(drawn.limitX > drawn.width * 0.9, 'the limit (61 s) is at the right end of a 0–61 s axis');
          assert.ok(
            near(drawn.limit.slice(0, 3) as Rgb, want.timeout),
            `the limit line is drawn in the timed-out colour: ${drawn.limit}`,
          );
          const drawnBars = drawn.bars.filter(Boolean) as number[][];
          assert.equal(drawnBars.length, drawn.counts.filter((n: number) => n > 0).length);
          for (const b of drawnBars)
            assert.ok(
              near(b.slice(0, 3) as Rgb, want.success) && b[3] === 255,
              `a bar drawn in the success colour: ${b}`,
            );
          assert.equal(drawn.empty[3], 0, 'nothing drawn over an empty bin');
          await shot('histogram');
        },
      );

      it(
        'exports the failed cells as CSV and the grid as PNG from the toolbar, asking where with the save dialog',
        { timeout: STEP_TIMEOUT },
        async () => {
          const saveAs = async (button: string, dest: string) => {
            await frame.locator(button).click();
            const input = h.quickInputBox(page);
            await input.waitFor({ state: 'visible', timeout: 20_000 });
            // The simple save dialog fills in the folder first, then the file name.
            const offered = await h.waitUntil(
              async () => {
                const v = await input.inputValue();
                return /\.[a-z]+$/.test(v) ? v : '';
              },
              'the save dialog to offer a file name',
              { timeout: 20_000 },
            );
            console.log(`# ${button}: the save dialog offers ${offered}`);
            await input.fill(dest);
            await h.waitUntil(async () => (await input.inputValue()) === dest, `the save dialog to show ${dest}`);
            await input.press('Enter');
            await h.waitUntil(() => fs.existsSync(dest), `${dest} written`, { timeout: 30_000 });
            return offered;
          };
          const csv = path.join(ws.dir, 'failed cells.csv');
          const offeredCsv = await saveAs('#export-csv', csv);
          assert.match(offeredCsv, /output-failed-cells\.csv$/, 'the default name says what the file is');
          const lines = fs.readFileSync(csv, 'utf8').trimEnd().split('\r\n');
          assert.equal(lines[0], 'row,col,lat,lon,state,status,runtime,reason');
          assert.deepEqual(
            lines
              .slice(1)
              .map((l) => l.split(',').slice(0, 2).join(','))
              .sort(),
            ['1,2', '6,4', '7,9', '9,6'],
          );
          const png = path.join(ws.dir, 'grid.png');
          await saveAs('#export-png', png);
          const bytes = fs.readFileSync(png);
          assert.ok(
            bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
            'a PNG file',
          );
          await h.waitUntil(
            async () =>
              /Grid image written/.test(
                await frame
                  .locator('#message')
                  .innerText()
                  .catch(() => ''),
              ),
            'the grid saying where the image went',
            { timeout: 10_000 },
          );
          await shot('exported');
        },
      );

      it('has pyddt-merge on the PATH of an integrated terminal', { timeout: STEP_TIMEOUT }, async () => {
        const out = path.join(ws.root, 'merge-help.txt');
        await h.runCommand(page, 'Terminal: Create New Terminal');
        const terminal = page.locator('.terminal-wrapper .xterm').first();
        await terminal.waitFor({ state: 'visible', timeout: 30_000 });
        await terminal.click();
        // The shell is ready when it runs what is typed (keys typed before it starts can be lost): type a
        // command that leaves a marker until the marker is there.
        const ready = path.join(ws.root, 'shell-ready');
        await h.waitUntil(
          async () => {
            if (fs.existsSync(ready)) return true;
            await page.keyboard.type(`touch '${ready}'`);
            await page.keyboard.press('Enter');
            return h
              .waitUntil(() => fs.existsSync(ready), 'the marker', { timeout: 5_000 })
              .then(() => true)
              .catch(() => false);
          },
          'the integrated terminal to run a command',
          { timeout: 60_000 },
        );
        await page.keyboard.type(`pyddt-merge --help > '${out}' 2>&1; echo "exit $?" >> '${out}'`);
        await page.keyboard.press('Enter');
        const text = await h.waitUntil(
          () =>
            fs.existsSync(out) && /exit \d+/.test(fs.readFileSync(out, 'utf8')) ? fs.readFileSync(out, 'utf8') : '',
          'pyddt-merge --help to run in the terminal',
          { timeout: 60_000 },
        );
        await shot('terminal');
        console.log(`# terminal output: ${text.split('\n')[0]} … ${text.trim().split('\n').pop()}`);
        assert.match(text, /^usage: pyddt-merge /);
        assert.match(text, /exit 0\s*$/);
        if (MODE === 'vsix') {
          // The launcher runs the bundle shipped in the installed extension, not this repository's dist/.
          const which = path.join(ws.root, 'which.txt');
          await page.keyboard.type(`cat "$(command -v pyddt-merge)" > '${which}'`);
          await page.keyboard.press('Enter');
          const launcher = await h.waitUntil(
            () => (fs.existsSync(which) ? fs.readFileSync(which, 'utf8') : ''),
            'the launcher script',
            { timeout: 30_000 },
          );
          assert.ok(
            !launcher.includes(path.join(repoRoot, 'dist')),
            `the launcher runs the repository's build: ${launcher}`,
          );
          assert.match(launcher, /extensions\/.*pyddt-merge\.js/);
        }
      });
    },
  );
