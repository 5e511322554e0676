import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { asUserError, UserError } from './errors';

/**
 * RUN_DIR/config_record.js, which dvmdostem writes at start-up: the command line it was started with
 * and the config file as it read it. JSON with `//` comments, so it is read with jsonc-parser.
 */
export interface ConfigRecord {
  /** Absolute path of config_record.js. */
  file: string;
  /** "CLI_command" as recorded. */
  cliCommand: string;
  /** CLI_command split on whitespace (dvmdostem joins argv with spaces, so that is all one can do). */
  argv: string[];
  /** "original_config". */
  config: Record<string, unknown>;
  /** other_config.process_count when present (MPI ranks of the run). */
  processCount?: number;
}

export const CONFIG_RECORD_NAME = 'config_record.js';

/** Parses JSON with comments (dvmdostem's config files); a UserError naming `file` and the place when malformed. */
export function parseJsonWithComments(text: string, file: string): unknown {
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length) {
    const e = errors[0];
    const line = text.slice(0, e.offset).split('\n').length;
    throw new UserError(`${file}: not valid JSON (with comments): ${printParseErrorCode(e.error)} at line ${line}`);
  }
  return value;
}

export async function readConfigRecord(runDir: string): Promise<ConfigRecord> {
  const file = path.resolve(runDir, CONFIG_RECORD_NAME);
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UserError(
        `${file}: config_record.js not found (dvmdostem writes it into its output folder at start-up)`,
      );
    }
    throw asUserError(err, `reading ${file}`);
  }
  return parseConfigRecord(text, file);
}

export function parseConfigRecord(text: string, file: string): ConfigRecord {
  const value = parseJsonWithComments(text, file);
  if (!isObject(value)) throw new UserError(`${file}: expected a JSON object with CLI_command and original_config`);
  const cliCommand = value.CLI_command;
  if (typeof cliCommand !== 'string' || !cliCommand.trim())
    throw new UserError(
      `${file}: CLI_command is missing or not a string (expected the recorded dvmdostem command line)`,
    );
  const config = value.original_config;
  if (!isObject(config))
    throw new UserError(`${file}: original_config is missing or not an object (expected the config dvmdostem read)`);
  const other = value.other_config;
  const count = isObject(other) ? other.process_count : undefined;
  const record: ConfigRecord = { file, cliCommand, argv: cliCommand.trim().split(/\s+/), config };
  if (typeof count === 'number' && Number.isInteger(count) && count > 0) record.processCount = count;
  return record;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
