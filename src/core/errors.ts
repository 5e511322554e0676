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

/** Turns a Node fs error into a UserError naming the path and what went wrong; rethrows others. */
export function asUserError(err: unknown, what: string): Error {
  if (err instanceof UserError || err instanceof CancelledError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code && fsMessages[code]) {
    const where = (err as NodeJS.ErrnoException).path ?? what;
    return new UserError(`${what}: ${fsMessages[code]} (${where})`);
  }
  return err instanceof Error ? err : new Error(String(err));
}
