import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './renderer-build.js';

export interface ServeProcess {
  /** The address with the token, as printed. */
  readonly url: string;
  readonly origin: string;
  readonly child: ChildProcess;
  /** Everything it wrote, for failure messages. */
  output(): string;
  /** SIGTERM, then waits for the exit status. */
  stop(): Promise<number | null>;
}

/** Starts `histo-fetch serve` as a user would (the bin script) and waits for the address it prints. */
export function startServe(args: readonly string[]): Promise<ServeProcess> {
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'histo-fetch.js'), 'serve', ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`histo-fetch serve printed no address:\n${output}`)),
      60_000,
    );
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /open (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        const url = match[1]!;
        resolve({
          url,
          origin: new URL(url).origin,
          child,
          output: () => output,
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done(child.exitCode);
              child.once('exit', (code) => done(code));
              child.kill('SIGTERM');
            }),
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`histo-fetch serve exited with ${code}:\n${output}`));
    });
  });
}
