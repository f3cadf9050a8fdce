import sharp from 'sharp';
import type { ImageBytes } from '../../contract/index.js';
import type { TissueMask } from '../../core/tissue/index.js';

/**
 * The tissue mask as an RGBA overlay for the thumbnail (same box, any scale): background veiled in
 * translucent blue-grey, tissue left clear, and the tissue border drawn in green, so both what the detector
 * kept and what it dropped stay visible on H&E and on fluorescence.
 */
export async function renderMaskOverlay(mask: TissueMask): Promise<ImageBytes> {
  const { width, height, data } = mask;
  const rgba = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const o = i * 4;
      if (!data[i]) {
        rgba[o] = 40;
        rgba[o + 1] = 60;
        rgba[o + 2] = 110;
        rgba[o + 3] = 150;
        continue;
      }
      const edge =
        (x > 0 && !data[i - 1]) ||
        (x < width - 1 && !data[i + 1]) ||
        (y > 0 && !data[i - width]) ||
        (y < height - 1 && !data[i + width]);
      if (edge) {
        rgba[o] = 0;
        rgba[o + 1] = 230;
        rgba[o + 2] = 90;
        rgba[o + 3] = 255;
      }
    }
  }
  const bytes = await sharp(rgba, { raw: { width, height, channels: 4 } })
    .png({ compressionLevel: 6, palette: true })
    .toBuffer();
  return { mime: 'image/png', widthPx: width, heightPx: height, bytes };
}
