import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** A fresh random access token (256 bits, URL-safe). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The cookie that carries the token after the first visit; per port, because cookies ignore ports. */
export function cookieName(port: number): string {
  return `histo_fetch_token_${port}`;
}

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Where a request presented the token, if it did: the `token` query, the cookie, or a Bearer header. */
export function presentedToken(
  request: IncomingMessage,
  url: URL,
  port: number,
  token: string,
): 'query' | 'cookie' | 'header' | null {
  const query = url.searchParams.get('token');
  if (query !== null && sameToken(query, token)) return 'query';
  const name = cookieName(port);
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name && sameToken(rest.join('='), token)) return 'cookie';
  }
  const auth = request.headers.authorization;
  if (auth?.startsWith('Bearer ') && sameToken(auth.slice(7), token)) return 'header';
  return null;
}

const loopbackNames = ['127.0.0.1', 'localhost', '[::1]'];

/** True for hosts that only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1';
}

/**
 * Checks the Host header of a request to a loopback server: a page on another site that rebinds its DNS
 * name to 127.0.0.1 would send its own name, and is refused even before the token check.
 */
export function hostAllowed(request: IncomingMessage, port: number, bindHost: string): boolean {
  if (!isLoopback(bindHost)) return true;
  const host = request.headers.host ?? '';
  return loopbackNames.some((name) => host === `${name}:${port}`);
}

/** A WebSocket from a browser must come from our own page (same host and port). */
export function originAllowed(request: IncomingMessage): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  return origin === `http://${request.headers.host ?? ''}`;
}
