import * as fs from 'node:fs';
import * as path from 'node:path';
import { CancelledError } from './errors';
import { compareNames } from './paths';

export interface TreeEntry {
  /** Path relative to the tree's root, with `/` separators. */
  rel: string;
  kind: 'file' | 'dir' | 'symlink';
  size: number;
}

/** Lists a folder tree, parents before children. */
export function listTree(root: string): TreeEntry[] {
  const out: TreeEntry[] = [];
  const walk = (rel: string) => {
    const dir = path.join(root, rel);
    for (const d of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => compareNames(a.name, b.name))) {
      const childRel = rel ? `${rel}/${d.name}` : d.name;
      if (d.isSymbolicLink()) out.push({ rel: childRel, kind: 'symlink', size: 0 });
      else if (d.isDirectory()) {
        out.push({ rel: childRel, kind: 'dir', size: 0 });
        walk(childRel);
      } else if (d.isFile()) out.push({ rel: childRel, kind: 'file', size: fs.statSync(path.join(dir, d.name)).size });
    }
  };
  walk('');
  return out;
}

/**
 * Copies a file as cheaply as the file system allows: a copy-on-write clone where supported
 * (btrfs, XFS), otherwise an in-kernel copy. Keeps the modification time.
 */
export function copyFileKeepingTime(src: string, dst: string): void {
  fs.copyFileSync(src, dst, fs.constants.COPYFILE_FICLONE);
  keepTimes(src, dst);
}

/** Sets dst's access and modification times to src's, to the microsecond. */
function keepTimes(src: string, dst: string): void {
  const st = fs.statSync(src);
  fs.utimesSync(dst, st.atimeMs / 1000, st.mtimeMs / 1000);
}

/**
 * Copies the whole tree `src` into the (new or empty) folder `dst`, keeping modification times.
 * Several files are copied at once (in-kernel copies on libuv's thread pool), which keeps the disk
 * busy and leaves the main thread free, e.g. to load h5wasm meanwhile.
 */
export async function copyTree(
  src: string,
  dst: string,
  opts: { onFile?: (rel: string, bytes: number) => void; isCancelled?: () => boolean; concurrency?: number } = {},
): Promise<void> {
  const entries = listTree(src);
  fs.mkdirSync(dst, { recursive: true });
  for (const e of entries) {
    if (e.kind === 'dir') fs.mkdirSync(path.join(dst, e.rel));
    else if (e.kind === 'symlink') fs.symlinkSync(fs.readlinkSync(path.join(src, e.rel)), path.join(dst, e.rel));
  }
  const files = entries.filter((e) => e.kind === 'file');
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      if (opts.isCancelled?.()) throw new CancelledError();
      const e = files[next++];
      const from = path.join(src, e.rel);
      const to = path.join(dst, e.rel);
      await fs.promises.copyFile(from, to, fs.constants.COPYFILE_FICLONE);
      const st = await fs.promises.stat(from);
      await fs.promises.utimes(to, st.atimeMs / 1000, st.mtimeMs / 1000);
      opts.onFile?.(e.rel, e.size);
    }
  };
  const workers = Array.from({ length: Math.min(opts.concurrency ?? 4, Math.max(1, files.length)) }, worker);
  const results = await Promise.allSettled(workers);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  // Folder times last: creating their children changed them.
  for (const e of [...entries].reverse()) {
    if (e.kind === 'dir') keepTimes(path.join(src, e.rel), path.join(dst, e.rel));
  }
  keepTimes(src, dst);
}
