import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cellTooltip, formatSeconds } from '../../webview/cellInfo';
import {
  cssRgb,
  heatColor,
  heatLut,
  over,
  pack,
  parseColor,
  resolvePalette,
  STATE_CODE,
  STATE_PRIORITY,
  stateOfCode,
  statusLut,
  unpack,
} from '../../webview/colors';
import { downsampleMax, downsampleMaxRegion, paint, runtimeCodes, statusCodes } from '../../webview/levels';
import { CellSelection, moveCursor, rectBetween } from '../../webview/selection';
import {
  cellAtPoint,
  cellCenter,
  clampView,
  ensureVisible,
  fitView,
  levelFactor,
  scaleLimits,
  tickStep,
  visibleRange,
  zoomAt,
  type View,
} from '../../webview/viewport';
import { CELL_STATES, cellState } from '../../src/shared/cellStates';

describe('selection', () => {
  it('rectangle between two cells, in any drag direction', () => {
    assert.deepEqual(rectBetween({ row: 5, col: 1 }, { row: 2, col: 4 }), { r0: 2, r1: 5, c0: 1, c1: 4 });
    const s = new CellSelection(10, 10);
    assert.equal(s.setRect(rectBetween({ row: 4, col: 5 }, { row: 2, col: 2 }), true), 12);
    assert.equal(s.count, 12);
    assert.deepEqual(s.takeDirty(), { r0: 2, r1: 4, c0: 2, c1: 5 });
    assert.equal(s.takeDirty(), null);
    assert.deepEqual(Array.from(s.indices()).slice(0, 4), [22, 23, 24, 25]);
    // Overlapping rectangle adds only the new cells; deselecting removes.
    assert.equal(s.setRect({ r0: 4, r1: 5, c0: 5, c1: 6 }, true), 3);
    assert.equal(s.count, 15);
    assert.equal(s.setRect({ r0: 0, r1: 9, c0: 5, c1: 9 }, false), 6);
    assert.equal(s.count, 9);
  });

  it('rectangle is clipped to the grid', () => {
    const s = new CellSelection(3, 4);
    assert.equal(s.setRect({ r0: -5, r1: 99, c0: 2, c1: 99 }, true), 6);
    assert.deepEqual(Array.from(s.indices()), [2, 3, 6, 7, 10, 11]);
    assert.equal(s.setRect({ r0: 5, r1: 9, c0: 0, c1: 1 }, true), 0);
  });

  it('toggle, set, clear and out-of-range cells', () => {
    const s = new CellSelection(2, 3);
    assert.equal(s.toggle(1, 2), true);
    assert.equal(s.has(1, 2), true);
    assert.equal(s.toggle(1, 2), false);
    assert.equal(s.count, 0);
    assert.equal(s.toggle(2, 0), false, 'row out of range');
    assert.equal(s.set(0, -1, true), false);
    assert.equal(s.set(0, 1.5, true), false);
    s.set(0, 0, true);
    s.set(0, 0, true);
    assert.equal(s.count, 1);
    s.clear();
    assert.equal(s.count, 0);
    assert.deepEqual(Array.from(s.indices()), []);
  });

  it('addWhere (select failed) and run-length round trip', () => {
    const status = Int32Array.of(100, -100, -100, 0, -5, 100, -100, -9999, 0);
    const s = new CellSelection(3, 3);
    assert.equal(
      s.addWhere((i) => cellState(status[i]) === 'fail' || cellState(status[i]) === 'timeout'),
      4,
    );
    assert.deepEqual(s.toRuns(), [1, 2, 4, 1, 6, 1]);
    const t = new CellSelection(3, 3);
    t.loadRuns(s.toRuns());
    assert.deepEqual(Array.from(t.indices()), [1, 2, 4, 6]);
    assert.equal(t.count, 4);
    t.loadRuns([7, 100, -1, 2]);
    assert.deepEqual(Array.from(t.indices()), [7, 8]);
  });

  it('keyboard cursor moves and stays in the grid', () => {
    const at = { row: 0, col: 0 };
    assert.deepEqual(moveCursor(null, { key: 'ArrowDown' }, 5, 6), { row: 0, col: 0 }, 'first key starts at 0,0');
    assert.deepEqual(moveCursor(at, { key: 'ArrowUp' }, 5, 6), { row: 0, col: 0 });
    assert.deepEqual(moveCursor(at, { key: 'ArrowLeft' }, 5, 6), { row: 0, col: 0 });
    assert.deepEqual(moveCursor(at, { key: 'ArrowDown' }, 5, 6), { row: 1, col: 0 });
    assert.deepEqual(moveCursor(at, { key: 'ArrowRight' }, 5, 6), { row: 0, col: 1 });
    assert.deepEqual(moveCursor({ row: 4, col: 5 }, { key: 'ArrowDown' }, 5, 6), { row: 4, col: 5 });
    assert.deepEqual(moveCursor({ row: 4, col: 5 }, { key: 'ArrowRight' }, 5, 6), { row: 4, col: 5 });
    assert.deepEqual(moveCursor({ row: 2, col: 3 }, { key: 'Home' }, 5, 6), { row: 2, col: 0 });
    assert.deepEqual(moveCursor({ row: 2, col: 3 }, { key: 'End' }, 5, 6), { row: 2, col: 5 });
    assert.deepEqual(moveCursor({ row: 2, col: 3 }, { key: 'End', ctrlKey: true }, 5, 6), { row: 4, col: 5 });
    assert.deepEqual(moveCursor({ row: 2, col: 3 }, { key: 'Home', metaKey: true }, 5, 6), { row: 0, col: 0 });
    assert.deepEqual(moveCursor({ row: 2, col: 3 }, { key: 'PageDown' }, 5, 6, 10), { row: 4, col: 3 });
    assert.deepEqual(moveCursor({ row: 2, col: 3 }, { key: 'PageUp' }, 5, 6, 1), { row: 1, col: 3 });
    assert.equal(moveCursor(at, { key: ' ' }, 5, 6), undefined);
    assert.equal(moveCursor(at, { key: 'a' }, 5, 6), undefined);
    assert.equal(moveCursor(at, { key: 'ArrowDown' }, 0, 0), undefined);
  });
});

describe('viewport: hit-testing and zoom arithmetic', () => {
  const view: View = { scale: 10, ox: 5, oy: 20 };

  it('cellAtPoint: cell edges belong to the cell on their right/below', () => {
    assert.deepEqual(cellAtPoint(view, 4, 6, 5, 20), { row: 0, col: 0 });
    assert.deepEqual(cellAtPoint(view, 4, 6, 14.99, 29.99), { row: 0, col: 0 });
    assert.deepEqual(cellAtPoint(view, 4, 6, 15, 30), { row: 1, col: 1 });
    assert.deepEqual(cellAtPoint(view, 4, 6, 64.9, 59.9), { row: 3, col: 5 });
    assert.equal(cellAtPoint(view, 4, 6, 65, 30), null, 'right of the grid');
    assert.equal(cellAtPoint(view, 4, 6, 30, 60), null, 'below the grid');
    assert.equal(cellAtPoint(view, 4, 6, 4.9, 30), null, 'left of the grid');
    assert.equal(cellAtPoint(view, 4, 6, 30, 19.9), null, 'above the grid');
  });

  it('cellCenter and cellAtPoint are inverse, at any scale (incl. < 1 px per cell)', () => {
    for (const v of [view, { scale: 0.37, ox: -3.3, oy: 11.1 }, { scale: 96, ox: -5000, oy: -7000 }]) {
      for (const [r, c] of [
        [0, 0],
        [1999, 1999],
        [1234, 17],
        [5, 1500],
      ]) {
        const p = cellCenter(v, r, c);
        assert.deepEqual(cellAtPoint(v, 2000, 2000, p.x, p.y), { row: r, col: c });
      }
    }
  });

  it('fitView fits the whole grid, centred, and caps the cell size', () => {
    const v = fitView(2000, 2000, { width: 808, height: 608 });
    assert.equal(v.scale, 0.3);
    assert.ok(v.ox >= 0 && v.ox + 2000 * v.scale <= 808);
    assert.equal(v.oy, 4);
    const big = fitView(2, 3, { width: 1000, height: 1000 });
    assert.equal(big.scale, 96);
    assert.equal(big.ox, (1000 - 3 * 96) / 2);
  });

  it('zoomAt keeps the point under the pointer fixed and respects limits', () => {
    const area = { width: 800, height: 600 };
    const v0 = fitView(100, 100, area);
    const px = 300;
    const py = 250;
    const before = { x: (px - v0.ox) / v0.scale, y: (py - v0.oy) / v0.scale };
    const v1 = zoomAt(v0, 1.5, px, py, 100, 100, area);
    assert.ok(Math.abs((px - v1.ox) / v1.scale - before.x) < 1e-9);
    assert.ok(Math.abs((py - v1.oy) / v1.scale - before.y) < 1e-9);
    const { max, min } = scaleLimits(100, 100, area);
    assert.equal(zoomAt(v0, 1e9, px, py, 100, 100, area).scale, max);
    assert.equal(zoomAt(v0, 1e-9, px, py, 100, 100, area).scale, min);
  });

  it('clampView keeps part of the grid on screen; ensureVisible brings a cell in', () => {
    const area = { width: 400, height: 300 };
    const far = clampView({ scale: 10, ox: 5000, oy: -5000 }, 100, 100, area);
    assert.equal(far.ox, 400 - 40);
    assert.equal(far.oy, 40 - 1000);
    const v = ensureVisible({ scale: 10, ox: 0, oy: 0 }, { row: 50, col: 60 }, area);
    const c = cellCenter(v, 50, 60);
    assert.ok(c.x > 0 && c.x < 400 && c.y > 0 && c.y < 300);
    assert.deepEqual(ensureVisible({ scale: 10, ox: 0, oy: 0 }, { row: 1, col: 1 }, area), { scale: 10, ox: 0, oy: 0 });
  });

  it('visibleRange, tickStep, levelFactor', () => {
    assert.deepEqual(visibleRange({ scale: 10, ox: -25, oy: 0 }, 100, 100, { width: 100, height: 50 }), {
      r0: 0,
      r1: 4,
      c0: 2,
      c1: 12,
    });
    assert.equal(visibleRange({ scale: 10, ox: 500, oy: 0 }, 10, 10, { width: 100, height: 50 }), null);
    assert.equal(tickStep(20, 40), 2);
    assert.equal(tickStep(0.3, 40), 200);
    assert.equal(tickStep(100, 16), 1);
    assert.equal(levelFactor(1), 1);
    assert.equal(levelFactor(3.5), 1);
    assert.equal(levelFactor(0.5), 2);
    assert.equal(levelFactor(0.3), 4);
    assert.equal(levelFactor(0.34), 3);
  });
});

describe('colours and state mapping', () => {
  it('parses the colour forms VS Code and browsers produce', () => {
    assert.deepEqual(parseColor('#f14c4c'), { r: 241, g: 76, b: 76, a: 1 });
    assert.deepEqual(parseColor('#FFF'), { r: 255, g: 255, b: 255, a: 1 });
    assert.deepEqual(parseColor('#00000080'), { r: 0, g: 0, b: 0, a: 128 / 255 });
    assert.deepEqual(parseColor('rgb(1, 2, 3)'), { r: 1, g: 2, b: 3, a: 1 });
    assert.deepEqual(parseColor('rgba(1, 2, 3, 0.5)'), { r: 1, g: 2, b: 3, a: 0.5 });
    assert.deepEqual(parseColor('rgb(1 2 3 / 50%)'), { r: 1, g: 2, b: 3, a: 0.5 });
    assert.deepEqual(parseColor('color(srgb 1 0 0.5)'), { r: 255, g: 0, b: 128, a: 1 });
    assert.equal(parseColor('var(--x)'), null);
    assert.equal(parseColor('#12345'), null);
    assert.equal(parseColor('rgb(1,2)'), null);
  });

  it('pack/unpack (little-endian ImageData pixels) and cssRgb', () => {
    const c = { r: 241, g: 76, b: 76, a: 1 };
    const u = pack(c);
    const bytes = new Uint8Array(Uint32Array.of(u).buffer);
    assert.deepEqual(Array.from(bytes), [241, 76, 76, 255]);
    assert.deepEqual(unpack(u), c);
    assert.equal(cssRgb(c), 'rgb(241, 76, 76)');
  });

  it('palette from theme variables: states distinct, translucent colours made opaque over the background', () => {
    const dark: Record<string, string> = {
      '--grid-background': '#1f1f1f',
      '--state-success': '#89d185',
      '--state-fail': '#f14c4c',
      '--state-timeout': '#d18616',
      '--state-other': '#b180d7',
      '--state-unwritten': '#cccccc',
      '--state-masked': '#cccccc',
      '--grid-selection': '#0078d480',
    };
    const p = resolvePalette((n) => dark[n] ?? '');
    assert.deepEqual(p.state.fail, { r: 241, g: 76, b: 76, a: 1 });
    assert.equal(p.selection.a, 1);
    const seen = new Set(CELL_STATES.map((s) => cssRgb(p.state[s])));
    assert.equal(seen.size, CELL_STATES.length, 'every state has its own colour');
    assert.ok(!seen.has(cssRgb(p.background)), 'no state is drawn in the background colour');
    // Nothing set (e.g. outside VS Code): fallbacks, still all distinct.
    const q = resolvePalette(() => '');
    assert.equal(new Set(CELL_STATES.map((s) => cssRgb(q.state[s]))).size, CELL_STATES.length);
  });

  it('over() composites onto the background', () => {
    assert.deepEqual(over({ r: 255, g: 255, b: 255, a: 0.5 }, { r: 0, g: 0, b: 0, a: 1 }), {
      r: 128,
      g: 128,
      b: 128,
      a: 1,
    });
  });

  it('status codes follow the core classification; the lookup table gives each state its colour', () => {
    const status = Int32Array.of(100, 3, 0, -5, -100, -9999, -1, 42, -2147483648);
    const codes = statusCodes(status);
    for (let i = 0; i < status.length; i++)
      assert.equal(stateOfCode(codes[i]), cellState(status[i]), `status ${status[i]}`);
    const p = resolvePalette(() => '');
    const lut = statusLut(p);
    for (const s of CELL_STATES) assert.equal(lut[STATE_CODE[s]], pack(p.state[s]));
    assert.deepEqual(STATE_PRIORITY.slice(-2), ['timeout', 'fail'], 'failures win when zoomed out');
  });

  it('runtime codes: NaN = no runtime, min → 1, max → 255; heat ramp runs fast to slow', () => {
    const { codes, min, max } = runtimeCodes(Float32Array.of(NaN, 10, 20, 110, NaN));
    assert.equal(min, 10);
    assert.equal(max, 110);
    assert.deepEqual(Array.from(codes), [0, 1, 26, 255, 0]); // 1 + round(10 / 100 * 254)
    assert.deepEqual(Array.from(runtimeCodes(Float32Array.of(NaN, NaN)).codes), [0, 0]);
    assert.deepEqual(Array.from(runtimeCodes(Float32Array.of(5, 5)).codes), [128, 128]);
    const p = resolvePalette(() => '');
    const lut = heatLut(p);
    assert.equal(lut[0], pack(p.noData));
    assert.equal(lut[1], pack(heatColor(0, p)));
    assert.equal(lut[255], pack(heatColor(1, p)));
    assert.deepEqual(heatColor(1, p), p.heat[p.heat.length - 1]);
  });
});

describe('zoomed-out levels', () => {
  it('block maximum keeps the most severe cell of each block', () => {
    // 3 × 5 grid, factor 2 → 2 × 3 pixels.
    const codes = Uint8Array.from([1, 1, 2, 1, 1, 1, 6, 1, 1, 3, 1, 1, 1, 5, 1]);
    const level = downsampleMax(codes, 3, 5, 2);
    assert.equal(level.width, 3);
    assert.equal(level.height, 2);
    assert.deepEqual(Array.from(level.codes), [6, 2, 3, 1, 5, 1]);
    assert.equal(downsampleMax(codes, 3, 5, 1).codes, codes);
  });

  it('region update equals a full rebuild', () => {
    const rows = 7;
    const cols = 9;
    const bits = new Uint8Array(rows * cols);
    const level = downsampleMax(bits, rows, cols, 3);
    bits[2 * cols + 4] = 1;
    bits[6 * cols + 8] = 1;
    downsampleMaxRegion(bits, rows, cols, level, 2, 6, 4, 8);
    assert.deepEqual(Array.from(level.codes), Array.from(downsampleMax(bits, rows, cols, 3).codes));
  });

  it('paint maps codes through the table', () => {
    const out = new Uint32Array(3);
    const lut = new Uint32Array(256);
    lut[1] = 11;
    lut[2] = 22;
    paint(Uint8Array.of(2, 1, 0), lut, out);
    assert.deepEqual(Array.from(out), [22, 11, 0]);
  });

  it('a 2000 × 2000 grid is coded and reduced quickly', () => {
    const n = 2000 * 2000;
    const status = new Int32Array(n).fill(100);
    status[n - 1] = -100;
    const t0 = performance.now();
    const codes = statusCodes(status);
    const level = downsampleMax(codes, 2000, 2000, 3);
    const ms = performance.now() - t0;
    assert.equal(level.codes[level.codes.length - 1], STATE_CODE.fail, 'the one failed cell survives reduction');
    assert.ok(ms < 1000, `took ${ms} ms`);
  });
});

describe('tooltip text', () => {
  const d = {
    rows: 2,
    cols: 3,
    status: Int32Array.of(100, 0, -100, -5, -9999, -3),
    runtime: Float32Array.of(12, NaN, 7.25, 600, NaN, 3),
    lat: Float32Array.of(68.6794, 68.68, 68.68, 68.69, 68.69, 68.69),
    lon: Float32Array.of(-149.5874, -149.5, -149.4, -149.3, -149.2, -149.1),
  };

  it('row, col, state with its code, runtime, lat/lon', () => {
    assert.equal(cellTooltip({ ...d, lat: null, lon: null }, 0, 2), 'row 0, col 2 · failed (-100) · runtime 7.25 s');
    assert.equal(cellTooltip({ ...d, lat: null, lon: null }, 1, 1), 'row 1, col 1 · never written (-9999) · runtime —');
    assert.equal(cellTooltip(d, 0, 0), 'row 0, col 0 · success (100) · runtime 12 s · lat 68.6794, lon -149.5874');
    assert.match(cellTooltip(d, 1, 0), /^row 1, col 0 · timed out \(-5\) · runtime 600 s \(10\.0 min\)/);
    assert.match(cellTooltip({ ...d, runtime: null }, 1, 2), /^row 1, col 2 · other \(-3\) · runtime — · lat/);
  });

  it('the reason from fail_log.txt for the cell hovered, and none for other cells', () => {
    const failReasons = [{ cell: 2, message: 'Problem with initial parameter files!' }];
    const withReasons = { ...d, lat: null, lon: null, failReasons };
    assert.equal(
      cellTooltip(withReasons, 0, 2),
      'row 0, col 2 · failed (-100) · runtime 7.25 s · fail_log: Problem with initial parameter files!',
    );
    assert.equal(cellTooltip(withReasons, 1, 0), 'row 1, col 0 · timed out (-5) · runtime 600 s (10.0 min)');
  });

  it('formatSeconds', () => {
    assert.equal(formatSeconds(NaN), '—');
    assert.equal(formatSeconds(40), '40 s');
    assert.equal(formatSeconds(7200), '7200 s (2.0 h)');
  });
});
