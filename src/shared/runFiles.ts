/** File names dvmdostem writes into a run's output folder, spelled once. */

/** dvmdostem's per-cell status grid (written after every cell). */
export const RUN_STATUS_FILE = 'run_status.nc';
