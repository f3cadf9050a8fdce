/**
 * Argument checks with sharp-style messages ("Expected a non-negative integer for level but received
 * -1"). Each throws SlideError 'INVALID_ARGUMENT' naming the slide.
 */
import { SlideError } from './errors.js';

/** Largest region one read may return: 8192 x 8192 = 67,108,864 pixels (256 MiB as RGBA). */
export const MAX_REGION_PIXELS = 8192 * 8192;

/** Renders a received value for an error message. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (value === null || value === undefined) return String(value);
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

function invalid(path: string, detail: string): SlideError {
  return new SlideError('INVALID_ARGUMENT', path, detail);
}

/** A safe integer (|n| <= 2^53 - 1). */
export function expectInteger(value: unknown, name: string, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw invalid(path, `Expected an integer for ${name} but received ${describeValue(value)}`);
  }
  return value;
}

export function expectNonNegativeInteger(value: unknown, name: string, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalid(path, `Expected a non-negative integer for ${name} but received ${describeValue(value)}`);
  }
  return value;
}

export function expectPositiveInteger(value: unknown, name: string, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw invalid(path, `Expected a positive integer for ${name} but received ${describeValue(value)}`);
  }
  return value;
}

export function expectPositiveNumber(value: unknown, name: string, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalid(path, `Expected a positive number for ${name} but received ${describeValue(value)}`);
  }
  return value;
}

/** A level index valid for a slide with `levelCount` levels. */
export function expectLevel(value: unknown, levelCount: number, path: string): number {
  const level = expectNonNegativeInteger(value, 'level', path);
  if (level >= levelCount) {
    const range = levelCount === 1 ? '(0)' : `(0-${levelCount - 1})`;
    throw invalid(
      path,
      `level ${level} is out of range: the slide has ${levelCount} level${levelCount === 1 ? '' : 's'} ${range}`,
    );
  }
  return level;
}

/** An RGB triple of 0-255 integers. */
export function expectRgb(value: unknown, name: string, path: string): readonly [number, number, number] {
  const ok =
    Array.isArray(value) &&
    value.length === 3 &&
    value.every((c) => typeof c === 'number' && Number.isInteger(c) && c >= 0 && c <= 255);
  if (!ok)
    throw invalid(
      path,
      `Expected [r, g, b] with integers 0-255 for ${name} but received ${describeValue(value)}`,
    );
  return value as unknown as readonly [number, number, number];
}

/** 'rgb' or 'rgba' (undefined means 'rgb'). */
export function expectPixelFormat(value: unknown, path: string): 'rgb' | 'rgba' {
  if (value === undefined) return 'rgb';
  if (value !== 'rgb' && value !== 'rgba') {
    throw invalid(path, `Expected 'rgb' or 'rgba' for format but received ${describeValue(value)}`);
  }
  return value;
}

/** Refuses regions above `maxPixels` before anything is allocated. */
export function expectRegionSize(width: number, height: number, maxPixels: number, path: string): void {
  const pixels = width * height;
  if (pixels > maxPixels) {
    throw invalid(
      path,
      `region ${width}x${height} is ${pixels} pixels, above the limit of ${maxPixels} pixels for one read; ` +
        'read it in smaller tiles',
    );
  }
}
