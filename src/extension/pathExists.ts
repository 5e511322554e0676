import * as fs from 'node:fs';

/** Whether `p` exists, asked with fs.promises (no synchronous file access on the extension host). */
export function pathExists(p: string): Promise<boolean> {
  return fs.promises.access(p).then(
    () => true,
    () => false,
  );
}
