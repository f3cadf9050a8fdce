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

export const UNOPENABLE = join(SLIDES_DIR, 'bad', 'unopenable.tiff');
export const UNREADABLE = join(SLIDES_DIR, 'bad', 'unreadable.svs');

export function slidePath(name: string): string {
  return join(SLIDES_DIR, name);
}
