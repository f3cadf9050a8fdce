import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isLoopback } from '../../server/auth.js';
import { startServer } from '../../server/server.js';
import { createService } from '../../service/service.js';
import { registerCommand, type CliIo } from '../run.js';

const usage = `Usage: histo-fetch serve [--port 0] [--host 127.0.0.1] [--state DIR] [--root DIR]... [--renderer DIR]

Serves the workbench UI and its API (WebSocket) for a browser: on a headless GPU server, or for tests.
Prints the address to open; it carries a random access token, and requests without it are refused.

  --port N        port to listen on (0: a free one)                       default 0
  --host H        interface to bind; anything but loopback exposes the workbench to the network
                                                                          default 127.0.0.1
  --state DIR     workspace state, mask cache and runs                    default $XDG_STATE_HOME/histo-fetch
  --root DIR      folder the user may add slide folders from (repeatable) default the home folder
  --renderer DIR  built renderer (electron-vite build)                    default out/renderer
`;

interface ServeArgs {
  port: number;
  host: string;
  state: string | null;
  roots: string[];
  renderer: string | null;
}

/** Parses the arguments; returns an error message for anything it does not understand. */
export function parseServeArgs(args: readonly string[]): ServeArgs | string {
  const parsed: ServeArgs = { port: 0, host: '127.0.0.1', state: null, roots: [], renderer: null };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]!;
    const value = args[i + 1];
    const needValue = (): string | null => (value === undefined || value.startsWith('--') ? null : value);
    switch (flag) {
      case '--port': {
        const text = needValue();
        const port = text === null ? Number.NaN : Number(text);
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          return `Expected a port from 0 to 65535 for --port but received ${value ?? 'nothing'}`;
        parsed.port = port;
        break;
      }
      case '--host':
      case '--state':
      case '--root':
      case '--renderer': {
        const text = needValue();
        if (text === null) return `Expected a value after ${flag}`;
        if (flag === '--host') parsed.host = text;
        else if (flag === '--state') parsed.state = resolve(text);
        else if (flag === '--root') parsed.roots.push(resolve(text));
        else parsed.renderer = resolve(text);
        break;
      }
      default:
        return `Unknown option '${flag}'`;
    }
    i++;
  }
  return parsed;
}

/** The renderer build beside this checkout or install (`out/renderer`). */
function defaultRendererDir(): string {
  return fileURLToPath(new URL('../../../out/renderer', import.meta.url));
}

async function serve(args: string[], io: CliIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(usage);
    return 0;
  }
  const parsed = parseServeArgs(args);
  if (typeof parsed === 'string') {
    io.stderr.write(`histo-fetch serve: ${parsed}\n\n${usage}`);
    return 2;
  }
  const stateHome = process.env['XDG_STATE_HOME'] || join(homedir(), '.local', 'state');
  const cacheHome = process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  const stateDir = parsed.state ?? join(stateHome, 'histo-fetch');
  const cacheDir = parsed.state ? join(stateDir, 'cache') : join(cacheHome, 'histo-fetch');
  const roots = parsed.roots.length > 0 ? parsed.roots : [homedir()];
  const rendererDir = parsed.renderer ?? defaultRendererDir();
  const hasRenderer = existsSync(join(rendererDir, 'index.html'));
  if (!hasRenderer) {
    io.stderr.write(
      `histo-fetch serve: no renderer build in ${rendererDir} (run 'npx electron-vite build'); serving the API only\n`,
    );
  }
  if (!isLoopback(parsed.host)) {
    io.stderr.write(
      `histo-fetch serve: listening on ${parsed.host}: anyone who can reach this machine and has the token can use the workbench\n`,
    );
  }
  let service;
  try {
    service = await createService({
      stateDir,
      cacheDir,
      runsDir: join(stateDir, 'runs'),
      pickRoots: roots,
      warn: (message) => io.stderr.write(`histo-fetch serve: ${message}\n`),
    });
  } catch (error) {
    io.stderr.write(`histo-fetch serve: ${(error as Error).message}\n`);
    return 1;
  }
  let server;
  try {
    server = await startServer({
      service,
      host: parsed.host,
      port: parsed.port,
      rendererDir: hasRenderer ? rendererDir : null,
    });
  } catch (error) {
    await service.shutdown();
    io.stderr.write(
      `histo-fetch serve: cannot listen on ${parsed.host}:${parsed.port}: ${(error as Error).message}\n`,
    );
    return 1;
  }
  io.stdout.write(
    `histo-fetch serve: open ${server.url}\n  state: ${stateDir}\n  folders may be added from: ${roots.join(', ')}\n  Ctrl-C stops\n`,
  );
  const signal = await new Promise<NodeJS.Signals>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  io.stdout.write(`histo-fetch serve: ${signal}, stopping jobs\n`);
  await server.close();
  await service.shutdown();
  return 0;
}

registerCommand('serve', 'serve the workbench UI and API to a browser (token-protected)', serve);
