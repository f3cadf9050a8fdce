import sharp from 'sharp';
import type { PatchProvenance } from './provenance.js';

/** An RGB image (interleaved, row-major). */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** A slide's thumbnail and the level-0 size it shows, to place footprints on it. */
export interface SlideThumbnail {
  readonly image: RgbImage;
  readonly level0Width: number;
  readonly level0Height: number;
}

/** One patch of the sheet. */
export interface ContactSheetPatch {
  readonly pixels: Uint8Array;
  readonly provenance: PatchProvenance;
}

export interface ContactSheetOptions {
  /** Side of each patch tile and of the thumbnail box beside it (default 192). */
  readonly cellPx?: number;
  /** Tiles per row (default: about square). */
  readonly columns?: number;
}

const GAP_PX = 8;
const BACKGROUND = 40;
const MARK: readonly [number, number, number] = [0, 230, 60];

/**
 * Renders an audit sheet as PNG: for each patch, the patch itself and beside it its slide's thumbnail
 * with the patch footprint outlined, so a reviewer sees what was sampled and where it came from.
 */
export async function renderContactSheet(
  patches: readonly ContactSheetPatch[],
  thumbnails: ReadonlyMap<string, SlideThumbnail>,
  options: Readonly<ContactSheetOptions> = {},
): Promise<Buffer> {
  const cell = options.cellPx ?? 192;
  const columns = Math.max(1, options.columns ?? Math.ceil(Math.sqrt(Math.max(1, patches.length))));
  const rows = Math.max(1, Math.ceil(patches.length / columns));
  const tileWidth = 2 * cell + GAP_PX;
  const width = columns * tileWidth + (columns + 1) * GAP_PX;
  const height = rows * cell + (rows + 1) * GAP_PX;
  const canvas: RgbImage = { width, height, data: new Uint8Array(width * height * 3).fill(BACKGROUND) };
  const fitted = new Map<string, RgbImage>();
  for (const [path, thumbnail] of thumbnails) fitted.set(path, await fitInside(thumbnail.image, cell));

  for (let i = 0; i < patches.length; i++) {
    const { pixels, provenance: p } = patches[i]!;
    const x = GAP_PX + (i % columns) * (tileWidth + GAP_PX);
    const y = GAP_PX + Math.floor(i / columns) * (cell + GAP_PX);
    const patch = await fitInside({ width: p.patchSize, height: p.patchSize, data: pixels }, cell);
    blit(canvas, patch, x, y);
    const thumbnail = thumbnails.get(p.slidePath);
    const small = fitted.get(p.slidePath);
    if (thumbnail === undefined || small === undefined) continue;
    const marked = { ...small, data: Uint8Array.from(small.data) };
    const sx = small.width / thumbnail.level0Width;
    const sy = small.height / thumbnail.level0Height;
    outline(marked, p.level0X * sx, p.level0Y * sy, p.level0Width * sx, p.level0Height * sy);
    blit(canvas, marked, x + cell + GAP_PX, y);
  }
  return sharp(canvas.data, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

/** Scales an image to fit a `box` x `box` square, aspect kept. */
async function fitInside(image: RgbImage, box: number): Promise<RgbImage> {
  if (image.width <= box && image.height <= box && (image.width === box || image.height === box))
    return image;
  const { data, info } = await sharp(image.data, {
    raw: { width: image.width, height: image.height, channels: 3 },
  })
    .resize(box, box, { fit: 'inside', kernel: 'lanczos3' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
  };
}

function blit(canvas: RgbImage, image: RgbImage, x: number, y: number): void {
  for (let row = 0; row < image.height; row++) {
    const from = row * image.width * 3;
    canvas.data.set(image.data.subarray(from, from + image.width * 3), ((y + row) * canvas.width + x) * 3);
  }
}

/** Draws a 2-px rectangle outline, at least 7 px across so tiny footprints stay visible. */
function outline(image: RgbImage, x: number, y: number, w: number, h: number): void {
  const minSide = 7;
  const cx = x + w / 2;
  const cy = y + h / 2;
  const half = (side: number): number => Math.max(side, minSide) / 2;
  const x0 = Math.round(cx - half(w));
  const x1 = Math.round(cx + half(w));
  const y0 = Math.round(cy - half(h));
  const y1 = Math.round(cy + half(h));
  const set = (px: number, py: number): void => {
    if (px < 0 || py < 0 || px >= image.width || py >= image.height) return;
    image.data.set(MARK, (py * image.width + px) * 3);
  };
  for (let t = 0; t < 2; t++) {
    for (let px = x0; px <= x1; px++) {
      set(px, y0 + t);
      set(px, y1 - t);
    }
    for (let py = y0; py <= y1; py++) {
      set(x0 + t, py);
      set(x1 - t, py);
    }
  }
}
