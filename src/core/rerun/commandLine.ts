/**
 * The rerun's command line: the recorded dvmdostem arguments (stages, log level, other flags) with only
 * the config file replaced.
 */

/** dvmdostem's config option (boost program_options `ctrl-file,f`). */
const CONFIG_SHORT = '-f';
const CONFIG_LONG = '--ctrl-file';

/** The recorded arguments (argv without the program) with the config file replaced by `configPath`. */
export function rerunArgs(recordedArgs: readonly string[], configPath: string): string[] {
  const out: string[] = [];
  let replaced = false;
  for (let i = 0; i < recordedArgs.length; i++) {
    const a = recordedArgs[i];
    if (a === CONFIG_SHORT || a === CONFIG_LONG) {
      i++; // its value
    } else if (a.startsWith(`${CONFIG_LONG}=`) || (a.startsWith(CONFIG_SHORT) && a.length > 2 && !a.startsWith('--'))) {
      // --ctrl-file=X or -fX
    } else {
      out.push(a);
      continue;
    }
    if (!replaced) out.push(CONFIG_SHORT, configPath);
    replaced = true;
  }
  // Started without -f: dvmdostem used its default config/config.js; the rerun names its own.
  return replaced ? out : [CONFIG_SHORT, configPath, ...out];
}
