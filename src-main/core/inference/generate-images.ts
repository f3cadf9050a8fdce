import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { PatchImage } from '../sampling/patch-image.js';
import { generatePatches, seededLatents } from '../training/eval/evaluate.js';
import type { ProganGenerator } from '../training/models/progan.js';
import { InferenceError } from './errors.js';

/**
 * Spherical interpolation between two latent vectors (Shoemake's slerp): the path stays at the norm
 * Gaussian latents concentrate on, where a straight line would pass through unlikely small vectors.
 * Falls back to a straight line when the vectors are (anti)parallel.
 */
export function slerp(a: Float32Array, b: Float32Array, t: number): Float32Array {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  const cos = Math.min(1, Math.max(-1, dot / Math.sqrt(na * nb)));
  const omega = Math.acos(cos);
  const out = new Float32Array(a.length);
  if (Math.sin(omega) < 1e-6) {
    for (let i = 0; i < a.length; i++) out[i] = (1 - t) * a[i]! + t * b[i]!;
    return out;
  }
  const wa = Math.sin((1 - t) * omega) / Math.sin(omega);
  const wb = Math.sin(t * omega) / Math.sin(omega);
  for (let i = 0; i < a.length; i++) out[i] = wa * a[i]! + wb * b[i]!;
  return out;
}

/**
 * `frames` latents along the great circle between the two latents seeded by `seed` and `seed + 1`,
 * both ends included, concatenated ([frames, latentSize]).
 */
export function interpolationLatents(latentSize: number, frames: number, seed: number): Float32Array {
  const a = seededLatents(1, latentSize, seed);
  const b = seededLatents(1, latentSize, seed + 1);
  const out = new Float32Array(frames * latentSize);
  for (let f = 0; f < frames; f++) out.set(slerp(a, b, frames === 1 ? 0 : f / (frames - 1)), f * latentSize);
  return out;
}

/** Lays equally sized images out in rows of `columns` with `gapPx` white pixels between them. */
export function composeGrid(images: readonly PatchImage[], columns: number, gapPx = 2): PatchImage {
  const { width: w, height: h } = images[0]!;
  const rows = Math.ceil(images.length / columns);
  const width = columns * w + (columns - 1) * gapPx;
  const height = rows * h + (rows - 1) * gapPx;
  const data = new Uint8Array(width * height * 3).fill(255);
  images.forEach((image, i) => {
    const x0 = (i % columns) * (w + gapPx);
    const y0 = Math.floor(i / columns) * (h + gapPx);
    for (let y = 0; y < h; y++)
      data.set(image.data.subarray(y * w * 3, (y + 1) * w * 3), ((y0 + y) * width + x0) * 3);
  });
  return { width, height, data };
}

export interface GenerateImagesOptions {
  /** Images to generate (PNG each). */
  readonly count: number;
  /** Latents are drawn from this seed: the same seed gives the same images. */
  readonly seed: number;
  /** Output resolution in pixels (default: the generator's highest). */
  readonly resolution?: number;
  /** Fade-in of the newest block, 0-1 (default 1; a generator exported mid-fade says its own). */
  readonly alpha?: number;
  /** Also write `grid.png` with every image. */
  readonly grid?: boolean;
  /** Also write `interpolation.png`: this many frames between two seeded latents (0: none). */
  readonly interpolationFrames?: number;
}

export interface GeneratedImages {
  readonly folder: string;
  readonly resolution: number;
  /** The PNGs written, in order. */
  readonly images: readonly string[];
  readonly grid: string | null;
  readonly interpolation: string | null;
}

/**
 * Generates images with a ProGAN generator (use the EMA one) and writes them as PNGs into `folder`
 * (`000000.png` ...), optionally a grid of all of them and a latent interpolation strip. Files are
 * written under temporary names and renamed.
 */
export async function generateImages(
  generator: ProganGenerator,
  folder: string,
  options: Readonly<GenerateImagesOptions>,
): Promise<GeneratedImages> {
  const resolution = options.resolution ?? generator.config.maxResolution;
  if (!Number.isInteger(options.count) || options.count < 1) {
    throw new InferenceError(
      'INVALID_OPTIONS',
      `Expected a positive integer count but received ${options.count}`,
    );
  }
  const alpha = options.alpha ?? 1;
  const frames = options.interpolationFrames ?? 0;
  if (!Number.isInteger(frames) || frames < 0 || frames === 1) {
    throw new InferenceError(
      'INVALID_OPTIONS',
      `Expected 0 or at least 2 interpolation frames but received ${frames}`,
    );
  }
  let images: PatchImage[];
  try {
    images = await generatePatches(
      generator,
      seededLatents(options.count, generator.config.latentSize, options.seed),
      resolution,
      alpha,
    );
  } catch (error) {
    if (error instanceof RangeError) throw new InferenceError('INVALID_OPTIONS', error.message);
    throw error;
  }
  await mkdir(folder, { recursive: true });
  const paths: string[] = [];
  for (const [i, image] of images.entries())
    paths.push(await writePng(image, join(folder, `${String(i).padStart(6, '0')}.png`)));
  const grid = options.grid
    ? await writePng(composeGrid(images, Math.ceil(Math.sqrt(images.length))), join(folder, 'grid.png'))
    : null;
  let interpolation: string | null = null;
  if (frames > 0) {
    const latents = interpolationLatents(generator.config.latentSize, frames, options.seed);
    const strip = await generatePatches(generator, latents, resolution, alpha);
    interpolation = await writePng(composeGrid(strip, frames), join(folder, 'interpolation.png'));
  }
  return { folder, resolution, images: paths, grid, interpolation };
}

async function writePng(image: PatchImage, path: string): Promise<string> {
  const temporary = `${path}.tmp`;
  await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .png()
    .toFile(temporary);
  await rename(temporary, path);
  return path;
}
