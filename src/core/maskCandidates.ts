import * as fs from 'node:fs';
import * as path from 'node:path';
import { isObject, readConfigRecord } from './configRecord';

/**
 * The run-masks that may belong to a run folder, most likely first: `remembered` (the one the user
 * picked last), then `IO.runmask_file` of the run's config_record.js (parsed as JSON with comments, so
 * a commented-out key never wins; relative to the folder or to its parent, dvmdostem's usual working
 * directory), then every run-mask*.nc next to the folder. Only files that exist are returned.
 */
export async function maskCandidates(runFolder: string, remembered?: string): Promise<string[]> {
  const out: string[] = [];
  if (remembered) out.push(remembered);
  const recorded = await recordedRunmask(runFolder);
  if (recorded) out.push(path.resolve(runFolder, recorded), path.resolve(path.dirname(runFolder), recorded));
  const parent = path.dirname(runFolder);
  try {
    for (const name of fs.readdirSync(parent).sort())
      if (/^run-mask.*\.nc$/.test(name)) out.push(path.join(parent, name));
  } catch {
    // no parent listing: no candidates from there
  }
  return [...new Set(out)].filter((p) => fs.existsSync(p));
}

async function recordedRunmask(runFolder: string): Promise<string | undefined> {
  try {
    const io = (await readConfigRecord(runFolder)).config.IO;
    const file = isObject(io) ? io.runmask_file : undefined;
    return typeof file === 'string' && file !== '' ? file : undefined;
  } catch {
    return undefined; // no (readable) config_record.js: the other candidates still apply
  }
}
