import type { Sharp, SharpOptions } from 'sharp';
import { assertPatchImage, assertPositiveInteger, type PatchImage } from './patch-image.js';

type SharpFactory = (input: Uint8Array, options: SharpOptions) => Sharp;

/**
 * sharp is loaded on the first resize, not when a patch worker starts: loading libvips takes 100-200 ms
 * of a worker's start-up on this machine, and reads that need no resize (the level matches the
 * downsample) never need it, so the first batch of a cold pool does not wait for it.
 */
let sharpLoaded: Promise<SharpFactory> | null = null;
function loadSharp(): Promise<SharpFactory> {
  sharpLoaded ??= import('sharp').then((module) => module.default);
  return sharpLoaded;
}

/**
 * Resizes with sharp (libvips) Lanczos-3, stretching to exactly `widthPx` x `heightPx` (`fit: 'fill'`,
 * so non-uniform ratios are kept, never cropped). Runs on libuv's thread pool. Note libvips' behaviour,
 * measured in bench/augment.ts: from 4x down it box-shrinks by an integer factor first (mean abs error
 * ~0.9 against a true Lanczos-3), and when enlarging it does not use Lanczos at all (~2.2 at 255 -> 256).
 */
export async function resizeWithSharp(
  image: PatchImage,
  widthPx: number,
  heightPx: number,
): Promise<PatchImage> {
  assertPatchImage(image);
  assertPositiveInteger('resize width', widthPx);
  assertPositiveInteger('resize height', heightPx);
  const raw = { width: image.width, height: image.height, channels: 3 } as const;
  const sharp = await loadSharp();
  const out = await sharp(image.data, { raw })
    .resize(widthPx, heightPx, { kernel: 'lanczos3', fit: 'fill' })
    .raw()
    .toBuffer();
  return { width: widthPx, height: heightPx, data: new Uint8Array(out.buffer, out.byteOffset, out.length) };
}
