import * as fs from 'node:fs';
import * as path from 'node:path';
import { asUserError } from './errors';

/**
 * dvmdostem's fail_log.txt: one line per cell whose run threw, e.g.
 * `EXCEPTION!! At pixel at (row, col): (1, 2) Problem with initial parameter files!`.
 * Timed-out cells have no line there.
 */
export interface FailReason {
  row: number;
  col: number;
  message: string;
}

export const FAIL_LOG_NAME = 'fail_log.txt';

const LINE = /\(\s*row\s*,\s*col\s*\)\s*:?\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)\s*(.*)$/i;

/** Lines that name no cell (a batch merge's concatenation may add blank ones) are skipped. */
export function parseFailLog(text: string): FailReason[] {
  const out: FailReason[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = LINE.exec(line);
    if (m) out.push({ row: Number(m[1]), col: Number(m[2]), message: m[3].trim() });
  }
  return out;
}

/** The reasons in RUN_DIR/fail_log.txt; [] when the run has none. */
export async function readFailLog(runDir: string): Promise<FailReason[]> {
  const file = path.join(runDir, FAIL_LOG_NAME);
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw asUserError(err, `reading ${file}`);
  }
  return parseFailLog(text);
}

/** The reason for one cell (the last line wins when a cell failed more than once). */
export function reasonFor(reasons: readonly FailReason[], row: number, col: number): string | undefined {
  for (let i = reasons.length - 1; i >= 0; i--) if (reasons[i].row === row && reasons[i].col === col) return reasons[i].message;
  return undefined;
}
