import type { TiffFormat, TiffTag } from './tiff-directory.js';

/** One level of a pyramidal tiled JPEG TIFF, as its directory describes it. */
export interface PyramidLevelDirectory {
  readonly widthPx: number;
  readonly heightPx: number;
  readonly tileSizePx: number;
  /** Byte offset of each tile's JPEG stream, row-major. */
  readonly tileOffsets: ArrayLike<number>;
  readonly tileByteCounts: ArrayLike<number>;
  /** Level 0 is the full-resolution image; the others are flagged "reduced resolution" (OpenSlide wants it). */
  readonly reduced: boolean;
  /** ImageDescription (270), Latin-1; usually only on level 0. */
  readonly description?: string;
  /** Microns per pixel of this level, written as X/YResolution in pixels per centimetre. */
  readonly mpp?: { readonly x: number; readonly y: number } | null;
  /** Chroma subsampling of the JPEG tiles: [2, 2] for sharp's 4:2:0. */
  readonly ycbcrSubsampling: readonly [number, number];
}

const SOFTWARE = 'histo-fetch workbench';

/** Pixels per centimetre as a TIFF RATIONAL (numerator, denominator), to 1/1000 pixel. */
function perCentimetre(mpp: number): [number, number] {
  return [Math.round((10_000 / mpp) * 1000), 1000];
}

/**
 * The tags of one level: tiled, 8-bit RGB samples stored as JPEG (compression 7) in YCbCr, as libtiff
 * and OpenSlide's generic-tiff reader expect. Offsets are LONG in classic TIFF, LONG8 in BigTIFF.
 */
export function pyramidLevelTags(level: PyramidLevelDirectory, format: TiffFormat): TiffTag[] {
  const offsetType = format === 'classic' ? 'LONG' : 'LONG8';
  const tags: TiffTag[] = [
    { tag: 254, type: 'LONG', values: [level.reduced ? 1 : 0] }, // NewSubfileType
    { tag: 256, type: 'LONG', values: [level.widthPx] },
    { tag: 257, type: 'LONG', values: [level.heightPx] },
    { tag: 258, type: 'SHORT', values: [8, 8, 8] }, // BitsPerSample
    { tag: 259, type: 'SHORT', values: [7] }, // Compression: JPEG
    { tag: 262, type: 'SHORT', values: [6] }, // PhotometricInterpretation: YCbCr
    { tag: 277, type: 'SHORT', values: [3] }, // SamplesPerPixel
    { tag: 284, type: 'SHORT', values: [1] }, // PlanarConfiguration: contiguous
    { tag: 305, type: 'ASCII', values: SOFTWARE },
    { tag: 322, type: 'LONG', values: [level.tileSizePx] },
    { tag: 323, type: 'LONG', values: [level.tileSizePx] },
    { tag: 324, type: offsetType, values: level.tileOffsets },
    { tag: 325, type: offsetType, values: level.tileByteCounts },
    { tag: 530, type: 'SHORT', values: [...level.ycbcrSubsampling] },
    // JFIF's full-range YCbCr (libjpeg's conversion), which is also TIFF's default.
    { tag: 532, type: 'RATIONAL', values: [0, 1, 255, 1, 128, 1, 255, 1, 128, 1, 255, 1] },
  ];
  if (level.description !== undefined) tags.push({ tag: 270, type: 'ASCII', values: level.description });
  if (level.mpp) {
    tags.push({ tag: 282, type: 'RATIONAL', values: perCentimetre(level.mpp.x) });
    tags.push({ tag: 283, type: 'RATIONAL', values: perCentimetre(level.mpp.y) });
    tags.push({ tag: 296, type: 'SHORT', values: [3] }); // ResolutionUnit: centimetre
  }
  return tags;
}
