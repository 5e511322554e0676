/**
 * The README's pictures, taken in a real VS Code:
 * - media/screenshot.png: the dvmdostem Runs view with the failed cells of the sample run, and its Run
 *   Status Grid with a hovered failed cell. Run this file:
 *   npm run build && npx tsc -p . && bash scripts/setup-code-server.sh && node out/test/e2e/readmeScreenshot.js
 * - media/readme/*.png: the steps of "Rescue a failed run in five minutes", taken by the UI tests
 *   (ui.test.ts, development-extension mode) through `saveReadmeShot` as they walk through them. A test
 *   run keeps them in test-results/readme/ (a test never changes the repository's files);
 *   `npm run screenshots` runs those tests with UPDATE_README_SHOTS=1, which writes media/readme/.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import * as h from './harness';
import { repoRoot } from '../helpers/files';

/** Where the README's step pictures go: media/readme/ when updating them, else test-results/readme/. */
export const README_SHOTS =
  process.env.UPDATE_README_SHOTS === '1' ? path.join(repoRoot, 'media', 'readme') : path.join(h.ARTIFACTS, 'readme');

/** Saves what the page shows now as <README_SHOTS>/<name>.png (the README links these names). */
export async function saveReadmeShot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(README_SHOTS, { recursive: true });
  const file = path.join(README_SHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

async function main(): Promise<void> {
  h.requireBuiltExtension();
  const ws = h.createWorkspace('dvmdostem-shot');
  const server = await h.startCodeServer({
    workspace: ws.dir,
    root: path.join(ws.root, 'code-server'),
    settings: { 'workbench.colorTheme': 'Default Dark Modern' },
  });
  const browser = await h.launchBrowser({ viewport: { width: 1280, height: 720 } });
  const page = browser.page;
  try {
    await h.openWorkbench(page, server, { folder: ws.dir, payload: h.devPayload(server) });
    const activity = page
      .locator('.part.activitybar .action-item')
      .filter({ has: page.locator('a.action-label[aria-label^="dvmdostem"]') })
      .first();
    await h.waitUntil(() => activity.isVisible(), 'the dvmdostem activity bar entry', { timeout: 60_000 });
    await activity.click();
    const row = (name: string) => page.locator('.part.sidebar .monaco-list-row').filter({ hasText: name }).first();
    const expand = async (name: string) => {
      await row(name).waitFor({ timeout: 60_000 });
      if ((await row(name).getAttribute('aria-expanded')) !== 'true') {
        await row(name).click();
        if ((await row(name).getAttribute('aria-expanded')) !== 'true') await row(name).press('ArrowRight');
      }
      await h.waitUntil(async () => (await row(name).getAttribute('aria-expanded')) === 'true', `${name} expanded`);
    };
    await expand('output');
    await expand('Failed cells');
    await row('row 1, col 2').waitFor({ timeout: 20_000 });
    await row('row 1, col 2').click();
    const frame = await h.findWebviewFrame(page, 'canvas#grid[data-cells="100"]', { timeout: 60_000 });
    type GridWindow = { __gridTest?: { cellCenter(r: number, c: number): { x: number; y: number } } };
    const drawn = () => typeof (window as unknown as GridWindow).__gridTest?.cellCenter === 'function';
    await h.waitUntil(() => frame.evaluate(drawn), 'the grid drawn');
    const center = await frame.evaluate(() => (window as unknown as GridWindow).__gridTest!.cellCenter(1, 2));
    const box = await page.locator('iframe.webview').first().boundingBox();
    await h.runCommand(page, 'Notifications: Clear All Notifications').catch(() => undefined);
    if (box) await page.mouse.move(box.x + center.x, box.y + center.y);
    const tooltip = frame.locator('#tooltip');
    await h.waitUntil(async () => /row 1, col 2/.test(await tooltip.innerText()), 'the tooltip of cell (1,2)');
    await page.screenshot({ path: path.join(repoRoot, 'media', 'screenshot.png') });
    console.log('wrote media/screenshot.png');
  } finally {
    await browser.close();
    await server.stop();
    ws.dispose();
  }
}

if (require.main === module)
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
