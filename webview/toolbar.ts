/**
 * The toolbar, built from webview-ui-toolkit elements (`vscode-button`, `vscode-checkbox`; they are
 * registered in ./main.ts). Only DOM calls and textContent.
 */

export interface ToolbarActions {
  writeMask: () => void;
  selectProblems: () => void;
  clearSelection: () => void;
  toggleRuntime: (on: boolean) => void;
  zoomIn: () => void;
  zoomOut: () => void;
  fit: () => void;
  salvage: () => void;
  merge: () => void;
  exportCsv: () => void;
  exportPng: () => void;
}

type ToolkitButton = HTMLElement & { disabled: boolean };
type ToolkitCheckbox = HTMLElement & { checked: boolean; disabled: boolean };

function button(
  id: string,
  text: string,
  appearance: 'primary' | 'secondary' | 'icon',
  title: string,
  onClick: () => void,
): ToolkitButton {
  const b = document.createElement('vscode-button') as ToolkitButton;
  b.id = id;
  b.setAttribute('appearance', appearance);
  b.textContent = text;
  b.title = title;
  b.setAttribute('aria-label', title);
  b.addEventListener('click', () => {
    if (!b.disabled && !b.hasAttribute('disabled')) onClick();
  });
  return b;
}

function setDisabled(e: ToolkitButton | ToolkitCheckbox, disabled: boolean): void {
  e.disabled = disabled;
  e.toggleAttribute('disabled', disabled);
}

export class Toolbar {
  readonly writeMask: ToolkitButton;
  readonly selectProblems: ToolkitButton;
  readonly clear: ToolkitButton;
  readonly runtime: ToolkitCheckbox;
  readonly salvage: ToolkitButton;
  readonly merge: ToolkitButton;
  readonly exportCsv: ToolkitButton;
  readonly exportPng: ToolkitButton;

  constructor(root: HTMLElement, actions: ToolbarActions) {
    root.replaceChildren();
    root.setAttribute('role', 'toolbar');
    root.setAttribute('aria-label', 'Run status grid');
    const group = (...children: HTMLElement[]) => {
      const g = document.createElement('div');
      g.className = 'toolbar-group';
      g.append(...children);
      root.append(g);
    };
    this.writeMask = button(
      'write-mask',
      'Write Mask for Selected Cells…',
      'primary',
      'Write a new run-mask that enables only the selected cells',
      actions.writeMask,
    );
    this.selectProblems = button(
      'select-problems',
      'Select Failed',
      'secondary',
      'Add every failed and timed-out cell to the selection',
      actions.selectProblems,
    );
    this.clear = button('clear-selection', 'Clear', 'secondary', 'Clear the selection (Esc)', actions.clearSelection);
    group(this.writeMask, this.selectProblems, this.clear);

    this.runtime = document.createElement('vscode-checkbox') as ToolkitCheckbox;
    this.runtime.id = 'layer-runtime';
    this.runtime.textContent = 'Runtime heat map';
    this.runtime.title = 'Colour cells by total_runtime (slow cells stand out)';
    this.runtime.addEventListener('change', () => actions.toggleRuntime(!!this.runtime.checked));
    group(this.runtime);

    group(
      button('zoom-in', '+', 'icon', 'Zoom in (+)', actions.zoomIn),
      button('zoom-out', '−', 'icon', 'Zoom out (-)', actions.zoomOut),
      button('zoom-fit', 'Fit', 'secondary', 'Fit the grid to the panel (0)', actions.fit),
    );

    this.salvage = button('salvage', 'Salvage…', 'secondary', 'Salvage failed cells of this run', actions.salvage);
    this.merge = button('merge', 'Merge…', 'secondary', 'Merge salvaged and rerun outputs', actions.merge);
    group(this.salvage, this.merge);

    this.exportCsv = button(
      'export-csv',
      'Export CSV…',
      'secondary',
      'Save the cells that did not succeed as CSV (row, col, lat, lon, state, runtime, reason)',
      actions.exportCsv,
    );
    this.exportPng = button(
      'export-png',
      'Export PNG…',
      'secondary',
      'Save the grid as drawn as a PNG image',
      actions.exportPng,
    );
    group(this.exportCsv, this.exportPng);
  }

  setSelectionCount(n: number, busy: boolean): void {
    setDisabled(this.writeMask, n === 0 || busy);
    setDisabled(this.clear, n === 0);
  }

  setProblemsAvailable(n: number): void {
    setDisabled(this.selectProblems, n === 0);
  }

  setRuntimeAvailable(available: boolean, checked: boolean): void {
    setDisabled(this.runtime, !available);
    this.runtime.checked = available && checked;
    this.runtime.title = available
      ? 'Colour cells by total_runtime (slow cells stand out)'
      : 'This run_status.nc has no total_runtime';
  }

  setCommandsBusy(busy: boolean): void {
    setDisabled(this.salvage, busy);
    setDisabled(this.merge, busy);
    setDisabled(this.exportCsv, busy);
    setDisabled(this.exportPng, busy);
  }
}
