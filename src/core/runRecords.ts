/**
 * What dvmdostem recorded next to a run's outputs, as the grid and the CSV export need it: the
 * per-cell time limit from config_record.js and the failure reasons from fail_log.txt. A missing or
 * unreadable record is not an error here (the grid still shows the run): it comes back as a note.
 */
import { isObject, readConfigRecord, type ConfigRecord } from './configRecord';
import { readFailLog, type FailReason } from './failLog';

export interface RunRecords {
  /** model_settings.cell_timelimit in seconds; null when absent or 0 (no limit). */
  cellTimelimit: number | null;
  failReasons: FailReason[];
  /** Why config_record.js or fail_log.txt could not be used, for the log. */
  notes: string[];
}

/** model_settings.cell_timelimit of a config (0 or absent: no limit, null). */
export function cellTimelimitOf(record: Pick<ConfigRecord, 'config'>): number | null {
  const settings = record.config.model_settings;
  const limit = isObject(settings) ? settings.cell_timelimit : undefined;
  return typeof limit === 'number' && Number.isFinite(limit) && limit > 0 ? limit : null;
}

export async function readRunRecords(runDir: string): Promise<RunRecords> {
  const notes: string[] = [];
  let cellTimelimit: number | null = null;
  try {
    cellTimelimit = cellTimelimitOf(await readConfigRecord(runDir));
  } catch (err) {
    notes.push((err as Error).message);
  }
  let failReasons: FailReason[] = [];
  try {
    failReasons = await readFailLog(runDir);
  } catch (err) {
    notes.push((err as Error).message);
  }
  return { cellTimelimit, failReasons, notes };
}
