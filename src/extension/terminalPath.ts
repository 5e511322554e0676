/**
 * Puts the bundled pyddt-* tools on the PATH of VS Code's integrated terminals (also over
 * Remote-SSH, where the extension runs on the login node): launchers in the extension's global
 * storage folder, prepended to PATH through the extension's environment variable collection.
 */
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { writeCliShims } from '../core/cliShims';

export async function putClisOnTerminalPath(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
): Promise<void> {
  const binDir = path.join(context.globalStorageUri.fsPath, 'bin');
  try {
    const commands = await writeCliShims(path.join(context.extensionUri.fsPath, 'dist'), binDir, process.execPath);
    if (commands.length === 0) return;
    const env = context.environmentVariableCollection;
    env.description = `Adds ${commands.join(', ')} (dvmdostem Run Rescue) to PATH`;
    env.prepend('PATH', binDir + path.delimiter);
    log.info(`Terminals get ${commands.join(', ')} on PATH (launchers in ${binDir})`);
  } catch (err) {
    log.warn(`Could not put the pyddt tools on the terminal PATH (${binDir}): ${(err as Error).message}`);
  }
}
