import sharp from 'sharp';
import type { RasterImage } from '../slide/types.js';
import { dilateSquare } from './morphology.js';
import type { TissueMask } from './tissue-mask.js';

/** Outline colour: pure green stands out on H&E and on fluorescence alike. */
const OUTLINE_RGB = [0, 255, 0] as const;

/**
 * Draws the outline of the tissue mask on its thumbnail (same size) and encodes it as PNG, for people to check
 * a detector's result. The outline is the tissue pixels that touch background, thickened to 3 px.
 */
export async function renderMaskOverlayPng(thumbnail: RasterImage, mask: TissueMask): Promise<Buffer> {
  const { width, height } = mask;
  if (thumbnail.width !== width || thumbnail.height !== height) {
    throw new RangeError(
      `Thumbnail ${thumbnail.width}x${thumbnail.height} and mask ${width}x${height} differ in size`,
    );
  }
  const edge = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (!mask.data[i]) continue;
      const touchesBackground =
        (x > 0 && !mask.data[i - 1]) ||
        (x < width - 1 && !mask.data[i + 1]) ||
        (y > 0 && !mask.data[i - width]) ||
        (y < height - 1 && !mask.data[i + width]);
      if (touchesBackground) edge[i] = 1;
    }
  }
  const outline = dilateSquare(edge, width, height, 3);
  const rgb = Buffer.alloc(width * height * 3);
  const { data, channels } = thumbnail;
  for (let i = 0; i < width * height; i++) {
    const from = i * channels;
    if (outline[i]) {
      rgb[i * 3] = OUTLINE_RGB[0];
      rgb[i * 3 + 1] = OUTLINE_RGB[1];
      rgb[i * 3 + 2] = OUTLINE_RGB[2];
    } else {
      rgb[i * 3] = data[from]!;
      rgb[i * 3 + 1] = data[from + 1]!;
      rgb[i * 3 + 2] = data[from + 2]!;
    }
  }
  return sharp(rgb, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}
