import { constants } from 'node:fs';
import { access, lstat, readdir, readlink, realpath, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { Slide } from '../slide/types.js';

/** A file OpenSlide opened. */
export interface DiscoveredSlide {
  readonly path: string;
  readonly vendor: string | null;
  readonly quickhash: string;
  readonly level0Width: number;
  readonly level0Height: number;
  readonly levelCount: number;
  /** Microns per level-0 pixel, null when the slide does not say. */
  readonly mppX: number | null;
}

/** Why a file or folder yields no slide. */
export type DiscoveryProblemKind =
  /** OpenSlide recognises no format in the file. */
  | 'not-a-slide'
  /** A format was recognised but the file cannot be opened (corrupt, unsupported variant). */
  | 'unreadable'
  | 'permission-denied'
  | 'folder-missing'
  | 'not-a-folder'
  /** The folder holds no slide at all (reported once per given folder). */
  | 'folder-empty'
  /** The same slide content (quickhash) again; only the first copy is kept. */
  | 'duplicate';

export interface DiscoveryProblem {
  readonly path: string;
  readonly kind: DiscoveryProblemKind;
  /** A sentence for people, naming the file and the reason. */
  readonly reason: string;
}

export interface DiscoveryResult {
  /** Sorted by path. */
  readonly slides: readonly DiscoveredSlide[];
  /** Sorted by path. */
  readonly problems: readonly DiscoveryProblem[];
}

export interface DiscoveryOptions {
  /** Opens a slide (the binding's `openSlide`); each handle is closed right after. */
  readonly openSlide: (path: string) => Promise<Slide>;
  /** Descend into sub-folders (default true). */
  readonly recursive?: boolean;
  /** Files opened at once (default 4): opening reads headers, so this is I/O-bound. */
  readonly concurrency?: number;
}

/**
 * Finds the slides in folders by trying every file with OpenSlide (extensions are not trusted: a `.tif` may
 * be a plain image, a slide may have any name) and reports every other file and every folder problem with
 * its reason, never stopping at one bad entry. Hidden entries (dot files) are skipped. MIRAX: the `.mrxs`
 * file is the slide and the folder of the same name beside it is its data, not searched.
 */
export async function discoverSlides(
  folders: readonly string[],
  options: Readonly<DiscoveryOptions>,
): Promise<DiscoveryResult> {
  const slides: DiscoveredSlide[] = [];
  const problems: DiscoveryProblem[] = [];
  const visited = new Set<string>();
  for (const folder of folders) {
    const files: string[] = [];
    const searched = await collectFiles(folder, options.recursive ?? true, files, problems, visited, true);
    const found = await probeFiles(files, options, problems);
    slides.push(...found);
    if (searched && found.length === 0) {
      problems.push({
        path: folder,
        kind: 'folder-empty',
        reason:
          files.length === 0
            ? `${folder}: the folder holds no files`
            : `${folder}: none of its ${files.length} file(s) is a slide OpenSlide can open`,
      });
    }
  }
  const byPath = (a: { path: string }, b: { path: string }): number =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
  return { slides: slides.sort(byPath), problems: problems.sort(byPath) };
}

async function collectFiles(
  folder: string,
  recursive: boolean,
  files: string[],
  problems: DiscoveryProblem[],
  visited: Set<string>,
  top: boolean,
): Promise<boolean> {
  let real: string;
  try {
    const info = await stat(folder);
    if (!info.isDirectory()) {
      problems.push({ path: folder, kind: 'not-a-folder', reason: `${folder}: not a folder` });
      return false;
    }
    real = await realpath(folder);
  } catch (error) {
    problems.push(folderProblem(folder, error, top));
    return false;
  }
  if (visited.has(real)) return true; // a link back into a folder already searched
  visited.add(real);
  let entries: string[];
  try {
    entries = (await readdir(folder)).sort();
  } catch (error) {
    problems.push(folderProblem(folder, error, top));
    return false;
  }
  const miraxData = new Set(
    entries
      .filter((name) => extname(name).toLowerCase() === '.mrxs')
      .map((name) => basename(name, extname(name))),
  );
  for (const name of entries) {
    if (name.startsWith('.')) continue;
    const path = join(folder, name);
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      problems.push((await brokenLinkProblem(path, error)) ?? folderProblem(path, error, false));
      continue;
    }
    if (info.isDirectory()) {
      if (recursive && !miraxData.has(name))
        await collectFiles(path, recursive, files, problems, visited, false);
    } else if (info.isFile()) {
      files.push(path);
    }
  }
  return true;
}

async function probeFiles(
  files: readonly string[],
  options: Readonly<DiscoveryOptions>,
  problems: DiscoveryProblem[],
): Promise<DiscoveredSlide[]> {
  const found: DiscoveredSlide[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const path = files[next++]!;
      const outcome = await probeFile(path, options.openSlide);
      if ('quickhash' in outcome) found.push(outcome);
      else problems.push(outcome);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  return found;
}

async function probeFile(
  path: string,
  openSlide: (path: string) => Promise<Slide>,
): Promise<DiscoveredSlide | DiscoveryProblem> {
  try {
    await access(path, constants.R_OK);
  } catch (error) {
    return folderProblem(path, error, false);
  }
  let slide: Slide;
  try {
    slide = await openSlide(path);
  } catch (error) {
    const e = error as { code?: unknown; vendor?: unknown; message?: unknown; detail?: unknown };
    const detail = typeof e.detail === 'string' ? e.detail : String(e.message ?? error);
    if (e.code === 'UNSUPPORTED_FORMAT' && (e.vendor === null || e.vendor === undefined)) {
      return { path, kind: 'not-a-slide', reason: `${path}: not a slide (${detail})` };
    }
    const vendor =
      typeof e.vendor === 'string' && !detail.includes(e.vendor) ? ` (recognised as ${e.vendor})` : '';
    return { path, kind: 'unreadable', reason: `${path}: cannot be opened${vendor}: ${detail}` };
  }
  try {
    const level0 = slide.info.levels[0]!;
    return {
      path,
      vendor: slide.info.vendor,
      quickhash: slide.info.quickhash,
      level0Width: level0.width,
      level0Height: level0.height,
      levelCount: slide.info.levels.length,
      mppX: slide.info.mppX,
    };
  } finally {
    slide.close();
  }
}

/** A symbolic link whose target does not exist (stat says ENOENT, lstat finds the link), or null. */
async function brokenLinkProblem(path: string, error: unknown): Promise<DiscoveryProblem | null> {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return null;
  try {
    if (!(await lstat(path)).isSymbolicLink()) return null;
    const target = await readlink(path);
    return { path, kind: 'unreadable', reason: `${path}: broken link (its target ${target} does not exist)` };
  } catch {
    return null; // really gone meanwhile
  }
}

function folderProblem(path: string, error: unknown, top: boolean): DiscoveryProblem {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') {
    return { path, kind: 'permission-denied', reason: `${path}: permission denied` };
  }
  if (code === 'ENOENT') {
    return top
      ? { path, kind: 'folder-missing', reason: `${path}: the folder does not exist` }
      : { path, kind: 'unreadable', reason: `${path}: vanished while searching` };
  }
  return { path, kind: 'unreadable', reason: `${path}: ${(error as Error).message}` };
}
