import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import type { PatchImage } from '../../../../src-main/core/sampling/patch-image.js';

const run = promisify(execFile);

/** The real H&E slide the sampling tests read from (2220 x 2967, one level). */
export const CMU_SMALL = fileURLToPath(
  new URL('../../../fixtures/slides/cmu-1-small-region.svs', import.meta.url),
);

/**
 * Reads a level-0 region of a fixture slide with OpenSlide's own `openslide-write-png` (independent of our
 * binding) and decodes it with sharp into an RGB patch (the slide is opaque, so alpha is dropped).
 */
export async function readSlideRegion(
  slidePath: string,
  x: number,
  y: number,
  width: number,
  height: number,
): Promise<PatchImage> {
  const dir = await mkdtemp(join(tmpdir(), 'hf-augment-'));
  try {
    const png = join(dir, 'region.png');
    await run('openslide-write-png', [
      slidePath,
      String(x),
      String(y),
      '0',
      String(width),
      String(height),
      png,
    ]);
    const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: new Uint8Array(data) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Largest absolute difference between two equally sized patches, in grey levels. */
export function maxAbsDiff(a: PatchImage, b: PatchImage): number {
  let max = 0;
  for (let i = 0; i < a.data.length; i++) max = Math.max(max, Math.abs(a.data[i]! - b.data[i]!));
  return max;
}

/** Mean absolute difference between two equally sized patches, in grey levels. */
export function meanAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

/** A patch of one colour. */
export function solidPatch(
  width: number,
  height: number,
  rgb: readonly [number, number, number],
): PatchImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) data.set(rgb, i);
  return { width, height, data };
}

/** True when two byte arrays hold the same bytes (fast, unlike deep equality on big typed arrays). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

/**
 * Resizes with Pillow (Debian's python3-pil, installed by scripts/setup-debian.sh) as an independent
 * reference: 'lanczos' is Image.LANCZOS (Lanczos-3, pixel centres aligned like ours).
 */
export async function pillowResize(image: PatchImage, width: number, height: number): Promise<Uint8Array> {
  const dir = await mkdtemp(join(tmpdir(), 'hf-pillow-'));
  try {
    const input = join(dir, 'in.raw');
    const output = join(dir, 'out.raw');
    await writeFile(input, image.data);
    const script = [
      'import sys',
      'from PIL import Image',
      'w, h, ow, oh = map(int, sys.argv[3:7])',
      "im = Image.frombytes('RGB', (w, h), open(sys.argv[1], 'rb').read())",
      "open(sys.argv[2], 'wb').write(im.resize((ow, oh), Image.LANCZOS).tobytes())",
    ].join('\n');
    await run('/usr/bin/python3', [
      '-c',
      script,
      input,
      output,
      String(image.width),
      String(image.height),
      String(width),
      String(height),
    ]);
    return new Uint8Array(await readFile(output));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
