/**
 * A small argparse-style parser, so the CLIs accept and reject exactly what the Python tools'
 * documented interface does (`--opt VALUE`, `--opt=VALUE`, `-v`, `-h`), plus `--version`.
 */

export interface OptionSpec {
  /** Long name without dashes, e.g. "original-mask". */
  name: string;
  short?: string;
  /** Takes a value (shown as this metavar) or is a flag. */
  metavar?: string;
  required?: boolean;
  help: string;
  /**
   * False for our additions to a Python tool's interface (`--dry-run`): they are listed in the help,
   * and the usage line stays as the tool documents it.
   */
  inUsage?: false;
}

export interface CommandSpec {
  prog: string;
  description: string;
  positionals: { name: string; help: string }[];
  options: OptionSpec[];
}

export class UsageError extends Error {}

export interface ParsedArgs {
  positionals: Record<string, string>;
  options: Record<string, string | boolean | undefined>;
  help: boolean;
  version: boolean;
}

export function usageLine(spec: CommandSpec): string {
  const opts = spec.options
    .filter((o) => o.inUsage !== false)
    .map((o) => {
      const text = o.metavar ? `--${o.name} ${o.metavar}` : `--${o.name}`;
      return o.required ? text : `[${text}]`;
    });
  return `usage: ${spec.prog} [-h] ${opts.join(' ')} ${spec.positionals.map((p) => p.name).join(' ')}`;
}

export function helpText(spec: CommandSpec): string {
  const lines = [usageLine(spec), '', spec.description, '', 'positional arguments:'];
  const width = 24;
  const row = (left: string, help: string) =>
    left.length >= width - 2 ? `  ${left}\n${' '.repeat(width)}${help}` : `  ${left.padEnd(width - 2)}${help}`;
  for (const p of spec.positionals) lines.push(row(p.name, p.help));
  lines.push('', 'options:', row('-h, --help', 'show this help message and exit'));
  lines.push(row('--version', "show program's version number and exit"));
  for (const o of spec.options) {
    const names = [`--${o.name}`, o.short ? `-${o.short}` : ''].filter(Boolean).join(', ');
    lines.push(row(o.metavar ? `--${o.name} ${o.metavar}` : names, o.help));
  }
  return lines.join('\n') + '\n';
}

export function parseArgs(spec: CommandSpec, argv: string[]): ParsedArgs {
  const options: ParsedArgs['options'] = {};
  const rest: string[] = [];
  let help = false;
  let version = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      rest.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h' || arg === '--help') {
      help = true;
      continue;
    }
    if (arg === '--version') {
      version = true;
      continue;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      const opt = spec.options.find((o) => o.name === name);
      if (!opt) throw new UsageError(`unrecognized arguments: ${arg}`);
      if (opt.metavar) {
        const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
        if (value === undefined || (eq < 0 && value.startsWith('-') && value.length > 1))
          throw new UsageError(`argument --${opt.name}: expected one argument`);
        options[opt.name] = value;
      } else {
        if (eq >= 0) throw new UsageError(`argument --${opt.name}: ignored explicit argument '${arg.slice(eq + 1)}'`);
        options[opt.name] = true;
      }
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      const opt = spec.options.find((o) => o.short === arg.slice(1));
      if (!opt) throw new UsageError(`unrecognized arguments: ${arg}`);
      if (opt.metavar) {
        const value = argv[++i];
        if (value === undefined) throw new UsageError(`argument -${opt.short}: expected one argument`);
        options[opt.name] = value;
      } else options[opt.name] = true;
      continue;
    }
    rest.push(arg);
  }
  if (help || version) return { positionals: {}, options, help, version };
  const missing = [
    ...spec.positionals.slice(rest.length).map((p) => p.name),
    ...spec.options.filter((o) => o.required && options[o.name] === undefined).map((o) => `--${o.name}`),
  ];
  if (missing.length) throw new UsageError(`the following arguments are required: ${missing.join(', ')}`);
  if (rest.length > spec.positionals.length)
    throw new UsageError(`unrecognized arguments: ${rest.slice(spec.positionals.length).join(' ')}`);
  const positionals = Object.fromEntries(spec.positionals.map((p, i) => [p.name, rest[i]]));
  return { positionals, options, help, version };
}
