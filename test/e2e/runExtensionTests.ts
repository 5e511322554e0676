#!/usr/bin/env node
// Runs the extension-host integration tests (mocha inside the real extension host, the
// @vscode/test-electron style) in code-server, offline.
//
//   node out/test/e2e/runExtensionTests.js [--suite default|restricted|all] [--restricted]
//                                          [--extensionTestsPath FILE] [--workspace DIR] [--timeout SECONDS]
//
// Defaults: the extension is this repository (loaded as a development extension), the tests module is
// out/test/integration/index.js, the workspace is a fresh copy of the 10x10 fixture (see
// harness.createWorkspace), timeout 300 s.
// --suite restricted (or --restricted): Workspace Trust on and the folder not trusted (Restricted
//               Mode); the suite is told so through DVMDOSTEM_E2E_SUITE=restricted and runs only the
//               trust tests. --suite all: the default suite, then the restricted one (each in its own
//               fresh workspace and code-server); the exit status is the worse of the two.
//
// The browser window is opened with
//   payload=[["extensionDevelopmentPath","vscode-remote://HOST/repo"],["extensionTestsPath","vscode-remote://HOST/…/index"]]
// VS Code starts the extension host on the server, loads the extension and calls run() of the tests
// module. When run() settles the extension host exits and the workbench calls
// window.codeAutomationExit(code) (0 = resolved, 1 = rejected); the extension host's console output
// (mocha's reporter) arrives through window.codeAutomationLog(type, args).
//
// Prints mocha's output, then `ext-host: N passed, M failed`. Exit status: 0 all passed, 1 tests
// failed (or the tests module failed to load), 2 timeout or harness error (e.g. VS Code did not start).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';
import type { Page } from 'playwright-core';
import * as h from './harness';
import { repoRoot } from '../helpers/files';
import { describeScreen } from './screenState';

interface Options {
  extensionTestsPath: string;
  workspace: string | null;
  timeout: number;
  suites: ('default' | 'restricted')[];
}

function parseArgs(argv: string[]): Options {
  const opts: Options = {
    extensionTestsPath: path.join(repoRoot, 'out', 'test', 'integration', 'index'),
    workspace: null,
    timeout: Number(process.env.E2E_EXT_TIMEOUT || 300),
    suites: ['default'],
  };
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new Error(`unknown argument: ${argv[i]}`);
    const key = m[1];
    if (key === 'restricted') {
      opts.suites = ['restricted'];
      continue;
    }
    const value = m[2] !== undefined ? m[2] : argv[++i];
    if (value === undefined) throw new Error(`--${key} needs a value`);
    if (key === 'timeout') opts.timeout = Number(value);
    else if (key === 'extensionTestsPath') opts.extensionTestsPath = path.resolve(value);
    else if (key === 'workspace') opts.workspace = path.resolve(value);
    else if (key === 'suite') {
      if (!['default', 'restricted', 'all'].includes(value))
        throw new Error(`--suite must be default, restricted or all`);
      opts.suites = value === 'all' ? ['default', 'restricted'] : [value as 'default' | 'restricted'];
    } else throw new Error(`unknown argument: ${argv[i]}`);
  }
  return opts;
}

// Workbench chatter that also arrives through codeAutomationLog; only the extension host's output matters.
const NOISE =
  /^(Resolving|Resolved) connection token|^Creating a socket|^\[Service Worker\]|^Updating additional builtin|^Ignoring fetching additional builtin|^Creation of workbench contribution|^Started local extension host|^Extension host \(|vsda/;

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  let code = 0;
  for (const suite of opts.suites) code = Math.max(code, await runSuite(opts, suite === 'restricted'));
  return code;
}

async function runSuite(opts: Options, restricted: boolean): Promise<number> {
  const label = restricted ? 'ext-host (Restricted Mode)' : 'ext-host';
  const tag = restricted ? 'ext-tests-restricted' : 'ext-tests';
  fs.mkdirSync(h.ARTIFACTS, { recursive: true });
  h.requireBuiltExtension();
  if (!fs.existsSync(opts.extensionTestsPath + '.js') && !fs.existsSync(opts.extensionTestsPath)) {
    throw new Error(`${opts.extensionTestsPath}.js does not exist: run \`npm run compile-tests\` first`);
  }
  const started = Date.now();
  const ws = opts.workspace ? null : h.createWorkspace(restricted ? 'dvmdostem-ext-restricted' : 'dvmdostem-ext');
  const workspace = opts.workspace || ws!.dir;
  console.log(`${label}: workspace ${workspace}`);

  let server: h.CodeServer | undefined;
  let browser: h.Browser | undefined;
  let passing: number | null = null;
  let failing: number | null = null;
  let exitCode = 2;
  try {
    server = await h.startCodeServer({
      workspace,
      root: ws ? path.join(ws.root, 'code-server') : undefined,
      trust: !restricted,
      env: {
        DVMDOSTEM_E2E_SUITE: restricted ? 'restricted' : 'default',
        // Where a failed test asks for its screenshot (test/integration/util.ts reportFailedTest).
        DVMDOSTEM_E2E_SCREENSHOTS: path.join(h.ARTIFACTS, tag),
      },
      logFile: path.join(h.ARTIFACTS, `${tag}-code-server.log`),
    });
    browser = await h.launchBrowser();
    const { page } = browser;

    let resolveFinished!: (v: { code: number }) => void;
    const finished = new Promise<{ code: number }>((resolve) => (resolveFinished = resolve));
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown) => {
      const line = util.format(...(Array.isArray(args) ? args : [args]));
      if (NOISE.test(line)) return;
      let m: RegExpExecArray | null;
      if ((m = /^\s*(\d+) passing/.exec(line))) passing = Number(m[1]);
      if ((m = /^\s*(\d+) failing/.exec(line))) failing = Number(m[1]);
      (type === 'error' ? process.stderr : process.stdout).write(line + '\n');
      if ((m = /^\[integration\] screenshot requested: (.+)$/m.exec(line))) void screenshotFor(page, m[1]);
    });
    await page.exposeFunction(
      'codeAutomationExit',
      (code: number, logs?: { relativePath: string; contents: string }[]) => {
        for (const log of logs || []) {
          const file = path.join(h.ARTIFACTS, `${tag}-logs`, log.relativePath);
          fs.mkdirSync(path.dirname(file), { recursive: true });
          fs.writeFileSync(file, log.contents);
        }
        resolveFinished({ code });
      },
    );
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<{ timeout: true }>((resolve) => {
      timer = setTimeout(() => resolve({ timeout: true }), opts.timeout * 1000);
    });
    try {
      await h.openWorkbench(page, server, {
        folder: workspace,
        payload: h.devPayload(server, opts.extensionTestsPath),
      });
      const result = await Promise.race([finished, timedOut]);
      if ('timeout' in result) {
        console.error(`${label} tests: TIMEOUT after ${opts.timeout} s`);
        console.error(await describeScreen(page, `${tag}-timeout`));
        console.error(server.output().split('\n').slice(-30).join('\n'));
      } else {
        exitCode = result.code === 0 ? 0 : 1;
        if (exitCode !== 0) {
          console.error(`${label} tests failed; at the end:\n${await describeScreen(page, `${tag}-end`)}`);
        }
      }
    } catch (err) {
      console.error(`${label} tests: harness error:`, err);
      console.error(await describeScreen(page, `${tag}-error`));
    } finally {
      clearTimeout(timer);
    }
  } catch (err) {
    console.error(`${label} tests: harness error (could not start VS Code):`, err);
    exitCode = 2;
  } finally {
    await browser?.close();
    await server?.stop();
    ws?.dispose();
  }
  if (exitCode === 0 && passing === null) {
    // A run() that resolved without mocha reporting anything ran no tests: that is not a pass.
    console.error(`${label}: the tests module resolved but no mocha summary was seen`);
    exitCode = 1;
  }
  if (exitCode === 0 && passing === 0) {
    console.error(`${label}: no tests ran`);
    exitCode = 1;
  }
  console.log(`ext-host: ${passing ?? 0} passed, ${failing ?? 0} failed${restricted ? ' (Restricted Mode)' : ''}`);
  console.log(
    `${label} tests ${exitCode === 0 ? 'PASSED' : exitCode === 1 ? 'FAILED' : 'DID NOT FINISH'} ` +
      `(exit ${exitCode}, ${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
  return exitCode;
}

/**
 * Takes the screenshot a failed extension-host test asked for (it waits for the file) and prints what
 * else the window showed. Only looks: the tests go on in the same window.
 */
async function screenshotFor(page: Page, file: string): Promise<void> {
  const resolved = path.resolve(file);
  if (path.dirname(resolved) !== h.ARTIFACTS) return; // only ever write where the runner said
  const partial = `${resolved}.partial.png`;
  try {
    await page.screenshot({ path: partial });
    fs.renameSync(partial, resolved);
    console.error(`ext-host: screenshot of the failed test: ${resolved}`);
    const screen = await describeScreen(page, path.basename(resolved, '.png'), { touch: false, screenshot: false });
    console.error(screen);
  } catch (err) {
    console.error(`ext-host: could not take the screenshot ${resolved}: ${(err as Error).message}`);
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error('ext-host tests: harness error:', err instanceof Error ? err.message : err);
    process.exit(2);
  },
);
