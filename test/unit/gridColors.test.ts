// The grid's colours as shipped in media/grid.css, per VS Code theme kind: the states stay apart for
// people with each kind of dichromacy, stand out from the background, and the runtime ramp is viridis
// (lightness rising steadily from fast to slow, unlike a rainbow).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
  heatColor,
  inkOn,
  parseColor,
  resolvePalette,
  STATE_GLYPHS,
  VIRIDIS,
  type Palette,
  type Rgba,
} from '../../webview/colors';
import { contrast, deltaE, DICHROMACY, lab, simulate } from '../helpers/colorVision';

const CSS = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'media', 'grid.css'), 'utf8');

/** Custom properties declared on `body` plus those of blocks whose selector names `body.<themeClass>`. */
function declaredVars(themeClass: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const m of CSS.replace(/\/\*[\s\S]*?\*\//g, '').matchAll(/([^{}]+)\{([^}]*)\}/g)) {
    const selectors = m[1].split(',').map((s) => s.trim());
    if (!selectors.includes('body') && !selectors.includes(`body.${themeClass}`)) continue;
    for (const d of m[2].matchAll(/(--[\w-]+)\s*:\s*([^;]+);/g)) vars.set(d[1], d[2].trim());
  }
  return vars;
}

/** Editor background and foreground of VS Code's default theme of each kind. */
const THEMES = {
  'vscode-dark': { '--vscode-editor-background': '#1f1f1f', '--vscode-foreground': '#cccccc' },
  'vscode-light': { '--vscode-editor-background': '#ffffff', '--vscode-foreground': '#3b3b3b' },
  'vscode-high-contrast': { '--vscode-editor-background': '#000000', '--vscode-foreground': '#ffffff' },
  'vscode-high-contrast-light': { '--vscode-editor-background': '#ffffff', '--vscode-foreground': '#292929' },
} as const;

function paletteFor(themeClass: keyof typeof THEMES): Palette {
  const vars = declaredVars(themeClass);
  const theme: Record<string, string> = THEMES[themeClass];
  const resolve = (value: string): string => {
    const m = /^var\((--[\w-]+)\s*(?:,\s*(.*))?\)$/.exec(value);
    if (!m) return value;
    return theme[m[1]] ?? (vars.has(m[1]) ? resolve(vars.get(m[1])!) : resolve(m[2] ?? ''));
  };
  return resolvePalette((name) => resolve(vars.get(name) ?? ''));
}

const SIGNAL_STATES = ['success', 'fail', 'timeout', 'other'] as const;

describe('status colours in every theme kind', () => {
  for (const themeClass of Object.keys(THEMES) as (keyof typeof THEMES)[]) {
    // Success must never be mistaken for a problem (ΔE ≥ 20: clearly different colours). The problem
    // states among themselves also differ by glyph on large cells, so ΔE ≥ 15 is asked there (four
    // Okabe–Ito colours ≥ 20 apart for every dichromacy and readable on white do not exist).
    it(`${themeClass}: success, failed, timed out and other stay apart with normal vision and each dichromacy`, () => {
      const p = paletteFor(themeClass);
      const visions: [string, (c: Rgba) => Rgba][] = [
        ['normal', (c) => c],
        ...Object.entries(DICHROMACY).map(([n, m]) => [n, (c: Rgba) => simulate(c, m)] as [string, (c: Rgba) => Rgba]),
      ];
      for (const [vision, see] of visions) {
        for (let i = 0; i < SIGNAL_STATES.length; i++) {
          for (let j = i + 1; j < SIGNAL_STATES.length; j++) {
            const [a, b] = [SIGNAL_STATES[i], SIGNAL_STATES[j]];
            const d = deltaE(see(p.state[a]), see(p.state[b]));
            const needed = a === 'success' ? 20 : 15;
            assert.ok(
              d >= needed,
              `${themeClass}, ${vision}: ${a} and ${b} look alike (ΔE ${d.toFixed(1)} < ${needed})`,
            );
          }
        }
      }
    });

    it(`${themeClass}: every state stands out from the background`, () => {
      const p = paletteFor(themeClass);
      for (const s of SIGNAL_STATES) {
        const c = contrast(p.state[s], p.background);
        assert.ok(
          c >= 2,
          `${themeClass}: ${s} ${JSON.stringify(p.state[s])} on ${JSON.stringify(p.background)} has contrast ${c.toFixed(2)}`,
        );
      }
      assert.ok(deltaE(p.state.masked, p.background) > 3, 'masked cells are visible');
      for (const m of [null, ...Object.values(DICHROMACY)]) {
        for (const s of SIGNAL_STATES) {
          const d = deltaE(m ? simulate(p.selection, m) : p.selection, m ? simulate(p.state[s], m) : p.state[s]);
          assert.ok(d >= 15, `${themeClass}: the selection colour looks like ${s} (ΔE ${d.toFixed(1)})`);
        }
      }
      assert.ok(deltaE(p.state.masked, p.state.unwritten) > 5, 'masked and never written differ');
    });
  }

  it('no red/green pair: the status colours are not the old red and green', () => {
    const p = paletteFor('vscode-dark');
    const [, , bSuccess] = lab(p.state.success);
    assert.ok(bSuccess < 0, `success is blue (b* ${bSuccess.toFixed(0)} < 0), not green`);
  });

  it('failed and timed out have different glyphs, drawn in the more readable of black and white', () => {
    assert.ok(STATE_GLYPHS.fail && STATE_GLYPHS.timeout && STATE_GLYPHS.fail !== STATE_GLYPHS.timeout);
    for (const themeClass of Object.keys(THEMES) as (keyof typeof THEMES)[]) {
      const p = paletteFor(themeClass);
      for (const s of ['fail', 'timeout'] as const) {
        const ink = inkOn(p.state[s]);
        const other = ink.r === 0 ? { r: 255, g: 255, b: 255, a: 1 } : { r: 0, g: 0, b: 0, a: 1 };
        assert.ok(contrast(ink, p.state[s]) >= contrast(other, p.state[s]), `${themeClass} ${s}`);
        assert.ok(
          contrast(ink, p.state[s]) >= 4.5,
          `${themeClass} ${s}: glyph contrast ${contrast(ink, p.state[s]).toFixed(2)}`,
        );
      }
    }
  });
});

describe('runtime ramp', () => {
  it('is viridis in every theme: lightness rises steadily from fast to slow, and dichromats see it rise too', () => {
    for (const themeClass of Object.keys(THEMES) as (keyof typeof THEMES)[]) {
      const p = paletteFor(themeClass);
      assert.deepEqual(heatColor(0, p), parseColor(VIRIDIS[0]));
      assert.deepEqual(heatColor(1, p), parseColor(VIRIDIS[VIRIDIS.length - 1]));
      for (const [vision, m] of [['normal', null], ...Object.entries(DICHROMACY)] as [
        string,
        Parameters<typeof simulate>[1] | null,
      ][]) {
        let prev = -Infinity;
        for (let k = 0; k <= 50; k++) {
          const c = heatColor(k / 50, p);
          const l = lab(m ? simulate(c, m) : c)[0];
          assert.ok(
            l > prev - 0.5,
            `${themeClass}, ${vision}: lightness falls at ${k / 50} (${prev.toFixed(1)} → ${l.toFixed(1)})`,
          );
          prev = l;
        }
        const span =
          lab(m ? simulate(heatColor(1, p), m) : heatColor(1, p))[0] -
          lab(m ? simulate(heatColor(0, p), m) : heatColor(0, p))[0];
        assert.ok(span > 60, `${vision}: fastest and slowest differ in lightness by ${span.toFixed(0)}`);
      }
    }
  });
});
