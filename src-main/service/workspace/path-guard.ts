import { realpath, stat } from 'node:fs/promises';
import { sep } from 'node:path';
import { ServiceError } from '../errors.js';

/** True when `path` is `root` or lies below it (both absolute and symlink-free). */
export function isInside(path: string, root: string): boolean {
  if (path === root) return true;
  const prefix = root.endsWith(sep) ? root : root + sep;
  return path.startsWith(prefix);
}

/**
 * Resolves `path` through every symlink and checks that the real path lies inside one of `roots`
 * (themselves real paths). This is what keeps an untrusted renderer to the folders the user added:
 * `..` segments, symlinks pointing out and absent files are all refused.
 * @param what names the thing for messages, e.g. 'slide', 'folder'
 */
export async function resolveInside(path: string, roots: readonly string[], what: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(path);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw new ServiceError('NOT_FOUND', `The ${what} '${path}' does not exist`, { path });
    throw new ServiceError(
      'PATH_NOT_ALLOWED',
      `The ${what} '${path}' cannot be accessed (${code ?? 'error'})`,
      {
        path,
      },
    );
  }
  if (!roots.some((root) => isInside(real, root))) {
    const shown = real === path ? `'${path}'` : `'${path}' (really '${real}')`;
    throw new ServiceError(
      'PATH_NOT_ALLOWED',
      `The ${what} ${shown} is outside the folders added to the workbench`,
      { path },
    );
  }
  return real;
}

/** Resolves a folder path to its real path and checks it is a readable directory. */
export async function realDirectory(path: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(path);
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new ServiceError(
      code === 'ENOENT' ? 'NOT_FOUND' : 'PATH_NOT_ALLOWED',
      code === 'ENOENT'
        ? `The folder '${path}' does not exist`
        : `The folder '${path}' cannot be accessed (${code})`,
      { path },
    );
  }
  const info = await stat(real);
  if (!info.isDirectory())
    throw new ServiceError('INVALID_REQUEST', `'${path}' is a file, not a folder`, { path });
  return real;
}
