/**
 * Small launcher scripts for the bundled command-line tools (dist/pyddt-*.js), so that `pyddt-merge …`
 * works in a terminal with nothing installed: each runs its bundle with a given Node (in VS Code, the
 * editor's own: process.execPath with ELECTRON_RUN_AS_NODE=1, which plain Node ignores).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileStaged } from './staging';

/** The CLI bundles in a dist/ folder, by command name (`pyddt-merge` → dist/pyddt-merge.js). */
export function bundledClis(distDir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of fs.readdirSync(distDir).sort()) {
    const m = /^(pyddt-[a-z0-9-]+)\.js$/.exec(name);
    if (m) out.set(m[1], path.join(distDir, name));
  }
  return out;
}

const shQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The launcher's file name and text for this platform. */
export function shimFor(
  command: string,
  node: string,
  script: string,
  platform: NodeJS.Platform = process.platform,
): { file: string; text: string } {
  const about = `Written by the dvmdostem Run Rescue extension: its bundled ${command}, run with VS Code's own Node.`;
  if (platform === 'win32') {
    const lines = ['@echo off', `rem ${about}`, 'set ELECTRON_RUN_AS_NODE=1', `"${node}" "${script}" %*`];
    return { file: `${command}.cmd`, text: `${lines.join('\r\n')}\r\n` };
  }
  const lines = ['#!/bin/sh', `# ${about}`, `ELECTRON_RUN_AS_NODE=1 exec ${shQuote(node)} ${shQuote(script)} "$@"`];
  return { file: command, text: `${lines.join('\n')}\n` };
}

/**
 * Writes (or refreshes) a launcher per bundled CLI into `binDir`, a folder the caller owns. Files that
 * are already right are left alone; each write is staged and renamed. Returns the commands.
 */
export async function writeCliShims(distDir: string, binDir: string, node: string): Promise<string[]> {
  await fs.promises.mkdir(binDir, { recursive: true });
  const commands: string[] = [];
  for (const [command, script] of bundledClis(distDir)) {
    const { file, text } = shimFor(command, node, script);
    const dest = path.join(binDir, file);
    let current: string | undefined;
    try {
      current = await fs.promises.readFile(dest, 'utf8');
    } catch {
      current = undefined;
    }
    if (current !== text) await writeFileStaged(dest, text, 'shim', 0o755);
    commands.push(command);
  }
  return commands;
}
