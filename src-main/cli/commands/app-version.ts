import { readFileSync } from 'node:fs';

/** The workbench's version from its package.json (the same relative path from src-main/ and dist/). */
export function appVersion(): string {
  try {
    const url = new URL('../../../package.json', import.meta.url);
    return (JSON.parse(readFileSync(url, 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
