/** Where the CLI writes; injected so tests can capture output without spawning a process. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** A sub-command: parses its own arguments and returns the exit status. */
export type Command = (args: string[], io: CliIo) => Promise<number>;

const commands: Record<string, { summary: string; run: Command }> = {};

/** Registers a sub-command under a name (each command module calls this once). */
export function registerCommand(name: string, summary: string, run: Command): void {
  commands[name] = { summary, run };
}

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `Usage: histo-fetch <command> [options]\n\nCommands:\n${lines.join('\n')}\n`;
}

/** Runs the CLI; returns 0 on success, 1 on a user error, 2 on a usage error. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (!command) {
    io.stderr.write(`histo-fetch: unknown command '${name}'\n${usage()}`);
    return 2;
  }
  return command.run(rest, io);
}
