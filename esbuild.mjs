// Builds every bundle from one place: the extension host code, its worker, the CLIs (all
// CommonJS for Node / VS Code 1.96) and the webview script (browser IIFE).
//   node esbuild.mjs               development build
//   node esbuild.mjs --production  minified, no source maps
//   node esbuild.mjs --watch       rebuild on change
import * as esbuild from 'esbuild';
import { chmodSync, readFileSync } from 'node:fs';

const production = process.argv.includes('--production');
// window.__gridTest (webview/testHooks.ts) for the UI tests: in development builds, and in a production
// build only when GRID_TEST_HOOKS=1 (the .vsix the UI tests package, see test/e2e/harness.ts).
const gridTestHooks = !production || process.env.GRID_TEST_HOOKS === '1';
const watch = process.argv.includes('--watch');

// h5wasm is ESM and reads import.meta.url; CommonJS has none, so define it from __filename.
// The CLIs' --version prints package.json's version (src/cli/version.ts).
const packageVersion = JSON.parse(readFileSync('package.json', 'utf8')).version;
const importMetaUrl = {
  define: { 'import.meta.url': '__importMetaUrl', PACKAGE_VERSION: JSON.stringify(packageVersion) },
};
const importMetaBanner = "const __importMetaUrl = require('url').pathToFileURL(__filename).href;";

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
  legalComments: 'none',
};

const nodeBundle = (entry, outfile, extra = {}) => ({
  ...common,
  ...importMetaUrl,
  entryPoints: [entry],
  outfile,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
  // jsonc-parser's "main" is a UMD build whose dynamic requires esbuild cannot follow: take its ESM build.
  mainFields: ['module', 'main'],
  banner: { js: importMetaBanner },
  plugins: [h5wasmApart],
  ...extra,
});

// h5wasm (4 MB of JavaScript with its WebAssembly inlined) is only needed for NetCDF-4 files our own
// readers leave to the HDF5 library: it is its own module, dist/h5wasm.mjs, loaded on first use, so that
// every CLI and the worker start without parsing it (measured: most of a CLI's fixed start-up).
const h5wasmApart = {
  name: 'h5wasm-apart',
  setup(build) {
    build.onResolve({ filter: /^h5wasm\/node$/ }, () => ({ path: './h5wasm.mjs', external: true }));
  },
};

const cliBanner = { js: `#!/usr/bin/env node\n${importMetaBanner}` };

const builds = [
  nodeBundle('src/extension/extension.ts', 'dist/extension.js'),
  nodeBundle('src/extension/coreWorker.ts', 'dist/coreWorker.js'),
  nodeBundle('src/cli/pyddt-salvage.ts', 'dist/pyddt-salvage.js', { banner: cliBanner }),
  nodeBundle('src/cli/pyddt-merge.ts', 'dist/pyddt-merge.js', { banner: cliBanner }),
  nodeBundle('src/cli/pyddt-rerun.ts', 'dist/pyddt-rerun.js', { banner: cliBanner }),
  nodeBundle('src/cli/pyddt-check.ts', 'dist/pyddt-check.js', { banner: cliBanner }),
  nodeBundle('src/cli/pyddt-batch.ts', 'dist/pyddt-batch.js', { banner: cliBanner }),
  {
    ...common,
    entryPoints: ['node_modules/h5wasm/dist/node/hdf5_hl.js'],
    outfile: 'dist/h5wasm.mjs',
    platform: 'node',
    format: 'esm',
    target: 'node20',
  },
  {
    ...common,
    entryPoints: ['webview/main.ts'],
    outfile: 'dist/webview.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    define: { __TEST_HOOKS__: JSON.stringify(gridTestHooks) },
  },
].filter((b) => !process.env.ONLY || b.outfile.includes(process.env.ONLY));

const makeExecutable = {
  name: 'chmod-cli',
  setup(build) {
    build.onEnd(() => {
      for (const f of [
        'dist/pyddt-salvage.js',
        'dist/pyddt-merge.js',
        'dist/pyddt-rerun.js',
        'dist/pyddt-check.js',
        'dist/pyddt-batch.js',
      ]) {
        try {
          chmodSync(f, 0o755);
        } catch {
          /* not built in this run */
        }
      }
    });
  },
};

if (watch) {
  for (const b of builds) (await esbuild.context({ ...b, plugins: [...(b.plugins ?? []), makeExecutable] })).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build({ ...b, plugins: [...(b.plugins ?? []), makeExecutable] })));
}
