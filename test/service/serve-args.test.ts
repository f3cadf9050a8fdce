import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseServeArgs } from '../../src-main/cli/commands/serve.js';

describe('histo-fetch serve arguments', () => {
  it('binds 127.0.0.1 on a free port by default', () => {
    expect(parseServeArgs([])).toEqual({
      port: 0,
      host: '127.0.0.1',
      state: null,
      roots: [],
      renderer: null,
    });
  });

  it('takes the port, host, state folder and repeated roots', () => {
    expect(
      parseServeArgs(['--port', '8080', '--host', '0.0.0.0', '--state', 's', '--root', 'a', '--root', '/b']),
    ).toEqual({
      port: 8080,
      host: '0.0.0.0',
      state: resolve('s'),
      roots: [resolve('a'), '/b'],
      renderer: null,
    });
  });

  it('names what is wrong', () => {
    expect(parseServeArgs(['--port', '70000'])).toBe(
      'Expected a port from 0 to 65535 for --port but received 70000',
    );
    expect(parseServeArgs(['--port'])).toBe(
      'Expected a port from 0 to 65535 for --port but received nothing',
    );
    expect(parseServeArgs(['--state'])).toBe('Expected a value after --state');
    expect(parseServeArgs(['--root', '--port', '1'])).toBe('Expected a value after --root');
    expect(parseServeArgs(['--tls'])).toBe("Unknown option '--tls'");
  });
});
