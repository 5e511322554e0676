// Answering VS Code's prompts (quick picks, input boxes, the simple file dialog, modal dialogs) as a
// keyboard user does, waiting for the state each step needs (the item shown and focused, the prompt
// gone), never for time or for a number of key presses: under CPU load key presses are handled late,
// and a loop that presses, waits a fixed time and looks again overshoots its target.
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import * as h from './harness';

/** How to answer one prompt: `match` is tested against the prompt's placeholder + message, then its title. */
export interface Answer {
  name: string;
  match: RegExp;
  /** A path to type (or to pick when a quick pick lists it), or a quick-pick item / dialog button to choose. */
  value?: string;
  pick?: RegExp;
}

/** Longest wait for a prompt to react to an answer (it normally takes well under a second). */
const REACT_TIMEOUT = 30_000;

/**
 * Answers quick inputs and modal dialogs until `done()` holds. Every prompt must match an answer,
 * otherwise the test fails naming the prompt (so a changed wording shows up clearly). `workspaceDir`
 * lets a path be recognised by its workspace-relative label in a quick pick. Returns what was answered.
 */
export async function answerPrompts(
  page: Page,
  workspaceDir: string,
  what: string,
  answers: Answer[],
  done: () => boolean | Promise<boolean>,
  { timeout = 90_000 } = {},
): Promise<string[]> {
  const deadline = Date.now() + timeout;
  const seen: string[] = [];
  const counts = new Map<string, number>();
  for (;;) {
    type Next =
      | { kind: 'done' }
      | { kind: 'dialog'; dialog: { text: string; buttons: string[] } }
      | { kind: 'prompt'; q: h.QuickInputState };
    const next: Next = await h
      .waitUntil(
        async (): Promise<Next | null> => {
          if (await done()) return { kind: 'done' };
          const dialog = await h.readDialog(page);
          if (dialog) return { kind: 'dialog', dialog };
          const q = await h.readQuickInput(page);
          // A value starting with '>' is the command palette that started the command, still closing.
          if (q && !q.value.startsWith('>')) return { kind: 'prompt', q };
          return null;
        },
        `${what}: the next prompt or the result`,
        { timeout: Math.max(1, deadline - Date.now()) },
      )
      .catch((err: Error) => {
        throw new Error(`${err.message}. Prompts answered: ${JSON.stringify(seen)}`);
      });
    if (next.kind === 'done') return seen;
    if (next.kind === 'dialog') {
      const dialog = next.dialog;
      // Only expected confirmations are answered; anything else (an error dialog…) fails the test.
      const a = answers.find((x) => x.pick && x.match.test(dialog.text));
      if (!a)
        throw new Error(
          `${what}: unexpected modal dialog "${dialog.text}" (buttons ${JSON.stringify(dialog.buttons)})`,
        );
      const idx = dialog.buttons.findIndex((b) => a.pick!.test(b));
      if (idx < 0)
        throw new Error(
          `${what}: modal dialog "${dialog.text}" has no button matching ${a.pick}: ${JSON.stringify(dialog.buttons)}`,
        );
      seen.push(`dialog "${dialog.text}" -> ${dialog.buttons[idx]}`);
      await h.screenshot(page, `${what}-dialog`);
      await h.clickClear(page, page.locator('.monaco-dialog-box .dialog-buttons .monaco-button').nth(idx));
      await h.waitUntil(
        async () => (await h.readDialog(page))?.text !== dialog.text,
        `${what}: the dialog "${dialog.text}" to close`,
        { timeout: REACT_TIMEOUT },
      );
      continue;
    }
    const q = next.q;
    const key = promptKey(q);
    const n = (counts.get(key) ?? 0) + 1;
    counts.set(key, n);
    if (n > 4)
      throw new Error(`${what}: the same prompt keeps coming back (answer rejected?): ${h.describeQuickInput(q)}`);
    // The placeholder / prompt says what is asked; the title is often the command's name for every step.
    const specific = `${q.placeholder} ${q.message}`;
    const a = answers.find((x) => x.match.test(specific)) ?? answers.find((x) => x.match.test(q.title));
    if (!a)
      throw new Error(
        `${what}: unexpected prompt ${h.describeQuickInput(q)}; ` +
          `known answers: ${answers.map((x) => `${x.name} ${x.match}`).join(', ')}`,
      );
    seen.push(`${a.name}: ${h.describeQuickInput(q)}`);
    await h.screenshot(page, `${what}-prompt-${a.name}`);
    const left = await answerQuickInput(page, a, q, workspaceDir);
    // Answered when the prompt is gone or is another one (or the same one saying what was wrong).
    await h.waitUntil(
      async () => {
        if (await done()) return true;
        if (await h.readDialog(page)) return true;
        const now = await h.readQuickInput(page);
        return !now || promptKey(now) !== key || now.value !== left;
      },
      `${what}: the prompt ${h.describeQuickInput(q)} to take the answer ${a.name}`,
      { timeout: REACT_TIMEOUT },
    );
  }
}

const promptKey = (q: h.QuickInputState) => `${q.title}|${q.placeholder}|${q.message}`;

/** Answers one quick input; returns the value left in its input box (to tell when it has reacted). */
async function answerQuickInput(page: Page, a: Answer, q: h.QuickInputState, workspaceDir: string): Promise<string> {
  if (a.pick) {
    const item = (await quickPickItems(page)).find((it) => a.pick!.test(it.label) || a.pick!.test(it.aria));
    if (!item) throw new Error(`no quick-pick item matching ${a.pick} in ${h.describeQuickInput(q)}`);
    await chooseQuickPickItem(page, item.label, (it) => it.label === item.label, JSON.stringify(item.label));
    return item.label;
  }
  const value = a.value!;
  // A quick pick listing paths (run folders, masks): choose the item naming this path exactly. The
  // simple file dialog also lists items, but its input holds a path: there the path is typed.
  if (q.items.length > 0 && !q.value.startsWith('/')) {
    const names = [value, path.relative(workspaceDir, value), path.basename(value)];
    const items = await quickPickItems(page);
    for (const name of names) {
      const hit = items.find((it) => it.label === name || it.description === name);
      if (hit) {
        await chooseQuickPickItem(
          page,
          hit.label,
          (it) => it.label === hit.label && it.description === hit.description,
          JSON.stringify(name),
        );
        return hit.label;
      }
    }
  }
  // An input box (or the simple file dialog): type the path and accept once the box holds it.
  const input = h.quickInputBox(page);
  await input.fill(value);
  await h.waitUntil(
    async () => (await input.inputValue()) === value,
    `the input box to hold ${JSON.stringify(value)}`,
    { timeout: REACT_TIMEOUT },
  );
  await input.press('Enter');
  return value;
}

export interface QuickPickItem {
  index: number;
  label: string;
  description: string;
  aria: string;
  /** The active item (the one Enter accepts). */
  focused: boolean;
}

/** The quick pick's rendered rows (the list is virtual: rows scrolled out of view are not in the DOM). */
export async function quickPickItems(page: Page): Promise<QuickPickItem[]> {
  return h.quickInputRows(page).evaluateAll((rows) =>
    rows.map((r) => ({
      index: Number(r.getAttribute('data-index')),
      label: (r.querySelector('.label-name')?.textContent ?? '').trim(),
      description: (r.querySelector('.label-description')?.textContent ?? '').trim(),
      aria: r.getAttribute('aria-label') ?? '',
      focused: r.classList.contains('focused'),
    })),
  );
}

/**
 * Chooses a quick-pick item by its label, as a keyboard user with a long list does: types `filter`
 * (the label) into the quick pick's input so the list narrows to it, waits until the item `pred`
 * names is shown and focused, then presses Enter. If the filter leaves several items (a label that
 * is part of another one's), the focus is moved one key press at a time, each time waiting until
 * the focus has moved.
 */
export async function chooseQuickPickItem(
  page: Page,
  filter: string,
  pred: (it: QuickPickItem) => boolean,
  what: string,
): Promise<void> {
  const input = h.quickInputBox(page);
  await input.fill(filter);
  const describe = async () =>
    `value ${JSON.stringify(await input.inputValue().catch(() => '?'))}, ` +
    `items ${JSON.stringify(await quickPickItems(page).catch(() => []))}`;
  for (let moves = 0; ; moves++) {
    const { target, focused } = await h
      .waitUntil(
        async () => {
          if ((await input.inputValue()) !== filter) return null;
          const items = await quickPickItems(page);
          const target = items.find(pred);
          const focused = items.find((it) => it.focused);
          return target && focused ? { target, focused } : null;
        },
        `the quick pick filtered by ${JSON.stringify(filter)} to show ${what} with a focused item`,
        { timeout: REACT_TIMEOUT },
      )
      .catch(async (err: Error) => {
        throw new Error(`${err.message}; ${await describe()}`);
      });
    if (target.index === focused.index) {
      await input.press('Enter');
      return;
    }
    if (moves >= 50)
      throw new Error(
        `could not move the quick-pick focus to ${what} (filter ${JSON.stringify(filter)}); ${await describe()}`,
      );
    await input.press(focused.index < target.index ? 'ArrowDown' : 'ArrowUp');
    await h.waitUntil(
      async () => (await quickPickItems(page)).find((it) => it.focused)?.index !== focused.index,
      `the quick-pick focus to move from item ${focused.index} (${JSON.stringify(focused.label)})`,
      { timeout: REACT_TIMEOUT },
    );
  }
}
