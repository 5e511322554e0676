// Entry point VS Code loads inside the extension host when a window is opened with
// extensionTestsPath pointing here (code-server: test/e2e/runExtensionTests.ts; desktop VS Code:
// test/integration/runWithTestElectron.ts). VS Code calls run(): a rejected promise is a failure
// (exit 1), a resolved one a success.
//
// DVMDOSTEM_E2E_SUITE (set by the runners in the server's / VS Code's environment):
//   default     every *.test.js of this folder except the Restricted Mode one's restricted part
//   restricted  only workspaceTrust.test.js (the window was opened in Restricted Mode)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { reportFailedTest } from './util';

// mocha 11 is CommonJS; mocha 12 is ESM (require() returns a namespace).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const mochaModule = require('mocha');
const Mocha: typeof import('mocha') = mochaModule.Mocha || mochaModule.default || mochaModule;

export function run(): Promise<void> {
  const suite = process.env.DVMDOSTEM_E2E_SUITE || 'default';
  const mocha = new Mocha({
    ui: 'bdd',
    color: false,
    reporter: 'spec',
    timeout: 60000,
    // A test that depends on an earlier one's files is skipped by that earlier failure, not by mocha.
    bail: false,
    grep: process.env.DVMDOSTEM_E2E_GREP || undefined,
  });
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .filter((f) => (suite === 'restricted' ? f === 'workspaceTrust.test.js' : true))
    .sort();
  if (files.length === 0) return Promise.reject(new Error(`no *.test.js files in ${__dirname}`));
  // Every failure says what the window showed (and, under the code-server runner, gets a screenshot).
  mocha.suite.afterEach(async function () {
    if (this.currentTest?.state === 'failed') await reportFailedTest(this.currentTest.fullTitle());
  });
  for (const f of files) mocha.addFile(path.join(__dirname, f));
  console.log(`[integration] suite=${suite}, files: ${files.join(', ')}`);
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures: number) => {
        if (failures > 0) reject(new Error(`${failures} extension-host test(s) failed`));
        else resolve();
      });
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
