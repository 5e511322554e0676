/** The cell tooltip (#tooltip): placed next to a point of the grid, kept inside the grid's box. */

/** Offset of the tooltip's corner from the pointer, right of it and below it (CSS pixels). */
const OFFSET_X = 14;
const OFFSET_Y = 16;
/** Gap kept to the pointer when the tooltip flips to its left or above it. */
const FLIP_GAP = 10;
/** Smallest distance kept from the edges of the grid's box. */
const EDGE_MARGIN = 4;

export class CellTooltip {
  constructor(
    private readonly tip: HTMLElement,
    /** The box the tooltip stays inside (#grid-wrap). */
    private readonly box: HTMLElement,
  ) {}

  /** Shows `text` next to a client point. */
  show(text: string, clientX: number, clientY: number): void {
    const t = this.tip;
    t.textContent = text;
    t.hidden = false;
    const box = this.box.getBoundingClientRect();
    const w = t.offsetWidth;
    const h = t.offsetHeight;
    let x = clientX - box.left + OFFSET_X;
    let y = clientY - box.top + OFFSET_Y;
    if (x + w > box.width - EDGE_MARGIN) x = Math.max(EDGE_MARGIN, clientX - box.left - w - FLIP_GAP);
    if (y + h > box.height - EDGE_MARGIN) y = Math.max(EDGE_MARGIN, clientY - box.top - h - FLIP_GAP);
    t.style.left = `${x}px`;
    t.style.top = `${y}px`;
  }

  hide(): void {
    this.tip.hidden = true;
  }
}
