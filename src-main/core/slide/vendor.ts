import { resolve } from 'node:path';

import { loadOpenSlideAddon, type OpenSlideAddon } from '../../native/openslide/index.js';
import { toSlideError } from './errors.js';

/**
 * The OpenSlide vendor of a file (aperio, hamamatsu, generic-tiff, ...) without opening it, or null when
 * OpenSlide does not recognise it (also for missing files). Reads only the file header.
 */
export function detectVendor(path: string, addon?: OpenSlideAddon): string | null {
  const absolute = resolve(path);
  try {
    return (addon ?? loadOpenSlideAddon()).detectVendor(absolute);
  } catch (error) {
    throw toSlideError(error, absolute);
  }
}
