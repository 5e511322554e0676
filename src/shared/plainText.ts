/**
 * VS Code turns `[label](command:…)`, `(https:…)` and `(file:…)` in notification text into links. File
 * and folder names are user data: a folder named `x](command:…)` must not become a clickable command.
 * A zero-width space between `]` and `(` keeps the text as it reads and breaks the link syntax.
 */
export function notificationText(text: string): string {
  return text.replace(/\]\(/g, ']\u200b(');
}
