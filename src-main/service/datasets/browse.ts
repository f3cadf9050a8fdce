import { homedir } from 'node:os';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { BrowseEntry, BrowseRequest, BrowseResponse } from '../../contract/index.js';
import { isInside, realDirectory, resolveInside } from '../workspace/path-guard.js';

const maxEntries = 5000;

/**
 * Lists sub-folders for the browser-mode folder picker, never leaving the pick roots (browsers cannot give
 * a dropped folder's real path, so the user picks it from this listing or types it).
 */
export async function browseFolders(
  request: BrowseRequest,
  pickRoots: readonly string[] | null,
): Promise<BrowseResponse> {
  const roots = pickRoots ?? [await realDirectory(homedir())];
  if (request.path === undefined) {
    return {
      roots,
      path: null,
      parent: null,
      folders: roots.map((root) => ({ name: root, path: root })),
      fileCount: 0,
    };
  }
  const real = await resolveInside(request.path, roots, 'folder');
  const entries = await readdir(real, { withFileTypes: true });
  const folders: BrowseEntry[] = [];
  let fileCount = 0;
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(real, entry.name);
    let isDirectory = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      // A link is listed by what it leads to; picking it is checked against the roots again.
      const target = await stat(path).catch(() => null);
      isDirectory = target?.isDirectory() ?? false;
      isFile = target?.isFile() ?? false;
    }
    if (isDirectory) folders.push({ name: entry.name, path });
    else if (isFile) fileCount++;
    if (folders.length >= maxEntries) break;
  }
  folders.sort((a, b) => a.name.localeCompare(b.name));
  const atRoot = roots.includes(real);
  const parent = atRoot ? null : dirname(real);
  return {
    roots,
    path: real,
    parent: parent !== null && roots.some((root) => isInside(parent, root)) ? parent : null,
    folders,
    fileCount,
  };
}
