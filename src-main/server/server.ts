import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { CallMessage } from '../contract/index.js';
import type { Service } from '../service/service.js';
import { cookieName, hostAllowed, newToken, originAllowed, presentedToken } from './auth.js';
import { encodeServerMessage } from './frame.js';
import { readStaticFile } from './static-files.js';

/** The page's policy: our own scripts only, no eval, no remote content, images from blobs (tiles). */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface ServerOptions {
  readonly service: Service;
  /** Interface to bind; 127.0.0.1 unless the user asks otherwise. */
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** The built renderer (`out/renderer`); null serves the API only. */
  readonly rendererDir: string | null;
  /** The access token; a random one when omitted. */
  readonly token?: string;
}

export interface RunningServer {
  /** The address to open, with the token. */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** Closes every connection and stops listening. */
  close(): Promise<void>;
}

/** Replies larger than this are still sent; events for a client this far behind are dropped (gallery). */
const slowClientBytes = 8 * 1024 * 1024;

function isCall(value: unknown): value is CallMessage {
  const message = value as Partial<CallMessage> | null;
  return (
    typeof message === 'object' &&
    message !== null &&
    message.kind === 'call' &&
    Number.isSafeInteger(message.id) &&
    typeof message.method === 'string'
  );
}

function securityHeaders(response: ServerResponse): void {
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('Cache-Control', 'no-store');
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * Serves the built renderer over HTTP and the contract over WebSocket (`/rpc`), for headless GPU servers
 * and browser tests. Every request needs the token (query once, then an HttpOnly cookie); the Host and
 * Origin headers are checked so other web pages cannot reach it.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const token = options.token ?? newToken();
  const { service } = options;
  let port = 0;
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });

  const http = createServer((request, response) => {
    void handleHttp(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end(`Internal error: ${(error as Error).message}\n`);
    });
  });

  async function handleHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    securityHeaders(response);
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (!hostAllowed(request, port, options.host)) {
      response.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end('Forbidden: unexpected Host header\n');
      return;
    }
    const presented = presentedToken(request, url, port, token);
    if (presented === null) {
      response.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end(
        'Unauthorized: open the address histo-fetch serve printed (it carries the access token)\n',
      );
      return;
    }
    if (presented === 'query') {
      // Swap the token in the address for a cookie, so it does not stay in the history or the address bar.
      url.searchParams.delete('token');
      response.writeHead(303, {
        'Set-Cookie': `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        Location: `${url.pathname}${url.search}`,
      });
      response.end();
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' });
      response.end();
      return;
    }
    if (options.rendererDir === null) {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end('This server has no renderer build; the WebSocket API is at /rpc\n');
      return;
    }
    const file = await readStaticFile(options.rendererDir, url.pathname);
    if (!file) {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end('Not found\n');
      return;
    }
    response.writeHead(200, {
      'Content-Type': file.contentType,
      'Content-Length': file.body.length,
      ...(file.isHtml ? { 'Content-Security-Policy': contentSecurityPolicy } : {}),
    });
    response.end(request.method === 'HEAD' ? undefined : file.body);
  }

  http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== '/rpc') return refuseUpgrade(socket, 404, 'Not Found');
    if (!hostAllowed(request, port, options.host) || !originAllowed(request))
      return refuseUpgrade(socket, 403, 'Forbidden');
    if (presentedToken(request, url, port, token) === null) return refuseUpgrade(socket, 401, 'Unauthorized');
    wss.handleUpgrade(request, socket, head, (ws) => connect(ws));
  });

  function send(ws: WebSocket, frame: string | Buffer): void {
    if (ws.readyState === ws.OPEN) ws.send(frame);
  }

  function connect(ws: WebSocket): void {
    sockets.add(ws);
    const unsubscribe = service.subscribe((event) => {
      if (event.name === 'sampler.patches' && ws.bufferedAmount > slowClientBytes) return;
      send(ws, encodeServerMessage(event));
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) return ws.close(1003, 'Calls are JSON text frames');
      let message: unknown;
      try {
        message = JSON.parse(data.toString());
      } catch {
        return ws.close(1007, 'Malformed JSON');
      }
      if (!isCall(message)) return ws.close(1008, 'Not a call message');
      void service.call(message.method, message.request).then((reply) => {
        let frame: string | Buffer;
        try {
          frame = encodeServerMessage({ kind: 'reply', id: message.id, reply });
        } catch (error) {
          const text = `Cannot encode the reply of ${message.method}: ${(error as Error).message}`;
          frame = encodeServerMessage({
            kind: 'reply',
            id: message.id,
            reply: { ok: false, error: { code: 'INTERNAL', message: text } },
          });
        }
        send(ws, frame);
      });
    });
    ws.on('close', () => {
      unsubscribe();
      sockets.delete(ws);
    });
  }

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  port = (http.address() as AddressInfo).port;
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;

  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    port,
    token,
    async close() {
      for (const ws of sockets) ws.close(1001, 'Server shutting down');
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
