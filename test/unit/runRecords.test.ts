import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { readConfigRecord } from '../../src/core/configRecord';
import { UserError } from '../../src/core/errors';
import { parseFailLog, readFailLog } from '../../src/core/failLog';
import { fixture, tempDir } from '../helpers/files';

describe('fail_log.txt', () => {
  it('gives the fixture run its two failed cells and the reason dvmdostem logged', async () => {
    assert.deepEqual(await readFailLog(fixture.original), [
      { row: 1, col: 2, message: 'Problem with initial parameter files!' },
      { row: 6, col: 4, message: 'Problem with initial parameter files!' },
    ]);
  });

  it('is empty when the run has no fail_log.txt (the fixture rerun succeeded everywhere)', async () => {
    assert.deepEqual(await readFailLog(fixture.rerun), []);
  });

  it('skips lines that name no cell and keeps messages with colons and parentheses', () => {
    const text = '\nsome banner\r\nEXCEPTION!! At pixel at (row, col): (12, 305) bad value: x (y)\r\n';
    assert.deepEqual(parseFailLog(text), [{ row: 12, col: 305, message: 'bad value: x (y)' }]);
  });
});

describe('config_record.js', () => {
  it('reads the fixture record: command line, config with comments, process count', async () => {
    const r = await readConfigRecord(fixture.original);
    assert.equal(r.file, path.join(fixture.original, 'config_record.js'));
    assert.equal(r.cliCommand, './dvmdostem -f config/config-origA.js -p 5 -e 10 -s 5 -t 10 -n 5 -l fatal ');
    assert.deepEqual(r.argv, ['./dvmdostem', '-f', 'config/config-origA.js', '-p', '5', '-e', '10', '-s', '5', '-t', '10', '-n', '5', '-l', 'fatal']);
    const io = r.config.IO as Record<string, unknown>;
    assert.equal(io.output_dir, 'ORIGINAL-A/');
    assert.equal(io.runmask_file, 'masks/mask-A.nc');
    assert.equal((r.config.model_settings as Record<string, unknown>).cell_timelimit, 61);
    assert.equal(r.processCount, 1);
  });

  const refuse = async (text: string | null, expected: RegExp) => {
    const dir = tempDir('record');
    if (text !== null) fs.writeFileSync(path.join(dir, 'config_record.js'), text);
    await assert.rejects(readConfigRecord(dir), (err: Error) => {
      assert.ok(err instanceof UserError, String(err));
      assert.ok(err.message.includes(path.join(dir, 'config_record.js')), err.message);
      assert.match(err.message, expected);
      return true;
    });
  };

  it('refuses a missing record, naming the file', () => refuse(null, /config_record\.js not found/));
  it('refuses a truncated record, naming the line', async () => {
    const text = fs.readFileSync(path.join(fixture.original, 'config_record.js'), 'utf8');
    await refuse(text.slice(0, 400), /not valid JSON \(with comments\): .* at line \d+/);
  });
  it('refuses a record without CLI_command', () => refuse('{ "original_config": {} }', /CLI_command is missing/));
  it('refuses a record without original_config', () => refuse('{ "CLI_command": "./dvmdostem -f c.js" }', /original_config is missing/));
});
