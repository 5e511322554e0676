/**
 * What the webview does with each message from the extension (src/extension/statusGridPanel.ts).
 * Replies to the webview's own requests never get here: the messenger settles them.
 */
import type { Envelope } from '../src/shared/messenger';
import type { GridData, InitMessage, ToWebview, ToWebviewHandlers } from '../src/shared/protocol';
import { validateGridData } from '../src/shared/validate';
import type { Cell } from './viewport';

/** The grid app, as the extension's messages see it. */
export interface HostMessageTarget {
  showRun(run: InitMessage): void;
  setLoading(loading: boolean): void;
  showGrid(data: GridData): void;
  showError(text: string): void;
  /** Reveals a cell (once a grid is drawn). */
  revealCell(cell: Cell): void;
  /** Sends the grid as PNG for capture `token` (once a grid is drawn). */
  capturePng(token: number): void;
}

export function hostMessageHandlers(app: HostMessageTarget): ToWebviewHandlers {
  return {
    init: (m) => app.showRun(m),
    loading: () => app.setLoading(true),
    gridData: (m) => {
      app.setLoading(false);
      const checked = validateGridData(m.data);
      if (!checked.ok) app.showError(`Cannot draw this run_status: ${checked.reason}`);
      else app.showGrid(checked.value);
    },
    loadError: (m) => {
      app.setLoading(false);
      app.showError(m.message);
    },
    revealCell: (m) => app.revealCell({ row: m.row, col: m.col }),
    capturePng: (m) => app.capturePng(m.token),
  };
}

/** The shape of an envelope (anything else posted to the window is not for us). */
export function isEnvelope(raw: unknown): raw is Envelope<ToWebview> {
  if (typeof raw !== 'object' || raw === null) return false;
  const env = raw as { id?: unknown; body?: unknown };
  return (
    typeof env.id === 'number' &&
    typeof env.body === 'object' &&
    env.body !== null &&
    typeof (env.body as { type?: unknown }).type === 'string'
  );
}
