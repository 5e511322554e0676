/**
 * The message banner above the grid (#message): one notice at a time, info or error, dismissable.
 * Text is only ever set with textContent.
 */

export type BannerKind = 'info' | 'error';

/** What a caught error says, for a banner. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class Banner {
  constructor(private readonly box: HTMLElement) {}

  show(text: string, kind: BannerKind): void {
    this.box.replaceChildren();
    const span = document.createElement('span');
    span.textContent = text;
    const close = document.createElement('vscode-button');
    close.setAttribute('appearance', 'icon');
    close.setAttribute('aria-label', 'Dismiss');
    close.title = 'Dismiss';
    close.textContent = '×';
    close.addEventListener('click', () => {
      this.box.hidden = true;
    });
    this.box.append(span, close);
    this.box.dataset.kind = kind;
    this.box.hidden = false;
  }

  /** Hides the banner if it shows an error (new data makes the last error stale); info stays. */
  hideIfError(): void {
    if (this.box.dataset.kind === 'error') this.box.hidden = true;
  }
}
