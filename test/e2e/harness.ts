// Helpers to test the extension inside a real VS Code (code-server 4.96.4 = VS Code 1.96.4) driven by
// playwright-core and the system Chromium. Nothing is downloaded at run time: code-server is installed
// from the npm registry by scripts/setup-code-server.sh, Chromium comes from Debian (`apt-get install
// chromium`). Vendored and adapted from the team's vscode-e2e notes (see docs in that README: payload
// URLs for development extensions, codeAutomationExit/codeAutomationLog for extension-host tests).
//
// Everything that can go wrong here throws: a missing code-server, a missing Chromium or a workbench
// that never appears is a test failure, never a skip.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BrowserContext, FrameLocator, Frame, Locator, Page } from 'playwright-core';
import { repoRoot } from '../helpers/files';

// ------------------------------------------------------------------ locations

/**
 * The extension under test: this repository, or E2E_EXTENSION_PATH (another build of it, e.g. an
 * unpacked vsix) with the same publisher.name.
 */
export const extensionPath = path.resolve(process.env.E2E_EXTENSION_PATH || repoRoot);

export const manifest = JSON.parse(fs.readFileSync(path.join(extensionPath, 'package.json'), 'utf8')) as {
  name: string;
  publisher: string;
  version: string;
  main: string;
};
/** `publisher.name`, as VS Code identifies the extension (also the webview's `extensionId=` URL parameter). */
export const EXTENSION_ID = `${manifest.publisher}.${manifest.name}`;

/** Screenshots and logs: `test-results/` at the repository root (git-ignored). */
export const ARTIFACTS = path.resolve(process.env.E2E_ARTIFACTS || path.join(repoRoot, 'test-results'));

export const FIXTURE_RUN = path.join(repoRoot, 'test', 'fixtures', 'dvmdostem-toolik-10x10');

export function findCodeServer(): string {
  // An explicit CODE_SERVER_BIN is used or fails: never silently replaced by another install.
  const candidates = process.env.CODE_SERVER_BIN
    ? [process.env.CODE_SERVER_BIN]
    : [path.join(repoRoot, '.vscode-test', 'code-server', 'bin', 'code-server')];
  for (const c of candidates) if (fs.existsSync(c)) return c;
  throw new Error(
    'code-server not found: run `bash scripts/setup-code-server.sh` (npm run test:integration and test:ui do) ' +
      'or set CODE_SERVER_BIN. Looked at: ' +
      candidates.join(', '),
  );
}

export function findChromium(): string {
  const candidates = process.env.CHROMIUM_PATH
    ? [process.env.CHROMIUM_PATH]
    : ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  for (const c of candidates) if (fs.existsSync(c)) return c;
  throw new Error('No Chromium found: apt-get install -y chromium, or set CHROMIUM_PATH');
}

/** Fails loudly when the extension bundle is missing (a stale or failed `npm run build`). */
export function requireBuiltExtension(): void {
  const main = path.join(extensionPath, manifest.main);
  if (!fs.existsSync(main)) throw new Error(`${main} does not exist: run \`npm run build\` first`);
}

// ------------------------------------------------------------------ workspace

export interface TestWorkspace {
  /** Temp folder holding everything of this run (workspace + code-server state). */
  root: string;
  /** The folder VS Code opens. */
  dir: string;
  /** `<dir>/output`: copy of the fixture's `original/` (6 success, 2 failed, 2 timeout, 90 masked). */
  output: string;
  /** `<dir>/rerun`: copy of the fixture's `rerun/` (the 4 re-run cells succeeded). */
  rerun: string;
  /** `<dir>/run-mask.nc`: copy of the fixture's `inputs/run-mask.nc` (10 enabled cells). */
  mask: string;
  /** `<dir>/notes`: a folder that is not a run (no run_status.nc). */
  notes: string;
  dispose(): void;
}

/**
 * A fresh workspace made of copies of test/fixtures/dvmdostem-toolik-10x10 (the repository's fixtures
 * are never opened in VS Code, so no test can write into them):
 *   <tmp>/ws/output       = original/
 *   <tmp>/ws/rerun        = rerun/
 *   <tmp>/ws/run-mask.nc  = inputs/run-mask.nc
 *   <tmp>/ws/notes/       a plain folder (not a run)
 */
export function createWorkspace(tag = 'dvmdostem-e2e'): TestWorkspace {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `${tag}-`));
  const dir = path.join(root, 'ws');
  const output = path.join(dir, 'output');
  const rerun = path.join(dir, 'rerun');
  const mask = path.join(dir, 'run-mask.nc');
  const notes = path.join(dir, 'notes');
  fs.mkdirSync(dir, { recursive: true });
  fs.cpSync(path.join(FIXTURE_RUN, 'original'), output, { recursive: true, preserveTimestamps: true });
  fs.cpSync(path.join(FIXTURE_RUN, 'rerun'), rerun, { recursive: true, preserveTimestamps: true });
  fs.copyFileSync(path.join(FIXTURE_RUN, 'inputs', 'run-mask.nc'), mask);
  fs.mkdirSync(notes);
  fs.writeFileSync(path.join(notes, 'README.txt'), 'Not a dvmdostem run folder.\n');
  return {
    root,
    dir,
    output,
    rerun,
    mask,
    notes,
    dispose: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

// ------------------------------------------------------------------ code-server

/** User settings that keep a test window quiet and offline-friendly. */
export const DEFAULT_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'window.restoreWindows': 'none',
  'files.simpleDialog.enable': true,
  'security.workspace.trust.enabled': false,
};

/** Settings that make the opened folder start in Restricted Mode (see `startCodeServer({ trust: false })`). */
export const RESTRICTED_SETTINGS: Record<string, unknown> = {
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.banner': 'always',
  'security.workspace.trust.emptyWindow': false,
};

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Variables leaked from a surrounding VS Code (e.g. its terminal) confuse the server.
  for (const k of Object.keys(env)) if (k.startsWith('VSCODE_') || k === 'ELECTRON_RUN_AS_NODE') delete env[k];
  return { ...env, ...extra };
}

export interface CodeServer {
  url: string;
  port: number;
  /** "127.0.0.1:PORT": also the remote authority of the window. */
  host: string;
  root: string;
  workspace: string;
  pid: number;
  output(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Folder for code-server's own state (user data, extensions, XDG dirs). Default: a new temp folder (removed by stop()). */
  root?: string;
  workspace: string;
  /** false: Workspace Trust on, the folder untrusted (Restricted Mode). Default true (trust disabled). */
  trust?: boolean;
  settings?: Record<string, unknown>;
  /** .vsix files to install (`code-server --install-extension`) before starting. */
  installVsix?: string[];
  /** Extra environment for the server and so for the extension host (e.g. what the test suite should do). */
  env?: Record<string, string>;
  logFile?: string;
  startTimeoutMs?: number;
}

/** Starts code-server on 127.0.0.1 with a random free port and throwaway state. */
export async function startCodeServer(options: StartOptions): Promise<CodeServer> {
  const bin = findCodeServer();
  const ownRoot = !options.root;
  const root = options.root || fs.mkdtempSync(path.join(os.tmpdir(), 'cs-e2e-'));
  const userDataDir = path.join(root, 'user-data');
  const extensionsDir = path.join(root, 'extensions');
  const xdg = path.join(root, 'xdg');
  for (const d of [userDataDir, path.join(userDataDir, 'User'), extensionsDir, xdg])
    fs.mkdirSync(d, { recursive: true });
  const trust = options.trust !== false;
  fs.writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify(
      { ...DEFAULT_SETTINGS, ...(trust ? {} : RESTRICTED_SETTINGS), ...(options.settings || {}) },
      null,
      2,
    ),
  );
  const env = cleanEnv({
    XDG_CONFIG_HOME: path.join(xdg, 'config'),
    XDG_DATA_HOME: path.join(xdg, 'data'),
    // No extension gallery (code-server defaults to open-vsx.org, unreachable offline).
    EXTENSIONS_GALLERY: '{}',
    ...(options.env || {}),
  });
  const common = [
    '--config',
    path.join(xdg, 'code-server.yaml'),
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
  ];
  for (const vsix of options.installVsix || []) {
    execFileSync(bin, [...common, '--install-extension', vsix, '--force'], { env, stdio: 'pipe' });
  }
  const args = [
    '--bind-addr',
    '127.0.0.1:0',
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    ...(trust ? ['--disable-workspace-trust'] : []),
    ...common,
    options.workspace,
  ];
  if (options.logFile) fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
  // detached => own process group, so stop() ends code-server AND the extension hosts it forked.
  const child: ChildProcess = spawn(bin, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const logStream = options.logFile ? fs.createWriteStream(options.logFile) : null;
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    logStream?.write(chunk);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const spawnError = new Promise<never>((_, reject) =>
    child.on('error', (err) => reject(new Error(`cannot start ${bin}: ${err.message}`))),
  );

  const timeoutMs = options.startTimeoutMs || 60000;
  const url = await Promise.race([
    spawnError,
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`code-server did not start within ${timeoutMs} ms:\n${output}`)),
        timeoutMs,
      );
      const check = () => {
        const m = /HTTP server listening on (http:\/\/\S+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(m[1].replace(/\/?$/, '/'));
        }
      };
      child.stdout!.on('data', check);
      child.stderr!.on('data', check);
      void exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`code-server exited early (code ${code}, signal ${signal}):\n${output}`));
      });
    }),
  ]).catch(async (err) => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
    throw err;
  });
  const parsed = new URL(url);

  let stopped = false;
  async function stop(): Promise<void> {
    if (!stopped) {
      stopped = true;
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        /* already gone */
      }
      const t = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, 5000);
      await exited;
      clearTimeout(t);
      // The extension host may outlive the server briefly: make sure the whole group is gone.
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
      logStream?.end();
    }
    if (ownRoot) fs.rmSync(root, { recursive: true, force: true });
  }

  return {
    url,
    port: Number(parsed.port),
    host: parsed.host,
    root,
    workspace: options.workspace,
    pid: child.pid!,
    output: () => output,
    stop,
  };
}

// ------------------------------------------------------------------ browser

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** Launches Debian's Chromium through playwright-core with a fresh profile. */
export async function launchBrowser(options: { viewport?: { width: number; height: number } } = {}): Promise<Browser> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { chromium } = require('playwright-core') as typeof import('playwright-core');
  const executablePath = findChromium();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    // Chromium keeps its crash-report database in $XDG_CONFIG_HOME/chromium even with a custom profile.
    env: { ...process.env, XDG_CONFIG_HOME: path.join(profile, 'xdg-config') },
    args: CHROMIUM_ARGS,
    viewport: options.viewport || { width: 1400, height: 900 },
  });
  const page = context.pages()[0] || (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close().catch(() => {});
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** URI of a server-side path as the browser window must name it. */
export function remoteUri(server: CodeServer, absPath: string): string {
  return `vscode-remote://${server.host}${path.resolve(absPath)}`;
}

/** Payload loading the extension under test (this repository) as a development extension (and optionally extension-host tests). */
export function devPayload(server: CodeServer, extensionTestsPath?: string): [string, string][] {
  const payload: [string, string][] = [['extensionDevelopmentPath', remoteUri(server, extensionPath)]];
  if (extensionTestsPath) payload.push(['extensionTestsPath', remoteUri(server, extensionTestsPath)]);
  return payload;
}

/** Opens the workbench on `folder`; `payload` = [key, value] pairs (extensionDevelopmentPath, …). */
export async function openWorkbench(
  page: Page,
  server: CodeServer,
  {
    folder = server.workspace,
    payload,
    timeout = 90000,
  }: { folder?: string; payload?: [string, string][]; timeout?: number } = {},
): Promise<void> {
  const url = new URL(server.url);
  url.searchParams.set('folder', path.resolve(folder));
  if (payload) url.searchParams.set('payload', JSON.stringify(payload));
  // What is needed is the workbench, not the page's load event (which waits for every script and
  // style and, on a loaded machine, came after Playwright's default 30 s): go as soon as the server
  // answers, then wait for the workbench's parts.
  const deadline = Date.now() + timeout;
  await page.goto(url.href, { waitUntil: 'commit', timeout });
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: Math.max(1, deadline - Date.now()) });
  await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: Math.max(1, deadline - Date.now()) });
}

// ------------------------------------------------------------------ workbench helpers

export const quickInputWidget = (page: Page): Locator => page.locator('.quick-input-widget');
export const quickInputBox = (page: Page): Locator => page.locator('.quick-input-widget .quick-input-box input');
export const quickInputRows = (page: Page): Locator =>
  page.locator('.quick-input-widget .quick-input-list .monaco-list-row');

/**
 * Runs a command through the command palette (F1) by its title as shown there ("Category: Title"):
 * types the title, waits for the row with exactly that label, accepts it (Enter when it is the
 * focused row, else a click on it) and waits until the palette has closed. Retries (Escape, reopen):
 * contributions of the (remote) extension host only show up once it has started, and an open palette
 * does not refresh its list by itself.
 */
export async function runCommand(page: Page, title: string, { timeout = 45000 } = {}): Promise<void> {
  const deadline = Date.now() + timeout;
  const input = quickInputBox(page);
  const palette = async () => (await quickInputWidget(page).isVisible()) && (await input.inputValue()).startsWith('>');
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      await page.keyboard.press('F1');
      await input.waitFor({ state: 'visible', timeout: 5000 });
      await input.fill('>' + title);
      const label = page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) });
      const row = quickInputRows(page).filter({ has: label }).first();
      await row.waitFor({ state: 'visible', timeout: 3000 });
      if ((await row.getAttribute('class'))?.split(/\s+/).includes('focused')) await input.press('Enter');
      else await clickClear(page, row);
      await waitUntil(async () => !(await palette()), `the palette to close after "${title}"`, { timeout: 10_000 });
      return;
    } catch (err) {
      lastError = err;
      await page.keyboard.press('Escape').catch(() => {});
      await waitUntil(async () => !(await palette()), 'the palette to close', { timeout: 10_000 }).catch(() => {});
    }
  }
  const open = describeQuickInput(await readQuickInput(page));
  throw new Error(`Command "${title}" not found in the palette: ${(lastError as Error)?.message}; palette: ${open}`);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Moves the pointer to an empty spot (the middle of the editor area) and waits until no hover is
 * shown. A hover (an activity bar entry's title, an Explorer row's path, a tree item's tooltip) stays
 * while the pointer rests on its target and can cover the next thing to click; a click that hits it
 * waits forever, since the pointer never leaves.
 */
export async function clearHover(page: Page): Promise<void> {
  await page.mouse.move(700, 600);
  const hovers = page.locator('.monaco-hover:visible, .workbench-hover:visible, .hover-contents:visible');
  await waitUntil(async () => (await hovers.count()) === 0, 'no hover shown after moving the pointer away', {
    timeout: 20_000,
  });
}

/** Clicks `target` after the pointer has left its previous place and no hover covers the window (see clearHover). */
export async function clickClear(
  page: Page,
  target: Locator,
  options: { button?: 'left' | 'right' } = {},
): Promise<void> {
  await clearHover(page);
  await target.click(options);
}

/** Waits for a notification toast containing `text`; returns its locator. */
export async function waitForNotification(
  page: Page,
  text: string | RegExp,
  { timeout = 30000 } = {},
): Promise<Locator> {
  const toast = page.locator('.notification-toast').filter({ hasText: text }).first();
  await toast.waitFor({ state: 'visible', timeout });
  return toast;
}

/** Texts of all notification toasts currently shown (for error messages). */
export async function notificationTexts(page: Page): Promise<string[]> {
  return (
    await page
      .locator('.notification-toast')
      .allInnerTexts()
      .catch(() => [])
  ).map((t) => t.replace(/\s+/g, ' ').trim());
}

/** What a visible quick input (quick pick, input box or simple file dialog) asks. */
export interface QuickInputState {
  title: string;
  placeholder: string;
  message: string;
  value: string;
  items: string[];
}

export async function readQuickInput(page: Page): Promise<QuickInputState | null> {
  const widget = quickInputWidget(page);
  if (!(await widget.isVisible().catch(() => false))) return null;
  const text = async (sel: string) =>
    (
      (await widget
        .locator(sel)
        .first()
        .innerText({ timeout: 500 })
        .catch(() => '')) || ''
    ).trim();
  const input = quickInputBox(page);
  return {
    title: await text('.quick-input-title'),
    placeholder: (await input.getAttribute('placeholder', { timeout: 500 }).catch(() => '')) || '',
    message: await text('.quick-input-message'),
    value: await input.inputValue({ timeout: 500 }).catch(() => ''),
    items: (
      await quickInputRows(page)
        .allInnerTexts()
        .catch(() => [])
    ).map((t) => t.replace(/\s+/g, ' ').trim()),
  };
}

export function describeQuickInput(q: QuickInputState | null): string {
  if (!q) return '(no quick input)';
  return JSON.stringify({
    title: q.title,
    placeholder: q.placeholder,
    message: q.message,
    value: q.value,
    items: q.items.slice(0, 8),
  });
}

/** A modal dialog (showWarningMessage/showInformationMessage with `modal: true`), or null. */
export async function readDialog(page: Page): Promise<{ text: string; buttons: string[] } | null> {
  const box = page.locator('.monaco-dialog-box');
  if (!(await box.isVisible().catch(() => false))) return null;
  const text = async (sel: string) =>
    (
      (await box
        .locator(sel)
        .first()
        .innerText({ timeout: 500 })
        .catch(() => '')) || ''
    ).trim();
  return {
    text: [await text('.dialog-message-text'), await text('.dialog-message-detail')].filter(Boolean).join(' — '),
    buttons: (
      await box
        .locator('.dialog-buttons .monaco-button')
        .allInnerTexts()
        .catch(() => [])
    ).map((t) => t.trim()),
  };
}

// ------------------------------------------------------------------ webviews

/**
 * A webview is two nested iframes:
 *   <iframe class="webview ready" src=".../webview/browser/pre/index.html?...&extensionId=ID">  (VS Code's host page)
 *     <iframe id="active-frame" title="<panel title>">                                       (the extension's HTML)
 */
export function webviewFrameLocator(
  page: Page,
  { extensionId, title }: { extensionId?: string; title?: string } = {},
): FrameLocator {
  let outer = 'iframe.webview.ready';
  if (extensionId) outer += `[src*="extensionId=${extensionId}"]`;
  let inner = 'iframe#active-frame';
  if (title) inner += `[title="${title}"]`;
  return page.frameLocator(outer).frameLocator(inner);
}

/** The webview's inner document as a Playwright Frame (for evaluate()), found by a selector it contains. */
export async function findWebviewFrame(page: Page, selector: string, { timeout = 30000 } = {}): Promise<Frame> {
  const find = async () => {
    for (const frame of page.frames()) {
      const parent = frame.parentFrame();
      if (!parent || !parent.url().includes('/webview/browser/pre/')) continue;
      // A frame navigated or detached meanwhile throws: waitUntil looks again.
      if (await frame.$(selector)) return frame;
    }
    return null;
  };
  return waitUntil(find, `a webview frame that contains ${selector}`, { timeout });
}

// ------------------------------------------------------------------ artifacts

let shotCounter = 0;
/** Saves a screenshot as test-results/<NN>-<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${String(++shotCounter).padStart(2, '0')}-${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Resolves when `check` returns a truthy value (polled), or throws after `timeout` ms with `what`. */
export async function waitUntil<T>(
  check: () => T | Promise<T>,
  what: string,
  { timeout = 30000, interval = 250 } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

/**
 * Packages the extension under test as a .vsix with @vscode/vsce, offline, the way `npm run package`
 * does (`vscode:prepublish` = production build, `.vscodeignore` applied). It works in a copy of the
 * extension (node_modules linked, not copied) so the repository's dist/ keeps its development build.
 * The webview keeps its test hooks (GRID_TEST_HOOKS=1, see esbuild.mjs): the UI tests read the grid
 * through window.__gridTest, which a production build otherwise leaves out. Returns the .vsix path.
 */
export function packageVsix(workDir: string): string {
  const vsce = path.join(repoRoot, 'node_modules', '.bin', 'vsce');
  if (!fs.existsSync(vsce)) throw new Error(`${vsce} not found: npm ci first`);
  const copy = path.join(workDir, 'src-copy');
  fs.mkdirSync(copy, { recursive: true });
  const skip = new Set([
    'node_modules',
    '.git',
    '.vscode-test',
    'out',
    'dist',
    'test',
    'test-results',
    'bench-data',
    'demo-output',
  ]);
  for (const e of fs.readdirSync(extensionPath, { withFileTypes: true })) {
    if (skip.has(e.name) || e.name.endsWith('.vsix')) continue;
    fs.cpSync(path.join(extensionPath, e.name), path.join(copy, e.name), { recursive: true });
  }
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  const out = path.join(workDir, `${manifest.name}-${manifest.version}.vsix`);
  try {
    execFileSync(
      vsce,
      ['package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', out],
      { cwd: copy, stdio: 'pipe', encoding: 'utf8', env: { ...process.env, GRID_TEST_HOOKS: '1' } },
    );
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    const lines = [e.stderr, e.stdout].filter(Boolean).join('\n').split('\n');
    // eslint-disable-next-line no-control-regex -- strips the terminal colour codes vsce prints
    const errors = lines.filter((l) => /ERROR|error/.test(l)).map((l) => l.replace(/\x1b\[[0-9;]*m/g, '').trim());
    throw new Error(`vsce package failed (as \`npm run package\` would): ${errors.join(' | ') || e.message}`, {
      cause: err,
    });
  }
  return out;
}
