/** The tools' version: `version` of package.json. */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Defined by esbuild.mjs in the bundles; absent in tsc's unbundled build (out/, run by tests). */
declare const PACKAGE_VERSION: string | undefined;

export const VERSION: string = typeof PACKAGE_VERSION === 'string' ? PACKAGE_VERSION : unbundledVersion();

/** out/src/cli/version.js → the repository's package.json. */
function unbundledVersion(): string {
  const manifest = path.join(__dirname, '..', '..', '..', 'package.json');
  return (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string }).version;
}
