/**
 * Colours of the grid. Cell states use the Okabe–Ito palette (readable with every common colour
 * vision deficiency), set per theme kind in media/grid.css (--state-*); the rest comes from the VS
 * Code theme (--grid-*). Runtime is drawn with viridis (perceptually uniform, lightness rising from
 * fast to slow), the same in every theme. No DOM here: the caller passes a function that reads a CSS variable (unit tested
 * in Node). Every cell colour is made opaque over the editor background, so what the canvas shows,
 * what the legend swatch shows and what `cellColor` reports are the same rgb().
 */
import { CELL_STATES, type CellState } from '../src/shared/cellStates';

export interface Rgba {
  r: number;
  g: number;
  b: number;
  /** 0..1 */
  a: number;
}

interface ColorSource {
  cssVar: string;
  fallback: string;
  /** Opacity applied over the background (for the two neutral states, drawn as a tint of the foreground). */
  mix?: number;
}

/** Okabe & Ito (2008), "Color Universal Design": eight colours told apart with any colour vision. */
export const OKABE_ITO = {
  black: '#000000',
  orange: '#e69f00',
  skyBlue: '#56b4e9',
  bluishGreen: '#009e73',
  yellow: '#f0e442',
  blue: '#0072b2',
  vermillion: '#d55e00',
  reddishPurple: '#cc79a7',
} as const;

/** matplotlib's viridis at 0, 1/8, …, 1 (fast → slow). */
export const VIRIDIS = [
  '#440154',
  '#472d7b',
  '#3b528b',
  '#2c728e',
  '#21918c',
  '#28ae80',
  '#5ec962',
  '#addc30',
  '#fde725',
] as const;

export const STATE_COLOR_SOURCES: Readonly<Record<CellState, ColorSource>> = {
  // Fallbacks: the dark-theme choice of media/grid.css.
  success: { cssVar: '--state-success', fallback: OKABE_ITO.skyBlue },
  fail: { cssVar: '--state-fail', fallback: OKABE_ITO.vermillion },
  timeout: { cssVar: '--state-timeout', fallback: OKABE_ITO.yellow },
  other: { cssVar: '--state-other', fallback: OKABE_ITO.reddishPurple },
  unwritten: { cssVar: '--state-unwritten', fallback: '#808080', mix: 0.42 },
  masked: { cssVar: '--state-masked', fallback: '#808080', mix: 0.13 },
};

const SOURCES = {
  background: { cssVar: '--grid-background', fallback: '#1e1e1e' },
  foreground: { cssVar: '--grid-foreground', fallback: '#cccccc' },
  axis: { cssVar: '--grid-axis', fallback: '#9d9d9d' },
  selection: { cssVar: '--grid-selection', fallback: '#007fd4' },
  hover: { cssVar: '--grid-hover', fallback: '#cccccc' },
} as const satisfies Record<string, ColorSource>;

export interface Palette {
  state: Record<CellState, Rgba>;
  background: Rgba;
  foreground: Rgba;
  axis: Rgba;
  selection: Rgba;
  hover: Rgba;
  /** Heat-map stops from fastest to slowest (viridis). */
  heat: Rgba[];
  /** Cells without a runtime on the heat map. */
  noData: Rgba;
}

const clamp255 = (x: number) => Math.max(0, Math.min(255, Math.round(x)));

/**
 * Parses the colour forms browsers and VS Code produce: #rgb, #rgba, #rrggbb, #rrggbbaa,
 * rgb()/rgba() (comma or space syntax, optional "/ alpha", percentages), color(srgb r g b / a),
 * and `transparent`. Returns null for anything else.
 */
export function parseColor(input: string): Rgba | null {
  const s = input.trim().toLowerCase();
  if (s === 'transparent') return { r: 0, g: 0, b: 0, a: 0 };
  let m = /^#([0-9a-f]{3,8})$/.exec(s);
  if (m) {
    const h = m[1];
    if (h.length === 3 || h.length === 4) {
      const v = [...h].map((c) => parseInt(c + c, 16));
      return { r: v[0], g: v[1], b: v[2], a: h.length === 4 ? v[3] / 255 : 1 };
    }
    if (h.length === 6 || h.length === 8) {
      const v = [0, 2, 4, 6].map((i) => parseInt(h.slice(i, i + 2), 16));
      return { r: v[0], g: v[1], b: v[2], a: h.length === 8 ? v[3] / 255 : 1 };
    }
    return null;
  }
  const num = (t: string, full: number) => (t.endsWith('%') ? (parseFloat(t) / 100) * full : parseFloat(t));
  m = /^rgba?\(\s*([^)]*)\)$/.exec(s);
  if (m) {
    const parts = m[1].split(/[\s,/]+/).filter(Boolean);
    if (parts.length < 3 || parts.length > 4) return null;
    const [r, g, b] = parts.slice(0, 3).map((t) => num(t, 255));
    const a = parts.length === 4 ? num(parts[3], 1) : 1;
    if ([r, g, b, a].some((x) => !Number.isFinite(x))) return null;
    return { r: clamp255(r), g: clamp255(g), b: clamp255(b), a: Math.max(0, Math.min(1, a)) };
  }
  m = /^color\(\s*srgb\s+([^)]*)\)$/.exec(s);
  if (m) {
    const parts = m[1].split(/[\s/]+/).filter(Boolean);
    if (parts.length < 3 || parts.length > 4) return null;
    const [r, g, b] = parts.slice(0, 3).map((t) => num(t, 1) * 255);
    const a = parts.length === 4 ? num(parts[3], 1) : 1;
    if ([r, g, b, a].some((x) => !Number.isFinite(x))) return null;
    return { r: clamp255(r), g: clamp255(g), b: clamp255(b), a: Math.max(0, Math.min(1, a)) };
  }
  return null;
}

/** `fg` composited over an opaque `bg` (result opaque). */
export function over(fg: Rgba, bg: Rgba, extraAlpha = 1): Rgba {
  const a = Math.max(0, Math.min(1, fg.a * extraAlpha));
  return {
    r: clamp255(fg.r * a + bg.r * (1 - a)),
    g: clamp255(fg.g * a + bg.g * (1 - a)),
    b: clamp255(fg.b * a + bg.b * (1 - a)),
    a: 1,
  };
}

export function mixRgb(a: Rgba, b: Rgba, t: number): Rgba {
  return {
    r: clamp255(a.r + (b.r - a.r) * t),
    g: clamp255(a.g + (b.g - a.g) * t),
    b: clamp255(a.b + (b.b - a.b) * t),
    a: 1,
  };
}

/** One RGBA pixel as a Uint32 for an ImageData viewed as Uint32Array (little-endian: ABGR). */
export function pack(c: Rgba): number {
  return ((clamp255(c.a * 255) << 24) | (c.b << 16) | (c.g << 8) | c.r) >>> 0;
}

export function unpack(u: number): Rgba {
  return { r: u & 255, g: (u >>> 8) & 255, b: (u >>> 16) & 255, a: ((u >>> 24) & 255) / 255 };
}

/** CSS text of an opaque colour, in the form getComputedStyle reports it ("rgb(1, 2, 3)"). */
export function cssRgb(c: Rgba): string {
  return c.a >= 1 ? `rgb(${c.r}, ${c.g}, ${c.b})` : `rgba(${c.r}, ${c.g}, ${c.b}, ${Math.round(c.a * 1000) / 1000})`;
}

/** Relative luminance (WCAG), for picking readable text/outline colours. */
export function luminance(c: Rgba): number {
  const ch = (v: number) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * ch(c.r) + 0.7152 * ch(c.g) + 0.0722 * ch(c.b);
}

/**
 * Builds the palette from CSS variables. `getVar(name)` returns the variable's value (any CSS
 * colour; empty when unset); `normalize` may turn other CSS colour syntaxes (names, hsl…) into one
 * {@link parseColor} understands (in the browser: a canvas fillStyle round trip).
 */
export function resolvePalette(
  getVar: (name: string) => string,
  normalize: (css: string) => string = (x) => x,
): Palette {
  const read = (src: ColorSource): Rgba => {
    const raw = getVar(src.cssVar).trim();
    return (raw && (parseColor(raw) ?? parseColor(normalize(raw)))) || (parseColor(src.fallback) as Rgba);
  };
  const bgRaw = read(SOURCES.background);
  const background = over(bgRaw, { r: 30, g: 30, b: 30, a: 1 });
  const solid = (src: ColorSource) => over(read(src), background, src.mix ?? 1);
  const state = {} as Record<CellState, Rgba>;
  for (const s of CELL_STATES) state[s] = solid(STATE_COLOR_SOURCES[s]);
  // The two neutral states must stay apart from each other and from the background.
  if (sameRgb(state.masked, state.unwritten))
    state.unwritten = mixRgb(state.unwritten, luminance(background) > 0.5 ? black : white, 0.3);
  return {
    state,
    background,
    foreground: solid(SOURCES.foreground),
    axis: solid(SOURCES.axis),
    selection: solid(SOURCES.selection),
    hover: solid(SOURCES.hover),
    heat: VIRIDIS.map((c) => parseColor(c) as Rgba),
    noData: state.masked,
  };
}

const black: Rgba = { r: 0, g: 0, b: 0, a: 1 };
const white: Rgba = { r: 255, g: 255, b: 255, a: 1 };
const sameRgb = (a: Rgba, b: Rgba) => a.r === b.r && a.g === b.g && a.b === b.b;

/** Heat-map colour for t in [0, 1] (fast → slow), interpolated between the palette's stops. */
export function heatColor(t: number, p: Palette): Rgba {
  const stops = p.heat;
  const x = Math.max(0, Math.min(1, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  return mixRgb(stops[i], stops[i + 1], x - i);
}

// ---------------------------------------------------------------------------------------------
// Cell codes: each cell gets a byte; a 256-entry lookup table turns bytes into pixels. Larger
// codes win when several cells share a pixel (zoomed far out), so failures and slow cells stay
// visible however far the grid is zoomed out.
// ---------------------------------------------------------------------------------------------

/** States from least to most important when cells share a pixel. */
export const STATE_PRIORITY: readonly CellState[] = ['masked', 'unwritten', 'success', 'other', 'timeout', 'fail'];

/** The status-layer code of a state (1..6; 0 is unused). */
export const STATE_CODE: Readonly<Record<CellState, number>> = Object.fromEntries(
  STATE_PRIORITY.map((s, i) => [s, i + 1]),
) as Record<CellState, number>;

export function stateOfCode(code: number): CellState | undefined {
  return STATE_PRIORITY[code - 1];
}

/** Status layer: code 1..6 per state. */
export function statusLut(p: Palette): Uint32Array {
  const lut = new Uint32Array(256).fill(pack(p.background));
  for (const s of STATE_PRIORITY) lut[STATE_CODE[s]] = pack(p.state[s]);
  return lut;
}

/** Which states get a glyph on large cells, so failed and timed out differ by shape as well as colour. */
export const STATE_GLYPHS: Readonly<Partial<Record<CellState, 'cross' | 'clock'>>> = {
  fail: 'cross',
  timeout: 'clock',
};

/** Black or white, whichever reads better on `c` (for glyphs drawn on cells). */
export function inkOn(c: Rgba): Rgba {
  return luminance(c) > 0.18 ? black : white;
}

/** Runtime layer: code 0 = no runtime, 1..255 = fastest..slowest. */
export const HEAT_LEVELS = 255;

export function heatLut(p: Palette): Uint32Array {
  const lut = new Uint32Array(256);
  lut[0] = pack(p.noData);
  for (let c = 1; c <= HEAT_LEVELS; c++) lut[c] = pack(heatColor((c - 1) / (HEAT_LEVELS - 1), p));
  return lut;
}
