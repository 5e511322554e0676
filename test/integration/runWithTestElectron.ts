#!/usr/bin/env node
// The extension-host suite (test/integration/index.ts) in the desktop (Electron) VS Code, through
// @vscode/test-electron. For developer machines with internet access: runTests() downloads VS Code
// into .vscode-test/ on first use. CI (offline except npm and apt) cannot download VS Code and uses
// code-server instead (test/e2e/runExtensionTests.ts, `npm run test:integration`).
//
//   npm run test:electron                    (build + tsc + this file: trusted suite, then Restricted Mode)
//   VSCODE_TEST_VERSION=stable npm run test:electron
//
// On Linux without a display, run it under a virtual one: `xvfb-run -a npm run test:electron`.
// Same fresh fixture workspace as the code-server runs (harness.createWorkspace): nothing is written
// into the repository's fixtures.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import { createWorkspace, DEFAULT_SETTINGS, RESTRICTED_SETTINGS } from '../e2e/harness';
import { repoRoot } from '../helpers/files';

async function runSuite(vscodeExecutablePath: string, suite: 'default' | 'restricted'): Promise<number> {
  const ws = createWorkspace(`dvmdostem-electron-${suite}`);
  const userDataDir = path.join(ws.root, 'user-data');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  const settings = { ...DEFAULT_SETTINGS, ...(suite === 'restricted' ? RESTRICTED_SETTINGS : {}) };
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  console.log(`test-electron (${suite}): workspace ${ws.dir}`);
  try {
    return await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: path.join(repoRoot, 'out', 'test', 'integration', 'index'),
      extensionTestsEnv: { DVMDOSTEM_E2E_SUITE: suite },
      launchArgs: [
        ws.dir,
        '--disable-extensions',
        '--skip-welcome',
        '--skip-release-notes',
        `--user-data-dir=${userDataDir}`,
        `--extensions-dir=${path.join(ws.root, 'extensions')}`,
        ...(suite === 'restricted' ? [] : ['--disable-workspace-trust']),
      ],
    });
  } catch (err) {
    // runTests rejects (TestRunFailedError) when VS Code exits non-zero, i.e. when a test failed.
    console.error(`test-electron (${suite}): ${(err as Error).message}`);
    return 1;
  } finally {
    ws.dispose();
  }
}

async function main(): Promise<number> {
  if (!fs.existsSync(path.join(repoRoot, 'dist', 'extension.js')))
    throw new Error('dist/extension.js missing: run `npm run build` first');
  const suites = (process.env.DVMDOSTEM_E2E_SUITES || 'default,restricted').split(',') as ('default' | 'restricted')[];
  // Download first (cached in .vscode-test/): a failed download is a harness error, not a test failure.
  const vscodeExecutablePath = await downloadAndUnzipVSCode(process.env.VSCODE_TEST_VERSION || '1.96.4');
  let code = 0;
  for (const suite of suites) code = Math.max(code, await runSuite(vscodeExecutablePath, suite));
  console.log(`test-electron: ${code === 0 ? 'PASSED' : 'FAILED'}`);
  return code;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error('test-electron: harness error (could not download or start VS Code?):', err);
    process.exit(2);
  },
);
