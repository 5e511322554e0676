// Which run-mask belongs to a run folder (the grid's lat/lon and the template of masks written from a
// selection): the remembered one, then config_record.js's runmask_file as dvmdostem parses it, then the
// run-mask*.nc files next to the folder.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { maskCandidates } from '../../src/core/maskCandidates';
import { fixture, tempDir } from '../helpers/files';

function workdir(configRecord: string): { work: string; run: string } {
  const work = tempDir('mask-candidates');
  const run = path.join(work, 'ORIGINAL-A');
  fs.mkdirSync(run);
  fs.mkdirSync(path.join(work, 'masks'));
  for (const name of ['masks/mask-A.nc', 'masks/old.nc', 'run-mask-failed.nc', 'picked.nc'])
    fs.copyFileSync(fixture.mask, path.join(work, name));
  fs.writeFileSync(path.join(run, 'config_record.js'), configRecord);
  return { work, run };
}

describe('maskCandidates', () => {
  it('takes runmask_file from the recorded config, never from a commented-out key', async () => {
    const { work, run } = workdir(`{
  "CLI_command" : "./dvmdostem -f config/config.js -p 5 ",
  "original_config" : {
    "IO" : {
      // "runmask_file" : "masks/old.nc",
      "runmask_file" : "masks/mask-A.nc", // the one used
      "output_dir" : "ORIGINAL-A/"
    }
  }
}`);
    const found = await maskCandidates(run, path.join(work, 'picked.nc'));
    assert.deepEqual(found, [
      path.join(work, 'picked.nc'),
      path.join(work, 'masks', 'mask-A.nc'),
      path.join(work, 'run-mask-failed.nc'),
    ]);
  });

  it('without a readable config_record.js still offers the masks next to the run', async () => {
    const { work, run } = workdir('{ "original_config": ');
    assert.deepEqual(await maskCandidates(run), [path.join(work, 'run-mask-failed.nc')]);
  });
});
