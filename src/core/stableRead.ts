import * as fs from 'node:fs';
import { UserError } from './errors';

/** Reads of a file that keeps changing underneath before giving up. */
const MAX_READ_ATTEMPTS = 5;

/** fs.statSync with the two expected failures told as a UserError naming the file and its role. */
export function statOrExplain(path: string, role: string): fs.Stats {
  try {
    return fs.statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${path}: ${role} not found`);
    if (code === 'EACCES') throw new UserError(`${path}: permission denied`);
    throw err;
  }
}

/**
 * Reads a file that a running dvmdostem may rewrite at any moment (run_status.nc after every cell).
 * A read that overlapped a change (the file's identity, size or times differ afterwards) is thrown
 * away and done again, so the result is always one consistent version of the file, or a UserError.
 * `readOnce` gets the file's stats from before the read.
 */
export async function readWhileUnchanged<T>(
  path: string,
  role: string,
  readOnce: (before: fs.Stats) => Promise<T> | T,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const before = statOrExplain(path, role);
    let result: { value: T } | undefined;
    let failure: UserError | undefined;
    try {
      result = { value: await readOnce(before) };
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      failure = err;
    }
    let after: fs.Stats | undefined;
    try {
      after = fs.statSync(path);
    } catch {
      // Gone meanwhile (replaced by a rename in progress): counts as changed.
    }
    const unchanged =
      after !== undefined &&
      after.ino === before.ino &&
      after.size === before.size &&
      after.mtimeMs === before.mtimeMs &&
      after.ctimeMs === before.ctimeMs;
    if (unchanged || attempt >= MAX_READ_ATTEMPTS) {
      if (failure) throw failure;
      if (unchanged && result) return result.value;
      throw new UserError(
        `${path}: the file kept changing while it was read (is dvmdostem still writing it?); try again`,
      );
    }
  }
}
