// Export Failed Cells (CSV) and Export Grid (PNG) in the real extension host, with the destination
// passed as a script would (the save dialog is the UI test's business).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { countColor, decodePng } from '../helpers/png';
import { FIXTURE_FAILED_CELLS } from '../helpers/files';
import { activateExtension, workspace } from './util';

describe('exports', () => {
  let ws: ReturnType<typeof workspace>;

  before(async () => {
    ws = workspace();
    await activateExtension();
  });

  it('dvmdostem.exportFailedCells writes one CSV line per failed cell, with lat/lon and the fail_log reason', async () => {
    const dest = path.join(ws.dir, 'exports', 'failed.csv');
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    const written = await vscode.commands.executeCommand<string | undefined>(
      'dvmdostem.exportFailedCells',
      vscode.Uri.file(ws.output),
      { dest },
    );
    assert.equal(written, dest);
    const lines = fs.readFileSync(dest, 'utf8').trimEnd().split('\r\n');
    assert.equal(lines[0], 'row,col,lat,lon,state,status,runtime,reason');
    const cells = lines.slice(1).map((l) => l.split(',').slice(0, 2).map(Number));
    assert.deepEqual(cells.sort(), [...FIXTURE_FAILED_CELLS].sort());
    const failed = lines.find((l) => l.startsWith('1,2,'))!.split(',');
    assert.ok(Number.isFinite(Number(failed[2])) && failed[2] !== '', `lat of the failed cell: ${failed[2]}`);
    assert.match(failed[7], /initial parameter files/);
    // An existing file is never overwritten by a script call.
    const again = await vscode.commands.executeCommand<string | undefined>(
      'dvmdostem.exportFailedCells',
      vscode.Uri.file(ws.output),
      { dest },
    );
    assert.equal(again, undefined);
    assert.equal(fs.readFileSync(dest, 'utf8').split('\r\n')[0], 'row,col,lat,lon,state,status,runtime,reason');
  });

  it("dvmdostem.exportGridPng writes the grid as drawn: a PNG holding the failed and successful cells' colours", async () => {
    const dest = path.join(ws.dir, 'exports', 'grid.png');
    const written = await vscode.commands.executeCommand<string | undefined>(
      'dvmdostem.exportGridPng',
      vscode.Uri.file(ws.output),
      { dest },
    );
    assert.equal(written, dest);
    const png = decodePng(fs.readFileSync(dest));
    assert.ok(png.width > 50 && png.height > 50, `${png.width} × ${png.height}`);
    // Okabe–Ito vermillion (failed) is the same in every theme; success is sky blue or blue.
    assert.ok(countColor(png, [0xd5, 0x5e, 0x00]) > 20, 'failed cells drawn in vermillion');
    assert.ok(
      countColor(png, [0x56, 0xb4, 0xe9]) + countColor(png, [0x00, 0x72, 0xb2]) > 20,
      'successful cells drawn in blue',
    );
  });
});
