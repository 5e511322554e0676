import * as fs from 'node:fs';

/**
 * An expected failure caused by the user's input or environment (missing file, wrong grid, full
 * disk). Front ends print its message as one line, without a stack trace.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** Thrown when an operation is cancelled by the user (the extension's Cancel button). */
export class CancelledError extends Error {
  constructor() {
    super('cancelled; nothing was written');
    this.name = 'CancelledError';
  }
}

const fsMessages: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EISDIR: 'is a folder, expected a file',
  ENOTDIR: 'is not a folder',
  EROFS: 'read-only file system',
  EEXIST: 'already exists',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
};

function canRead(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** Errors about the destination whatever the call (a copy names its source as `path`). */
const destinationCodes = new Set(['ENOSPC', 'EDQUOT', 'EROFS']);

/** Turns a Node fs error into a UserError naming the path and what went wrong; rethrows others. */
export function asUserError(err: unknown, what: string): Error {
  if (err instanceof UserError || err instanceof CancelledError) return err;
  const e = err as (NodeJS.ErrnoException & { dest?: string }) | undefined;
  const code = e?.code;
  if (code && fsMessages[code]) {
    let where = (destinationCodes.has(code) && e?.dest) || e?.path;
    // A copy names its source as `path` whichever side was refused: blame the side that is.
    if (e?.dest && e.path && (code === 'EACCES' || code === 'EPERM') && canRead(e.path))
      where = e.dest.replace(/[\\/][^\\/]*$/, '') || e.dest;
    // A hidden staging path means nothing to the user: name the folder it is in.
    if (where && /(^|[\\/])\.pyddt-staging-/.test(where)) where = where.replace(/[\\/]?\.pyddt-staging-.*$/, '') || '.';
    return new UserError(`${what}: ${fsMessages[code]}${where ? ` (${where})` : ''}`);
  }
  return err instanceof Error ? err : new Error(String(err));
}
