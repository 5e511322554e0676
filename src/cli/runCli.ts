import { CancelledError, UserError } from '../core/errors';
import { helpText, parseArgs, usageLine, UsageError, type CommandSpec, type ParsedArgs } from './args';
import { VERSION } from './version';

/** Exit codes: 0 success, 1 failure, 2 usage error. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  /** True once the user asked to stop (Ctrl-C): the core then removes its partial output. */
  isCancelled: () => boolean;
}

let interrupted = false;
export const processIo: Io = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
  isCancelled: () => interrupted,
};

/** What `--version` prints: the tool (not the subcommand) and the package version. */
export function versionLine(prog: string): string {
  return `${prog.split(' ')[0]} ${VERSION}`;
}

/**
 * Parses the arguments, runs the command and maps errors to exit codes: expected problems (bad input,
 * full disk) print one line on stderr, never a stack trace; unexpected ones print the trace too.
 */
export async function runCli(
  spec: CommandSpec,
  argv: string[],
  io: Io,
  body: (args: ParsedArgs) => Promise<void>,
): Promise<number> {
  let args: ParsedArgs;
  try {
    args = parseArgs(spec, argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(usageLine(spec));
    io.err(`${spec.prog}: error: ${err.message}`);
    return EXIT.usage;
  }
  if (args.help) {
    io.out(helpText(spec).trimEnd());
    return EXIT.ok;
  }
  if (args.version) {
    io.out(versionLine(spec.prog));
    return EXIT.ok;
  }
  try {
    await body(args);
    return EXIT.ok;
  } catch (err) {
    // A value the parser cannot judge (a number that is not one) is still a usage error.
    if (err instanceof UsageError) {
      io.err(usageLine(spec));
      io.err(`${spec.prog}: error: ${err.message}`);
      return EXIT.usage;
    }
    if (err instanceof UserError || err instanceof CancelledError) {
      io.err(`${spec.prog}: error: ${err.message}`);
    } else {
      io.err(`${spec.prog}: internal error: ${(err as Error)?.stack ?? String(err)}`);
    }
    return EXIT.failure;
  }
}

/** Entry point of the bundled scripts: runs a command with the process's arguments and exits. */
export function main(command: (argv: string[], io: Io) => Promise<number>): void {
  // First Ctrl-C: stop cleanly at the next chunk, removing the staging output. Second: exit now.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (interrupted) process.exit(130);
      interrupted = true;
      process.stderr.write('Stopping: removing the partial output…\n');
    });
  }
  command(process.argv.slice(2), processIo).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`internal error: ${(err as Error)?.stack ?? err}\n`);
      process.exit(EXIT.failure);
    },
  );
}
