/**
 * Argument parsing with the command line's conventions: a wrong option is a user error
 * (one line, exit 2) pointing at the command's help, and a missing value names the flag.
 */
import { ParseArgsConfig, parseArgs } from 'node:util';
import { CliError } from './errors';

/** `config.strict` should be left out: options are always strict. */
export function parseCommandArgs<T extends ParseArgsConfig>(command: string, config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (e) {
    throw new CliError(`${(e as Error).message}: see 'ucrollout ${command} --help'`);
  }
}

export function requireValue(command: string, value: string | undefined, what: string): string {
  if (!value) throw new CliError(`missing ${what}: see 'ucrollout ${command} --help'`);
  return value;
}
