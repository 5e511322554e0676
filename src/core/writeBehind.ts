import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Puts written files on disk while the rest of the work goes on, so that a folder can be published
 * (renamed into place) only once everything in it is durable: after a crash or power loss the
 * published folder then holds complete files, never empty or half-written ones under final names.
 *
 * Each finished file gets an `fdatasync` on libuv's thread pool while the main thread goes on with the
 * next one: the disk writes one file while the next is computed, so durability costs about
 * max(compute, disk) rather than their sum. (Measured with shared/bench/measure.sh, whose timings end
 * with `sync`, issue 11: flushing parts of a file as it is written was no faster than whole files, and
 * the kernel starts writing a big file's pages by itself past its dirty-memory threshold.)
 */
export class WriteBehind {
  private readonly pending: Promise<void>[] = [];
  private readonly deferred: string[] = [];

  /**
   * A file copied by the kernel and then patched in place in many small pieces: flushed only in
   * settle(). On a copy-on-write file system each piece is an extent to remap when the file is
   * written back, work that slowed the merge by a third when it overlapped the merge on two cores
   * (measured on XFS, issue 11: 4.4–5.3 s instead of 3.0–3.3 s); elsewhere flushing it last costs
   * what a `sync` after the command would.
   */
  finishedLater(file: string): void {
    this.deferred.push(file);
  }

  /** Starts putting a finished file on disk. */
  finished(file: string): void {
    // Opened here, synchronously, so that the flush starts now even while the main thread stays busy.
    const fd = fs.openSync(file, 'r');
    const flushed = new Promise<void>((resolve, reject) =>
      fs.fdatasync(fd, (err) =>
        fs.close(fd, (closeErr) => {
          const failed = err ?? closeErr;
          if (failed) reject(failed);
          else resolve();
        }),
      ),
    );
    // Handled here too: a failure is reported by settle(), never as an unhandled rejection.
    flushed.catch(() => undefined);
    this.pending.push(flushed);
  }

  /**
   * Resolves when every flush started so far is done, and then `folder` and its subfolders (their
   * entries, the files' names) are on disk too; rejects with the first failure.
   */
  async settle(folder?: string): Promise<void> {
    for (const file of this.deferred.splice(0)) this.finished(file);
    const results = await Promise.allSettled(this.pending.splice(0));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    if (folder) syncFolderTree(folder);
  }
}

/**
 * Puts a folder's entries on disk (after a rename into it or out of it). Best effort where a folder
 * cannot be opened or flushed (Windows, some network file systems): the files themselves are flushed.
 */
export function syncFolder(folder: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(folder, 'r');
    fs.fsyncSync(fd);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!['EISDIR', 'EPERM', 'EINVAL', 'EACCES', 'ENOTSUP', 'EBADF'].includes(code ?? '')) throw err;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function syncFolderTree(folder: string): void {
  for (const d of fs.readdirSync(folder, { withFileTypes: true }))
    if (d.isDirectory()) syncFolderTree(path.join(folder, d.name));
  syncFolder(folder);
}
