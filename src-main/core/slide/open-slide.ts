import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { resolve } from 'node:path';

import { loadOpenSlideAddon, type OpenSlideAddon } from '../../native/openslide/index.js';
import { SlideError, UnsupportedFormatError, toSlideError } from './errors.js';
import { readSlideInfo } from './info.js';
import { OpenSlideSlide } from './slide.js';
import type { Slide } from './types.js';
import { MAX_REGION_PIXELS } from './validate.js';

export interface OpenSlideOptions {
  /** The loaded addon (default: loadOpenSlideAddon()). */
  readonly addon?: OpenSlideAddon;
  /** Refuse reads above this many pixels (default MAX_REGION_PIXELS). */
  readonly maxRegionPixels?: number;
}

/**
 * Opens a whole-slide image. The file checks and OpenSlide's open run off the JS thread.
 * Rejects with SlideError: NOT_FOUND, NOT_A_FILE (directory, device...), UNSUPPORTED_FORMAT (as
 * UnsupportedFormatError: empty file, not a slide, or a slide OpenSlide cannot open), READ_FAILED,
 * ADDON_MISSING, INVALID_ARGUMENT (empty path).
 */
export async function openSlide(path: string, options: Readonly<OpenSlideOptions> = {}): Promise<Slide> {
  if (typeof path !== 'string' || path === '') {
    throw new SlideError(
      'INVALID_ARGUMENT',
      null,
      `Expected a slide path but received ${JSON.stringify(path)}`,
    );
  }
  const absolute = resolve(path);
  const fileKey = await checkFile(absolute);
  let addon: OpenSlideAddon;
  try {
    addon = options.addon ?? loadOpenSlideAddon();
  } catch (error) {
    throw toSlideError(error, absolute);
  }
  let native;
  try {
    native = await addon.open(absolute);
  } catch (error) {
    throw toSlideError(error, absolute, addon.detectVendor(absolute));
  }
  try {
    const info = readSlideInfo(native, absolute, fileKey);
    return new OpenSlideSlide(native, info, {
      maxRegionPixels: options.maxRegionPixels ?? MAX_REGION_PIXELS,
    });
  } catch (error) {
    native.close();
    throw toSlideError(error, absolute, native.vendor);
  }
}

/** Checks the path names a non-empty regular file; returns "size:mtime" to identify it. */
async function checkFile(path: string): Promise<string> {
  let stats;
  try {
    stats = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new SlideError('NOT_FOUND', path, 'no such file', { cause: error });
    }
    throw new SlideError('READ_FAILED', path, `cannot access the file (${code ?? String(error)})`, {
      cause: error,
    });
  }
  if (stats.isDirectory()) throw new SlideError('NOT_A_FILE', path, 'is a directory, not a slide file');
  if (!stats.isFile()) throw new SlideError('NOT_A_FILE', path, 'is not a regular file');
  try {
    await access(path, constants.R_OK);
  } catch (error) {
    throw new SlideError('READ_FAILED', path, 'permission denied: the file is not readable', {
      cause: error,
    });
  }
  if (stats.size === 0)
    throw new UnsupportedFormatError(path, 'is an empty file (0 bytes), not a slide', null);
  return `${stats.size}:${stats.mtimeMs}`;
}
