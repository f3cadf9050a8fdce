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
    mppX: parsePositiveNumber(properties['openslide.mpp-x']),
    mppY: parsePositiveNumber(properties['openslide.mpp-y']),
    objectivePower: parsePositiveNumber(properties['openslide.objective-power']),
    backgroundRgb: parseBackgroundColor(properties['openslide.background-color']),
    properties,
    associatedImages: native.associatedImageNames(),
  };
}
