/**
 * Exclude patterns as VS Code's settings hold them (`files.exclude`-style objects `{ "glob": true }`,
 * and the old array form), combined into the one exclude glob `workspace.findFiles` takes. A user's
 * pattern may itself hold `{a,b}` groups, which cannot be nested inside the combining group: groups are
 * expanded first, so `**\/*.{tmp,bak}` becomes two plain alternatives. Also a matcher, so results can be
 * checked against every pattern whatever the combined glob could express.
 */

/** Patterns switched on in a `{ "glob": true }` object (`false` and `{ when: … }` entries are not). */
export function enabledPatterns(setting: unknown): string[] {
  if (Array.isArray(setting)) return setting.filter((p): p is string => typeof p === 'string' && p.trim() !== '');
  if (typeof setting !== 'object' || setting === null) return [];
  return Object.entries(setting as Record<string, unknown>)
    .filter(([glob, on]) => on === true && glob.trim() !== '')
    .map(([glob]) => glob);
}

/** Every alternative of a glob's `{a,b}` groups (nested groups too); at most `limit` of them. */
export function expandBraces(glob: string, limit = 256): string[] {
  let open = -1;
  let depth = 0;
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (ch === '{') {
      if (depth === 0) open = i;
      depth++;
    } else if (ch === '}' && depth > 0) {
      depth--;
      if (depth === 0) {
        const parts = splitTopLevel(glob.slice(open + 1, i));
        const head = glob.slice(0, open);
        const tails = expandBraces(glob.slice(i + 1), limit);
        const out: string[] = [];
        for (const part of parts) {
          for (const inner of expandBraces(part, limit)) {
            for (const tail of tails) {
              out.push(head + inner + tail);
              if (out.length >= limit) return out;
            }
          }
        }
        return out;
      }
    }
  }
  return [glob];
}

function splitTopLevel(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch === '\\') i++;
    else if (ch === '{') depth++;
    else if (ch === '}') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(body.slice(start));
  return parts;
}

/**
 * One glob matching any of `patterns` (for `findFiles`' exclude). Alternatives that still hold a
 * comma (a literal one) cannot be put in a group and are left out: check results with {@link matchesAny}.
 */
export function combineGlobs(patterns: readonly string[]): string {
  const alternatives = [...new Set(patterns.flatMap((p) => expandBraces(p)))].filter((p) => !p.includes(','));
  return alternatives.length === 1 ? alternatives[0] : `{${alternatives.join(',')}}`;
}

/** A glob as a RegExp over `/`-separated relative paths: `**` any folders, `*` and `?` within one name, `[…]`, `{a,b}`. */
export function globToRegExp(glob: string): RegExp {
  const alts = expandBraces(glob).map((g) => {
    let re = '';
    for (let i = 0; i < g.length; i++) {
      const ch = g[i];
      if (ch === '*' && g[i + 1] === '*') {
        // `**/` matches zero or more folders; a trailing `**` anything below.
        if (g[i + 2] === '/') {
          re += '(?:[^/]*/)*';
          i += 2;
        } else {
          re += '.*';
          i += 1;
        }
      } else if (ch === '*') re += '[^/]*';
      else if (ch === '?') re += '[^/]';
      else if (ch === '[') {
        const end = g.indexOf(']', i + 1);
        if (end < 0) re += '\\[';
        else {
          re += `[${g
            .slice(i + 1, end)
            .replace(/^!/, '^')
            .replace(/\\/g, '\\\\')}]`;
          i = end;
        }
      } else if (ch === '\\' && i + 1 < g.length) re += `\\${g[++i]}`;
      else re += ch.replace(/[.+^${}()|\]\\]/g, '\\$&');
    }
    return re;
  });
  return new RegExp(`^(?:${alts.join('|')})$`);
}

/**
 * Does a relative path (or one of its parent folders: excluding a folder excludes what is in it)
 * match any of the patterns?
 */
export function matchesAny(relPath: string, patterns: readonly string[]): boolean {
  if (patterns.length === 0) return false;
  const res = patterns.map(globToRegExp);
  const parts = relPath.split(/[\\/]+/).filter(Boolean);
  for (let n = parts.length; n >= 1; n--) {
    const p = parts.slice(0, n).join('/');
    if (res.some((re) => re.test(p))) return true;
  }
  return false;
}
