// TEMPORARY SHIM (branch rerun-ext only): the agreed interface of issue 9; replaced by rerun-core's module.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface FailReason { row: number; col: number; message: string }

export function parseFailLog(text: string): FailReason[] {
  const out: FailReason[] = [];
  for (const line of text.split('\n')) {
    const m = /\(row, col\):\s*\((\d+),\s*(\d+)\)\s*(.*)$/.exec(line);
    if (m) out.push({ row: Number(m[1]), col: Number(m[2]), message: m[3].trim() });
  }
  return out;
}

export async function readFailLog(runDir: string): Promise<FailReason[]> {
  try {
    return parseFailLog(await fs.promises.readFile(path.join(runDir, 'fail_log.txt'), 'utf8'));
  } catch {
    return [];
  }
}
