import * as vscode from 'vscode';

/**
 * A guided input of several steps in VS Code's style (the "multi-step input" of
 * vscode-extension-samples): each step is a quick pick or an input box titled "Title (step k of n)",
 * with a Back button from step 2 on that returns to the previous step showing the answer given there
 * (and what was typed in the step left is shown again when the user comes back to it).
 * Escape (or focus moving to a dialog that is not ours) cancels the whole input.
 */

/** Thrown by a step's prompt when the user pressed Back (handled by `runSteps`). */
class GoBack extends Error {}
/** Thrown by a step's prompt when the user cancelled (handled by `runSteps`). */
class Cancelled extends Error {}

/** One step: asks through `input` and keeps its answer (in the caller's state); may throw to go back/cancel. */
export type Step = (input: StepInput) => Promise<void>;

/**
 * Runs `steps` in order under one title; Back re-runs the previous step. Resolves true when the last
 * step was answered, false when the user cancelled at any step. Steps keep their answers in the
 * caller's state, so a step shown again can start from its earlier answer.
 */
export async function runSteps(title: string, steps: Step[]): Promise<boolean> {
  const drafts = new Map<number, string>();
  for (let i = 0; i < steps.length;) {
    try {
      await steps[i](new StepInput(title, i + 1, steps.length, drafts));
      i++;
    } catch (err) {
      if (err instanceof GoBack) i = Math.max(0, i - 1);
      else if (err instanceof Cancelled) return false;
      else throw err;
    }
  }
  return true;
}

export interface PickOptions<T extends vscode.QuickPickItem> {
  placeholder: string;
  items: readonly T[];
  /** The item selected when the step opens (the default, or the earlier answer). */
  active?: T;
  matchOnDescription?: boolean;
}

export interface InputOptions {
  prompt: string;
  value: string;
  /** Selection in `value` when shown (default: all of it). */
  valueSelection?: [number, number];
  /** Resolves to a message saying what is wrong, or undefined when `value` is acceptable. */
  validate(value: string): Promise<string | undefined>;
}

/** The prompts of one step, titled "Title (step k of n)" (just "Title" when there is one step). */
export class StepInput {
  readonly title: string;

  constructor(
    baseTitle: string,
    readonly step: number,
    readonly totalSteps: number,
    /** What was typed in an input box when the user pressed Back, per step: shown again on return. */
    private readonly drafts = new Map<number, string>(),
  ) {
    this.title = totalSteps > 1 ? `${baseTitle} (step ${step} of ${totalSteps})` : baseTitle;
  }

  /** A quick pick; resolves with the accepted item. */
  pick<T extends vscode.QuickPickItem>(options: PickOptions<T>): Promise<T> {
    const qp = vscode.window.createQuickPick<T>();
    qp.title = this.title;
    qp.placeholder = options.placeholder;
    qp.items = options.items;
    qp.matchOnDescription = options.matchOnDescription ?? false;
    qp.ignoreFocusOut = true;
    if (options.active) qp.activeItems = [options.active];
    return this.show(qp, (settle) => [
      qp.onDidAccept(() => {
        const picked = qp.selectedItems[0] ?? qp.activeItems[0];
        if (picked) settle(() => picked);
      }),
    ]);
  }

  /** An input box; resolves with the accepted value once `validate` accepts it. */
  input(options: InputOptions): Promise<string> {
    const box = vscode.window.createInputBox();
    box.title = this.title;
    box.prompt = options.prompt;
    const draft = this.drafts.get(this.step);
    box.value = draft ?? options.value;
    box.valueSelection = draft === undefined ? options.valueSelection : undefined;
    box.ignoreFocusOut = true;
    let checked = 0;
    const check = async (value: string): Promise<string | undefined> => {
      const n = ++checked;
      const message = await options.validate(value);
      // Only the latest check may set the message (an older one may finish later).
      if (n === checked) box.validationMessage = message;
      return message;
    };
    if (draft !== undefined) void check(draft);
    return this.show(box, (settle) => [
      box.onDidChangeValue((v) => void check(v)),
      box.onDidTriggerButton((button) => {
        if (button === vscode.QuickInputButtons.Back) this.drafts.set(this.step, box.value);
      }),
      box.onDidAccept(async () => {
        const value = box.value;
        box.enabled = false;
        box.busy = true;
        const message = await check(value);
        box.enabled = true;
        box.busy = false;
        if (message === undefined && box.value === value) {
          this.drafts.delete(this.step);
          settle(() => value);
        }
      }),
    ]);
  }

  /** Shows `q` with Back from step 2 on; settles once; Escape or hiding cancels. */
  private show<R>(
    q: vscode.QuickPick<vscode.QuickPickItem> | vscode.InputBox,
    listen: (settle: (result: () => R) => void) => vscode.Disposable[],
  ): Promise<R> {
    q.buttons = this.step > 1 ? [vscode.QuickInputButtons.Back] : [];
    return new Promise<R>((resolve, reject) => {
      let settled = false;
      const disposables: vscode.Disposable[] = [];
      const settle = (result: () => R) => {
        if (settled) return;
        settled = true;
        try {
          resolve(result());
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
        for (const d of disposables) d.dispose();
        q.dispose();
      };
      const fail = (err: Error) =>
        settle(() => {
          throw err;
        });
      disposables.push(
        ...listen(settle),
        q.onDidTriggerButton((button) => {
          if (button === vscode.QuickInputButtons.Back) fail(new GoBack());
        }),
        q.onDidHide(() => fail(new Cancelled())),
      );
      q.show();
    });
  }
}
