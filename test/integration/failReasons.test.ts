// Failure reasons from fail_log.txt in the runs tree: the tooltip of a failed cell says what dvmdostem wrote.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { activateExtension, waitForRuns, workspace, type ExtensionApi } from './util';

describe('failure reasons in the runs tree', () => {
  let api: ExtensionApi;
  let ws: ReturnType<typeof workspace>;

  before(async () => {
    ws = workspace();
    ({ api } = await activateExtension());
    await waitForRuns(api, (rs) => rs.some((r) => r.folder === ws.output), 'the output folder in listRuns()');
  });

  it('shows each failed cell’s reason from fail_log.txt in its tooltip', async () => {
    const log = fs.readFileSync(path.join(ws.output, 'fail_log.txt'), 'utf8');
    assert.match(log, /\(1, 2\) Problem with initial parameter files!/, 'fixture fail_log.txt changed');
    const items = await api.failedCellItems(ws.output);
    for (const label of ['row 1, col 2', 'row 6, col 4']) {
      const item = items.find((i) => i.label === label);
      assert.ok(item, `no tree item ${label}; items: ${JSON.stringify(items.map((i) => i.label))}`);
      assert.match(
        item.tooltip,
        /fail_log\.txt: Problem with initial parameter files!/,
        `${label} tooltip: ${item.tooltip}`,
      );
      assert.match(item.description, /failed \(-100\)/);
    }
  });

  it('says that a timed-out cell has no fail_log.txt entry, instead of inventing a reason', async () => {
    const items = await api.failedCellItems(ws.output);
    const timeouts = items.filter((i) => /timed out/.test(i.description));
    assert.equal(timeouts.length, 2, JSON.stringify(items));
    for (const t of timeouts) {
      assert.doesNotMatch(t.tooltip, /Problem with initial parameter files/, t.tooltip);
      assert.match(t.tooltip, /no fail_log\.txt entry/, t.tooltip);
    }
  });
});
