import * as fs from 'node:fs';
import * as path from 'node:path';
import { syncFolder } from './writeBehind';

/**
 * Outputs appear complete or not at all: each is built at a hidden staging path next to its final
 * place (same file system, so the final rename is atomic) and renamed only when it is complete.
 */

const STAGING_MARK = '.pyddt-staging-';

export function stagingPath(finalPath: string, tag: string): string {
  const abs = path.resolve(finalPath);
  return path.join(
    path.dirname(abs),
    `${STAGING_MARK}${tag}-${process.pid}-${Date.now().toString(36)}-${path.basename(abs)}`,
  );
}

export function isStagingName(name: string): boolean {
  return name.startsWith(STAGING_MARK);
}

export function removeQuietly(p: string): void {
  try {
    fs.rmSync(p, { recursive: true, force: true });
  } catch {
    // Best effort: a leftover staging path has a name that says what it is.
  }
}

/** Leftover staging paths next to `finalPath` whose process is gone (killed mid-way): safe to remove. */
export function removeStaleStaging(finalPath: string): void {
  const dir = path.dirname(path.resolve(finalPath));
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  const base = path.basename(path.resolve(finalPath));
  for (const name of names) {
    // A staged path can itself be staged (salvage stages the new mask, which writeRunMask stages
    // again): peel every prefix; the leftover is stale when all processes named are gone.
    const pids: number[] = [];
    let rest = name;
    for (
      let m;
      rest.startsWith(STAGING_MARK) && (m = /^[a-z]+-(\d+)-[0-9a-z]+-(.*)$/.exec(rest.slice(STAGING_MARK.length)));
      rest = m[2]
    )
      pids.push(Number(m[1]));
    if (!pids.length || rest !== base || pids.some(processAlive)) continue;
    removeQuietly(path.join(dir, name));
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Moves a finished staging folder into place; `finalPath` may exist only as an empty folder. The
 * rename is put on disk before this returns (the files are the caller's to flush first: WriteBehind).
 */
export function publishFolder(staged: string, finalPath: string): void {
  try {
    fs.rmdirSync(finalPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.renameSync(staged, finalPath);
  syncFolder(path.dirname(path.resolve(finalPath)));
}

/** Writes a small file (an export) at a staging path next to `finalPath`, then renames it into place. */
export async function writeFileStaged(
  finalPath: string,
  data: string | Uint8Array,
  tag = 'export',
  mode?: number,
): Promise<void> {
  const staged = stagingPath(finalPath, tag);
  try {
    await fs.promises.writeFile(staged, data, { flag: 'wx', mode });
    if (mode !== undefined) await fs.promises.chmod(staged, mode);
    await fs.promises.rename(staged, finalPath);
  } catch (err) {
    removeQuietly(staged);
    throw err;
  }
}
