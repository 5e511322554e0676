/**
 * What the webview keeps across being hidden and window reloads (vscode.setState/getState; the panel
 * serializer gets it back too): the run, the layer, zoom and pan, the selection and the cursor.
 * Saving is debounced: many changes in a row make one setState.
 */
import type { GridLayer, GridViewState, PersistedGridState } from '../src/shared/protocol';
import { validatePersistedState } from '../src/shared/validate';
import type { CellSelection } from './selection';
import type { Cell } from './viewport';

/** Changes within this time are saved together. */
const SAVE_DELAY_MS = 250;
/** Selections of more than this many runs of cells are not kept (the state is JSON). */
const MAX_PERSISTED_RUNS = 200_000;

export interface StateStore {
  getState(): unknown;
  setState<T>(state: T): T;
}

/** The webview's state now; `grid` is null before the first grid is drawn. */
export interface StateSnapshot {
  layer: GridLayer;
  selection: CellSelection;
  grid: { rows: number; cols: number; view: GridViewState | null; cursor: Cell | null } | null;
}

function emptyState(): PersistedGridState {
  return {
    v: 1,
    runFolderUri: '',
    runName: '',
    layer: 'status',
    rows: 0,
    cols: 0,
    view: null,
    selection: [],
    cursor: null,
  };
}

export class SavedState {
  /** What was saved before this page loaded (validated), if anything. */
  readonly restored: PersistedGridState | undefined;
  private state: PersistedGridState | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Run-length selection for the state, recomputed only when the selection changed. */
  private runs: number[] | undefined;

  constructor(
    private readonly store: StateStore,
    private readonly snapshot: () => StateSnapshot,
  ) {
    this.restored = validatePersistedState(store.getState());
    this.state = this.restored;
  }

  /** The run this panel shows (from the extension's `init`). */
  setRun(runFolderUri: string, runName: string): void {
    this.state = { ...(this.state ?? emptyState()), runFolderUri, runName };
    this.schedule();
  }

  /** The selection changed (or was replaced): its runs are recomputed at the next save. */
  selectionChanged(): void {
    this.runs = undefined;
  }

  schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.save();
    }, SAVE_DELAY_MS);
  }

  private save(): void {
    const base = this.state ?? emptyState();
    if (!base.runFolderUri) return; // nothing to restore without knowing the run
    const now = this.snapshot();
    if (this.runs === undefined) {
      const runs = now.selection.count > 0 ? now.selection.toRuns() : [];
      this.runs = runs.length <= MAX_PERSISTED_RUNS * 2 ? runs : [];
    }
    const g = now.grid;
    this.state = {
      ...base,
      layer: now.layer,
      rows: g?.rows ?? base.rows,
      cols: g?.cols ?? base.cols,
      view: g ? g.view : base.view,
      selection: g ? this.runs : base.selection,
      cursor: g ? g.cursor : base.cursor,
    };
    this.store.setState(this.state);
  }
}
