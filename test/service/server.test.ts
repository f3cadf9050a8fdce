import { mkdir, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../../src-main/service/service.js';
import { encodeServerMessage } from '../../src-main/server/frame.js';
import { startServer, type RunningServer } from '../../src-main/server/server.js';
import { decodeServerMessage } from '../../src-renderer/src/transport/frames.js';
import { startService, tempDir } from './helpers.js';
import { connect } from './ws-client.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('histo-fetch serve: the token and the origin guard every request', () => {
  let service: Service;
  let server: RunningServer;
  let cookie: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const dir = await tempDir('server');
    cleanup = dir.cleanup;
    const rendererDir = join(dir.path, 'renderer');
    await mkdir(join(rendererDir, 'assets'), { recursive: true });
    await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>workbench</title>');
    await writeFile(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
    await writeFile(join(dir.path, 'secret.txt'), 'secret');
    service = await startService(dir.path, [dir.path]);
    server = await startServer({ service, host: '127.0.0.1', port: 0, rendererDir });
    cookie = `histo_fetch_token_${server.port}=${server.token}`;
  });
  afterAll(async () => {
    await server.close();
    await service.shutdown();
    await cleanup();
  });

  it('prints an address on 127.0.0.1 that carries a long random token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
  });

  it('refuses HTTP requests without the token, or with a wrong one', async () => {
    for (const path of ['/', '/index.html', '/assets/app.js', '/?token=wrong', `/?token=${server.token}x`]) {
      const answer = await get(server.port, path);
      expect(answer.status, path).toBe(401);
      expect(answer.body).not.toContain('workbench');
    }
  });

  it('trades the token in the address for an HttpOnly cookie, then serves the page with a strict CSP', async () => {
    const first = await get(server.port, `/?token=${server.token}`);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    expect(String(first.headers['set-cookie'])).toContain(`${cookie}; HttpOnly; SameSite=Strict`);
    const page = await get(server.port, '/', { Cookie: cookie });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>workbench</title>');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).not.toContain('unsafe-eval');
    const asset = await get(server.port, '/assets/app.js', { Cookie: cookie });
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it('refuses a foreign Host header (DNS rebinding) even with the token', async () => {
    const answer = await get(server.port, '/', { Cookie: cookie, Host: `evil.example:${server.port}` });
    expect(answer.status).toBe(403);
  });

  it('never serves files outside the renderer folder', async () => {
    for (const path of [
      '/../secret.txt',
      '/..%2fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/%2e%2e/secret.txt',
    ]) {
      const answer = await get(server.port, path, { Cookie: cookie });
      expect(answer.status, path).toBe(404);
      expect(answer.body).not.toContain('secret');
    }
  });

  it('refuses WebSocket connections without the token, with a wrong one, or from another origin', async () => {
    await expect(connect(server.port)).rejects.toThrow('HTTP 401');
    await expect(connect(server.port, { token: 'nope' })).rejects.toThrow('HTTP 401');
    await expect(
      connect(server.port, { token: server.token, headers: { Origin: 'http://evil.example' } }),
    ).rejects.toThrow('HTTP 403');
  });

  it('answers calls over WebSocket with the token, in the query or the cookie', async () => {
    const viaQuery = await connect(server.port, { token: server.token });
    const created = await viaQuery.call('datasets.create', { name: 'H&E' });
    expect(created).toMatchObject({ ok: true, value: { domain: { name: 'H&E', folders: [] } } });
    viaQuery.close();
    const viaCookie = await connect(server.port, {
      headers: { Cookie: cookie, Origin: `http://127.0.0.1:${server.port}` },
    });
    const listed = await viaCookie.call('datasets.list', {});
    expect(listed).toMatchObject({ ok: true, value: { domains: [{ name: 'H&E' }] } });
    const refused = await viaCookie.call('datasets.addFolders', {
      domainId: 'd-1',
      folders: ['/etc'],
      extra: 1,
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    viaCookie.close();
  });

  it('closes a connection that sends something other than a call', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/rpc?token=${server.token}`);
    await new Promise((resolve) => ws.once('open', resolve));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send(JSON.stringify({ kind: 'hello' }));
    expect(await closed).toBe(1008);
  });
});

describe('WebSocket frames', () => {
  it('send typed arrays as binary, 8-byte aligned, and decode them as views of the same values', () => {
    const bytes = Buffer.from([1, 2, 3, 4, 5]);
    const steps = new Float64Array([0, 10, 20]);
    const frame = encodeServerMessage({
      kind: 'reply',
      id: 7,
      reply: {
        ok: true,
        value: { image: { mime: 'image/png', widthPx: 1, heightPx: 1, bytes }, steps, n: 3 },
      },
    });
    expect(Buffer.isBuffer(frame)).toBe(true);
    const buffer = frame as Buffer;
    // A copy, as a browser receives it: a fresh ArrayBuffer that starts at the frame.
    const decoded = decodeServerMessage(new Uint8Array(buffer).buffer);
    expect(decoded.kind).toBe('reply');
    const value = (
      decoded as { reply: { value: { image: { bytes: Uint8Array }; steps: Float64Array; n: number } } }
    ).reply.value;
    expect([...value.image.bytes]).toEqual([1, 2, 3, 4, 5]);
    expect(value.steps).toBeInstanceOf(Float64Array);
    expect([...value.steps]).toEqual([0, 10, 20]);
    expect(value.n).toBe(3);
  });

  it('send messages without binary data as JSON text', () => {
    const frame = encodeServerMessage({ kind: 'reply', id: 1, reply: { ok: true, value: { a: [1, 2] } } });
    expect(typeof frame).toBe('string');
    expect(decodeServerMessage(frame as string)).toEqual({
      kind: 'reply',
      id: 1,
      reply: { ok: true, value: { a: [1, 2] } },
    });
  });
});
