import { USAGE_EXIT_CODE, UsageError } from './args.js';
import type { CliIo } from './run.js';

/** Exit status of a user error (bad file, bad region...): the message names the file and the problem. */
export const USER_ERROR_EXIT_CODE = 1;

/**
 * Runs a command body and turns what it throws into an exit status and one message on stderr:
 * UsageError -> 2 (with the command's usage), anything else -> 1. Never lets an error escape.
 */
export async function runGuarded(
  command: string,
  usage: string,
  io: CliIo,
  body: () => Promise<number>,
): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`histo-fetch ${command}: ${error.message}\n\n${usage}`);
      return USAGE_EXIT_CODE;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`histo-fetch ${command}: ${message}\n`);
    return USER_ERROR_EXIT_CODE;
  }
}
