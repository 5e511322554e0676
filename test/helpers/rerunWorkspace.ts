import * as fs from 'node:fs';
import * as path from 'node:path';
import { copyDir, fixture, repoRoot } from './files';

/** The input files the fixture's config_record.js names (relative to the folder dvmdostem ran in). */
export const FIXTURE_INPUTS = [
  'inputs-badA/co2.nc', 'inputs-badA/drainage.nc', 'inputs-badA/fri-fire.nc', 'inputs-badA/historic-climate.nc',
  'inputs-badA/historic-explicit-fire.nc', 'inputs-badA/projected-climate.nc', 'inputs-badA/projected-co2.nc',
  'inputs-badA/projected-explicit-fire.nc', 'inputs-badA/soil-texture.nc', 'inputs-badA/topo.nc', 'inputs-badA/vegetation.nc',
  'config/output_spec.csv', 'parameters/',
];

export const STANDIN = path.join(repoRoot, 'test', 'standin', 'dvmdostem');

/**
 * A working directory laid out the way the fixture's run was started: the run's output folder
 * ORIGINAL-A/ (a copy of the fixture's original/), masks/mask-A.nc, and the recorded input paths.
 * The inputs exist only as names: neither the tools nor the stand-in read them, they only check them.
 */
export function makeWorkdir(dir: string): { workdir: string; runDir: string; originalMask: string } {
  fs.mkdirSync(dir, { recursive: true });
  for (const p of FIXTURE_INPUTS) {
    const full = path.join(dir, p);
    if (p.endsWith('/')) fs.mkdirSync(full, { recursive: true });
    else {
      fs.mkdirSync(path.dirname(full), { recursive: true });
      fs.writeFileSync(full, '');
    }
  }
  fs.mkdirSync(path.join(dir, 'masks'));
  fs.copyFileSync(fixture.mask, path.join(dir, 'masks', 'mask-A.nc'));
  copyDir(fixture.original, path.join(dir, 'ORIGINAL-A'));
  return { workdir: dir, runDir: path.join(dir, 'ORIGINAL-A'), originalMask: path.join(dir, 'masks', 'mask-A.nc') };
}
