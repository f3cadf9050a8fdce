/**
 * Large benchmark slides, generated at run time with libvips from a bundled real slide (never committed):
 * its level 0 tiled `columns x rows` times into a pyramidal JPEG TIFF of 256 px tiles that OpenSlide opens
 * as a generic TIFF.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** The replicated slide in `outDir`, generated once (temp names, then renamed) or again on `regenerate`. */
export async function replicatedSlide(
  source: string,
  [columns, rows]: readonly [number, number],
  outDir: string,
  regenerate = false,
): Promise<{ path: string; generatedSeconds: number | null }> {
  const stem = basename(source).split(/[-.]/)[0]!;
  const path = join(outDir, `${stem}-replicated-${columns}x${rows}-jpeg.tif`);
  if (existsSync(path) && !regenerate) return { path, generatedSeconds: null };
  await mkdir(outDir, { recursive: true });
  const started = performance.now();
  const raw = join(outDir, `source-${process.pid}.v`);
  const partial = join(outDir, `partial-${process.pid}.tif`);
  try {
    // tiffload reads the SVS's level 0 as RGB; strip drops the Aperio description so it is generic-tiff.
    await exec('vips', ['tiffload', source, raw]);
    await exec('vips', [
      'replicate',
      raw,
      `${partial}[tile,pyramid,compression=jpeg,Q=80,tile-width=256,tile-height=256,strip]`,
      String(columns),
      String(rows),
    ]);
    await rename(partial, path);
  } finally {
    await rm(raw, { force: true });
    await rm(partial, { force: true });
  }
  return { path, generatedSeconds: (performance.now() - started) / 1000 };
}
