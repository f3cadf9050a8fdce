import sharp from 'sharp';

/** JPEG settings of the output tiles; 4:2:0 chroma must match the TIFF's YCbCrSubsampling [2, 2]. */
export const JPEG_TILE_SUBSAMPLING: readonly [number, number] = [2, 2];

/** Encodes a square RGB tile as a baseline JPEG (4:2:0, no metadata), as a TIFF tile holds it. */
export async function encodeJpegTile(rgb: Uint8Array, sizePx: number, quality: number): Promise<Buffer> {
  return sharp(rgb, { raw: { width: sizePx, height: sizePx, channels: 3 } })
    .jpeg({ quality, chromaSubsampling: '4:2:0', progressive: false, mozjpeg: false })
    .toBuffer();
}

/** Decodes a tile written by encodeJpegTile back to RGB. */
export async function decodeJpegTile(jpeg: Uint8Array, sizePx: number): Promise<Uint8Array> {
  const { data, info } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.width !== sizePx || info.height !== sizePx || info.channels !== 3) {
    throw new Error(
      `Expected a ${sizePx}x${sizePx} RGB tile but decoded ${info.width}x${info.height}x${info.channels}`,
    );
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.length);
}

/** True when every sample is 255: such tiles are stored once and shared. */
export function isBlankTile(rgb: Uint8Array): boolean {
  for (let i = 0; i < rgb.length; i++) if (rgb[i] !== 255) return false;
  return true;
}
