// The floor of a merge that keeps unchanged blocks shared on a copy-on-write file system: the file
// system work alone, with nothing to compute. Used by `npm run bench -- --never-reflink`.
//
//   node scripts/reflinkFloor.mjs plan ORIGINAL MERGED PLAN_DIR   (untimed: which blocks a merge changes)
//   node scripts/reflinkFloor.mjs apply ORIGINAL PLAN_DIR OUT      (timed: clone each file, rewrite those blocks)
//
// `plan` compares every file of a merged folder with the original block by block (the file system's
// block size) and stores the changed blocks, coalesced into runs. `apply` clones each original file
// (copyFile with COPYFILE_FICLONE) and writes the stored runs at their offsets: the least any merge
// must do to produce that folder while sharing every unchanged block. It does not flush; the bench
// times it up to a `sync` like every tool.
import * as fs from 'node:fs';
import * as path from 'node:path';

const [mode, a, b, c] = process.argv.slice(2);
if (!['plan', 'apply'].includes(mode) || !c) {
  console.error('usage: reflinkFloor.mjs plan ORIGINAL MERGED PLAN_DIR | apply ORIGINAL PLAN_DIR OUT');
  process.exit(2);
}

const CHUNK = 8 * 1024 * 1024;

/** Runs of changed blocks of `merged` against `original`: [[offset, length], ...] in bytes. */
function changedRuns(original, merged, block) {
  const size = fs.statSync(merged).size;
  const fa = fs.existsSync(original) ? fs.openSync(original, 'r') : null;
  const fb = fs.openSync(merged, 'r');
  const ba = Buffer.alloc(CHUNK);
  const bb = Buffer.alloc(CHUNK);
  const runs = [];
  for (let pos = 0; pos < size; pos += CHUNK) {
    const nb = fs.readSync(fb, bb, 0, Math.min(CHUNK, size - pos), pos);
    const na = fa === null ? 0 : fs.readSync(fa, ba, 0, nb, pos);
    for (let o = 0; o < nb; o += block) {
      const end = Math.min(o + block, nb);
      const same = end <= na && ba.compare(bb, o, end, o, end) === 0;
      if (same) continue;
      const last = runs[runs.length - 1];
      if (last && last[0] + last[1] === pos + o) last[1] += end - o;
      else runs.push([pos + o, end - o]);
    }
  }
  if (fa !== null) fs.closeSync(fa);
  fs.closeSync(fb);
  return { size, runs };
}

if (mode === 'plan') {
  const [original, merged, planDir] = [a, b, c];
  fs.rmSync(planDir, { recursive: true, force: true });
  fs.mkdirSync(planDir, { recursive: true });
  const block = fs.statfsSync(merged).bsize;
  const data = fs.openSync(path.join(planDir, 'blocks.bin'), 'w');
  const files = [];
  let at = 0;
  let changed = 0;
  let total = 0;
  for (const name of fs.readdirSync(merged).sort()) {
    const { size, runs } = changedRuns(path.join(original, name), path.join(merged, name), block);
    const src = fs.openSync(path.join(merged, name), 'r');
    const buf = Buffer.alloc(CHUNK);
    for (const [off, len] of runs) {
      for (let done = 0; done < len;) {
        const n = fs.readSync(src, buf, 0, Math.min(CHUNK, len - done), off + done);
        fs.writeSync(data, buf, 0, n, at + done);
        done += n;
      }
      at += len;
      changed += len;
    }
    fs.closeSync(src);
    total += size;
    files.push({ name, size, runs });
  }
  fs.closeSync(data);
  fs.writeFileSync(path.join(planDir, 'plan.json'), JSON.stringify({ block, files }));
  const runs = files.reduce((n, f) => n + f.runs.length, 0);
  console.log(
    `floor plan: ${((100 * changed) / total).toFixed(1)} % of ${(total / 1048576).toFixed(0)} MB in ${runs} runs of changed ${block}-byte blocks`,
  );
} else {
  const [original, planDir, out] = [a, b, c];
  const { files } = JSON.parse(fs.readFileSync(path.join(planDir, 'plan.json'), 'utf8'));
  const data = fs.openSync(path.join(planDir, 'blocks.bin'), 'r');
  let buf = Buffer.alloc(1 << 20);
  let at = 0;
  fs.mkdirSync(out);
  for (const { name, size, runs } of files) {
    const from = path.join(original, name);
    const to = path.join(out, name);
    if (fs.existsSync(from)) fs.copyFileSync(from, to, fs.constants.COPYFILE_FICLONE);
    const fd = fs.openSync(to, fs.existsSync(to) ? 'r+' : 'w');
    for (const [off, len] of runs) {
      if (len > buf.length) buf = Buffer.alloc(len);
      fs.readSync(data, buf, 0, len, at);
      fs.writeSync(fd, buf, 0, len, off);
      at += len;
    }
    if (fs.fstatSync(fd).size !== size) fs.ftruncateSync(fd, size);
    fs.closeSync(fd);
  }
  fs.closeSync(data);
}
