import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from './errors';

/** True when `inner` is `outer` or lies inside it. */
export function isSameOrInside(inner: string, outer: string): boolean {
  const rel = path.relative(path.resolve(outer), path.resolve(inner));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export function requireFolder(dir: string, role: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${dir}: ${role} not found`);
    if (code === 'EACCES') throw new UserError(`${dir}: permission denied`);
    throw err;
  }
  if (!st.isDirectory()) throw new UserError(`${dir}: ${role} is not a folder`);
  try {
    fs.accessSync(dir, fs.constants.R_OK | fs.constants.X_OK);
  } catch {
    throw new UserError(`${dir}: permission denied (cannot read the ${role})`);
  }
}

/** A new output folder: must not exist, or be empty; its parent must be writable. */
export function requireNewFolder(dir: string, role: string, emptyAllowed: boolean): void {
  if (fs.existsSync(dir)) {
    if (!emptyAllowed) throw new UserError(`${dir}: ${role} already exists`);
    if (!fs.statSync(dir).isDirectory() || fs.readdirSync(dir).length > 0)
      throw new UserError(`${dir}: ${role} already exists and is not empty`);
  }
  const parent = path.dirname(path.resolve(dir));
  try {
    fs.accessSync(parent, fs.constants.W_OK | fs.constants.X_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(
      code === 'ENOENT'
        ? `${parent}: folder not found (parent of the ${role})`
        : `${parent}: permission denied (cannot create the ${role} there)`,
    );
  }
}

/**
 * Orders file names by UTF-16 code unit: the same order on every machine and locale, without
 * loading ICU's collator (`localeCompare` costs ~8 ms on its first call, a CLI's start-up).
 */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
