import { createHash } from 'node:crypto';

import type { NativeSlide } from '../../native/openslide/index.js';
import type { SlideInfo, SlideLevel } from './types.js';

const WHITE: readonly [number, number, number] = [255, 255, 255];

/** A positive finite number from a property value, or null. */
export function parsePositiveNumber(value: string | undefined): number | null {
  if (value === undefined || value.trim() === '') return null;
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : null;
}

/** Micrometres per resolution unit, for the TIFF units OpenSlide names. */
const MICRONS_PER_UNIT: Readonly<Record<string, number>> = { centimeter: 10_000, inch: 25_400 };

/**
 * Above this a TIFF resolution is taken for a placeholder, not a microscope's: writers fill in 72, 96 or
 * 300 dpi (353, 265, 85 µm) or libvips' 10 pixels/cm (1000 µm) when they know nothing better.
 */
export const MAX_TIFF_RESOLUTION_MPP = 50;

/**
 * Microns per pixel along `axis` from the TIFF resolution tags (`tiff.XResolution` in pixels per
 * `tiff.ResolutionUnit`): OpenSlide 3.4.1 does not turn them into openslide.mpp-x for generic-tiff,
 * where e.g. our own translated slides keep their mpp. Null without a centimetre or inch unit, or for
 * a placeholder value (see MAX_TIFF_RESOLUTION_MPP).
 */
export function mppFromTiffResolution(
  properties: Readonly<Record<string, string>>,
  axis: 'x' | 'y',
): number | null {
  const micronsPerUnit = MICRONS_PER_UNIT[properties['tiff.ResolutionUnit'] ?? ''];
  const pixelsPerUnit = parsePositiveNumber(
    properties[axis === 'x' ? 'tiff.XResolution' : 'tiff.YResolution'],
  );
  if (micronsPerUnit === undefined || pixelsPerUnit === null) return null;
  const mpp = micronsPerUnit / pixelsPerUnit;
  return mpp <= MAX_TIFF_RESOLUTION_MPP ? mpp : null;
}

/** `openslide.background-color` ("RRGGBB" hex) as RGB; white when absent or malformed. */
export function parseBackgroundColor(value: string | undefined): readonly [number, number, number] {
  if (value === undefined || !/^[0-9a-fA-F]{6}$/.test(value)) return WHITE;
  return [0, 2, 4].map((i) => parseInt(value.slice(i, i + 2), 16)) as unknown as readonly [
    number,
    number,
    number,
  ];
}

/** Why a level's tiles make it unreadable (tiles larger than the level), or null when they do not. */
function oversizedTileReason(
  properties: Readonly<Record<string, string>>,
  level: number,
  width: number,
  height: number,
): string | null {
  const tileWidth = parsePositiveNumber(properties[`openslide.level[${level}].tile-width`]);
  const tileHeight = parsePositiveNumber(properties[`openslide.level[${level}].tile-height`]);
  if ((tileWidth ?? 0) <= width && (tileHeight ?? 0) <= height) return null;
  return `level ${level} (${width}x${height}) has ${tileWidth}x${tileHeight} tiles, larger than the level`;
}

/**
 * Reads everything the slide layer caches about a slide from an open native handle: levels,
 * properties, associated image names, and the values derived from properties.
 * `fileKey` identifies the file (size, mtime) for the rare slide without a quickhash.
 */
export function readSlideInfo(native: NativeSlide, path: string, fileKey: string): SlideInfo {
  const levelCount = native.levelCount();
  const properties = native.properties();
  const levels: SlideLevel[] = [];
  for (let level = 0; level < levelCount; level++) {
    const [width, height] = native.levelDimensions(level);
    const unreliable = level > 0 ? oversizedTileReason(properties, level, width, height) : null;
    levels.push({
      width,
      height,
      downsample: native.levelDownsample(level),
      ...(unreliable && { unreliable }),
    });
  }
  return {
    path,
    vendor: native.vendor,
    quickhash:
      properties['openslide.quickhash-1'] ??
      `file-${createHash('sha256').update(`${path}\0${fileKey}`).digest('hex')}`,
    levels,
    mppX: slideMpp(native.vendor, properties, 'x'),
    mppY: slideMpp(native.vendor, properties, 'y'),
    objectivePower: parsePositiveNumber(properties['openslide.objective-power']),
    backgroundRgb: parseBackgroundColor(properties['openslide.background-color']),
    properties,
    associatedImages: native.associatedImageNames(),
  };
}

/** openslide.mpp-x/y; for generic-tiff without them, the TIFF resolution tags. */
function slideMpp(
  vendor: string | null,
  properties: Readonly<Record<string, string>>,
  axis: 'x' | 'y',
): number | null {
  const mpp = parsePositiveNumber(properties[`openslide.mpp-${axis}`]);
  return mpp ?? (vendor === 'generic-tiff' ? mppFromTiffResolution(properties, axis) : null);
}
