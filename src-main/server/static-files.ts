import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/** A file of the built renderer, ready to send. */
export interface StaticFile {
  readonly body: Buffer;
  readonly contentType: string;
  readonly isHtml: boolean;
}

/**
 * Finds a file of the built renderer for a URL path; null when there is none. Paths that would leave the
 * folder (encoded `..`, backslashes, NUL) find nothing.
 */
export async function readStaticFile(rendererDir: string, urlPath: string): Promise<StaticFile | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const relative = normalize(decoded === '/' ? '/index.html' : decoded).replace(/^\/+/, '');
  if (relative.startsWith('..') || relative.split(sep).includes('..')) return null;
  const path = join(rendererDir, relative);
  if (!path.startsWith(rendererDir + sep)) return null;
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) return null;
  const ext = extname(path).toLowerCase();
  return {
    body: await readFile(path),
    contentType: contentTypes[ext] ?? 'application/octet-stream',
    isHtml: ext === '.html',
  };
}
