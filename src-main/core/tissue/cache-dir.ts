import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/**
 * The workbench's cache folder: the given one, else `$XDG_CACHE_HOME/histo-fetch`, else
 * `~/.cache/histo-fetch`. Masks and thumbnails live here, never beside the slides (slide folders are often
 * read-only network shares).
 */
export function resolveCacheDir(
  explicit: string | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
  home: string = homedir(),
): string {
  if (explicit !== undefined && explicit !== '') return resolve(explicit);
  const xdg = env['XDG_CACHE_HOME'];
  // The XDG spec says relative values are invalid and must be ignored.
  if (xdg !== undefined && xdg !== '' && isAbsolute(xdg)) return join(xdg, 'histo-fetch');
  return join(home, '.cache', 'histo-fetch');
}
