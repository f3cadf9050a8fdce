/** The real test slides (test/fixtures/slides, see SOURCES.md there). */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const SLIDES_DIR = fileURLToPath(new URL('../../fixtures/slides/', import.meta.url));

/** Every slide OpenSlide 3.4.1 opens and reads. */
export const USABLE_SLIDES = [
  'cmu-1-small-region.svs',
  'tcga-cr-7395-ts1.svs',
  'tiny.svs',
  'bracs-1640-crop.tiff',
  'ndpi-dapi.ndpi',
  'ndpi-tritc.ndpi',
] as const;

/** The broken slides, relative to SLIDES_DIR: one OpenSlide refuses, one that opens but cannot be read. */
export const BAD_SLIDES = ['bad/unopenable.tiff', 'bad/unreadable.svs'] as const;

export const UNOPENABLE = join(SLIDES_DIR, BAD_SLIDES[0]);
export const UNREADABLE = join(SLIDES_DIR, BAD_SLIDES[1]);

export function slidePath(name: string): string {
  return join(SLIDES_DIR, name);
}
