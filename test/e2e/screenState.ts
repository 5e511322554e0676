// What the screen showed when a test failed: a screenshot under test-results/, the open quick input
// (title, prompt, value, visible items), a modal dialog, and the notifications (the toasts on screen
// and the notification center's list). A failure in CI can then be understood without rerunning it.
import type { Page } from 'playwright-core';
import * as h from './harness';

/** Reads the notification center's list (every notification not yet cleared), then hides it again. */
async function notificationHistory(page: Page): Promise<string[]> {
  const center = page.locator('.notifications-center');
  await h.runCommand(page, 'Notifications: Show Notifications', { timeout: 10_000 });
  await center
    .locator('.notification-list-item')
    .first()
    .waitFor({ state: 'visible', timeout: 3_000 })
    .catch(() => {});
  const texts = (
    await center
      .locator('.notification-list-item')
      .allInnerTexts()
      .catch(() => [] as string[])
  ).map((t) => t.replace(/\s+/g, ' ').trim());
  await h.runCommand(page, 'Notifications: Hide Notifications', { timeout: 10_000 }).catch(() => {});
  return texts;
}

/**
 * Describes the screen (several lines, for an error message), with a screenshot unless `screenshot`
 * is false. `touch` false: only looks (no key
 * presses, no commands), for a window where tests are still running; true also opens the notification
 * center to list older notifications and then closes the quick input and dialogs left open, so the
 * next test starts from a clean window.
 */
export async function describeScreen(
  page: Page,
  name: string,
  { touch = true, screenshot = true } = {},
): Promise<string> {
  const lines: string[] = [];
  const safely = async <T>(what: string, f: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await f();
    } catch (err) {
      lines.push(`  ${what}: (could not read: ${(err as Error).message.split('\n')[0]})`);
      return undefined;
    }
  };
  const shot = screenshot ? await safely('screenshot', () => h.screenshot(page, `FAILED-${name}`)) : undefined;
  if (shot) lines.push(`  screenshot: ${shot}`);
  const q = await safely('quick input', () => h.readQuickInput(page));
  if (q !== undefined) {
    lines.push(`  quick input: ${h.describeQuickInput(q === null ? null : { ...q, items: [] })}`);
    if (q) lines.push(`  quick input items (${q.items.length} shown): ${JSON.stringify(q.items)}`);
  }
  const dialog = await safely('dialog', () => h.readDialog(page));
  if (dialog !== undefined) lines.push(`  modal dialog: ${dialog ? JSON.stringify(dialog) : '(none)'}`);
  const toasts = await safely('notification toasts', () => h.notificationTexts(page));
  if (toasts) lines.push(`  notification toasts: ${JSON.stringify(toasts)}`);
  if (touch) {
    if (q) await safely('closing the quick input', () => h.quickInputBox(page).press('Escape'));
    if (dialog) await safely('closing the dialog', () => page.keyboard.press('Escape'));
    const all = await safely('notification center', () => notificationHistory(page));
    if (all) lines.push(`  notification center (newest first): ${JSON.stringify(all.slice(0, 10))}`);
  }
  return `What the screen showed:\n${lines.join('\n')}`;
}

/**
 * Wraps a test body: when it throws, or has not finished after `timeout` ms (keep it below the test
 * runner's own timeout, which would cancel the test without a word), the error is rethrown with
 * describeScreen() appended.
 */
export function reportScreenOnFailure(
  getPage: () => Page | undefined,
  name: string,
  body: () => Promise<void>,
  { timeout }: { timeout: number },
): () => Promise<void> {
  return async () => {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`not finished after ${timeout} ms`)), timeout);
    });
    try {
      await Promise.race([body(), expired]);
    } catch (err) {
      const page = getPage();
      const screen = page ? await describeScreen(page, name) : 'What the screen showed: (no browser page)';
      const e = err instanceof Error ? err : new Error(String(err));
      e.message = `${e.message}\n${screen}`;
      console.log(`# FAILED ${name}: ${e.message}`);
      throw e;
    } finally {
      clearTimeout(timer);
    }
  };
}
