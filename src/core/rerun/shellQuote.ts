/**
 * Quoting for the generated scripts: every path and argument goes into them as data, never as code,
 * whatever it contains (spaces, quotes, `$`, backticks, `$(…)`, newlines).
 */

/** One bash word: single-quoted, with each `'` closed, escaped and reopened. */
export function shQuote(s: string): string {
  if (/^[A-Za-z0-9_./=:,+@%-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Line breaks and other control characters (C0 and DEL). */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_CHARS = /[\x00-\x1f\x7f]/g;

/** True when the text holds a line break or another control character. */
export const hasControlChars = (s: string) => s.search(CONTROL_CHARS) >= 0;

/**
 * The value of an `#SBATCH --opt=VALUE` line. sbatch reads these lines itself (not bash): double
 * quotes group, a backslash escapes the next character, an unquoted `#` starts a comment. A value
 * with a line break cannot be written on one line: callers refuse it first (see hasControlChars).
 */
export function sbatchQuote(s: string): string {
  if (hasControlChars(s)) throw new Error('an #SBATCH value cannot hold control characters');
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** SLURM expands `%j`, `%x`, … in --output file names; a literal `%` is `%%`. */
export const slurmFilename = (s: string) => s.replace(/%/g, '%%');

/** Text for a `#` comment line: control characters (a newline would end the comment) become `?`. */
export const commentText = (s: string) => s.replace(CONTROL_CHARS, '?');
